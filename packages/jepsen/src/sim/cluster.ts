/**
 * KvNode on @skew/sim: the simulator's driver (one of the two; the other runs
 * real processes), and the thin host the real node also is.
 *
 * A `KvHost` is one replica process: messages in -> `handlePeerMessage`,
 * timers -> `tick` at `nextWakeMs`, each write batch -> `storage.put` +
 * `sync` (unless `durability` is relaxed) -> `handleDurable`, and a restart reads the disk back into the node.
 * The HLC persists its upper bound in the same store (its own key), so a
 * restarted node never stamps below what it stamped before.
 *
 * Clients are simulated nodes too (`KvClient`): their requests and replies
 * cross the simulated network, so a paused replica's clients wait, and a
 * client that hears nothing back records an indefinite outcome, as Jepsen's
 * `:info`. `KvCluster` is a `Driver` (driver.ts): workloads run on it
 * unchanged, and the checkers judge the history it records.
 *
 * TrueTime needs a time source. The cluster plays the GPS receiver: every
 * `gpsIntervalMs` each replica's TrueTime clock is synchronized with an
 * interval of +-`gpsErrorMs` around true simulation time. That is the only
 * place true time reaches a node.
 */
import type { TimerHandle } from "@skew/env";
import { HybridLogicalClock } from "@skew/hlc";
import {
  type ClientReply,
  type ClientRequest,
  type ConflictMode,
  KvNode,
  type KvNodeOptions,
  type PeerMessage,
  replicasDefault,
} from "@skew/kv";
import { LamportClock } from "@skew/lamport";
import type { History, LinkModel, NodeContext } from "@skew/sim";
import { Simulation } from "@skew/sim";
import { TrueTimeClock } from "@skew/truetime";
import type { ReplicaSource } from "../checkers/replicas.js";
import type { Driver, Outcome, WorkloadClient } from "../driver.js";
import { JepsenError } from "../errors.js";
import { text } from "../text.js";

export interface ClientRequestMessage {
  readonly kind: "client-request";
  readonly id: number;
  readonly request: ClientRequest;
}

export interface ClientReplyMessage {
  readonly kind: "client-reply";
  readonly id: number;
  readonly reply: ClientReply;
}

export type Wire = PeerMessage | ClientRequestMessage | ClientReplyMessage;

const hlcBoundKey = "driver/hlc-upper-bound";
/** True time 0 as a wall clock reads it: 2024-01-01T00:00:00Z, so stamps look like real ones. */
const epochMs = 1_704_067_200_000;
/** How long a client waits for a reply before it records the outcome as unknown, unless told otherwise. */
export const clientTimeoutMsDefault = 5_000;

/**
 * A client request as its coordinator handled it, in true time: what a client cannot see (how long the
 * coordinator held the reply, and how wide its TrueTime interval was when the request arrived).
 */
export interface CoordinatedRequest {
  readonly node: string;
  readonly request: ClientRequest;
  readonly reply: ClientReply;
  readonly arrivedMs: number;
  readonly repliedMs: number;
  /** The coordinator's TrueTime interval width (2 x epsilon) at arrival; undefined before its first sync. */
  readonly trueTimeWidthMs: number | undefined;
}

export interface ClusterOptions {
  readonly seed: number;
  readonly nodes: readonly string[];
  readonly clients?: readonly string[];
  readonly buckets: Readonly<Record<string, ConflictMode>>;
  /** Initial wall-clock offsets (ms, positive: ahead). */
  readonly clockOffsetsMs?: Readonly<Record<string, number>>;
  readonly link?: Partial<LinkModel>;
  readonly partitions?: number;
  /** The GPS's error bound (default 1 ms) and how often it syncs the TrueTime clocks (default 1000 ms). */
  readonly gpsErrorMs?: number;
  readonly gpsIntervalMs?: number;
  /**
   * Where the centre of each TrueTime sync comes from: `"gps"` (default), true time, so every
   * interval holds true time whatever the wall clocks say; `"local-wall"`, the node's own wall
   * clock, claimed accurate to +-gpsErrorMs, so an interval holds true time only while the
   * node's clock offset stays within that bound (what a real node's error budget promises).
   */
  readonly trueTimeSource?: "gps" | "local-wall";
  /** HLC max offset on every node (default 500 ms). */
  readonly maxOffsetMs?: number;
  /** Membership and handoff tuning handed to every node (defaults: KvNode's). */
  readonly membership?: Pick<KvNodeOptions, "heartbeatIntervalMs" | "hintsMax">;
  /** Anti-entropy and tombstone removal tuning handed to every node (defaults: KvNode's). */
  readonly repair?: Pick<KvNodeOptions, "antiEntropyIntervalMs" | "tombstoneRemovalDelayMs" | "ghostRetentionMs">;
  /** Hand each node its process's Random for anti-entropy's pair choice (default: round robin). */
  readonly antiEntropyRandom?: boolean;
  /** The LWW version history's bounds handed to every node (defaults: KvNode's). */
  readonly history?: KvNodeOptions["history"];
  /**
   * When a write batch counts as durable (default `"sync"`): after the simulated disk synced it,
   * or (`"relaxed"`) once it is written, as the real node's `--durability relaxed` does; a crash
   * losing unsynced writes then takes back writes the node acknowledged. A batch marked `sync`
   * (`WriteBatch.sync`) is synced either way.
   */
  readonly durability?: "sync" | "relaxed";
  /** Called for every client request a coordinator answers (a request whose coordinator crashed is never answered). */
  readonly onCoordinated?: (coordinated: CoordinatedRequest) => void;
}

interface ClientRoute {
  readonly client: string;
  readonly id: number;
  readonly observed: Omit<CoordinatedRequest, "node" | "reply" | "repliedMs"> | undefined;
}

export class KvHost {
  readonly node: KvNode;
  readonly truetime: TrueTimeClock;
  readonly #ctx: NodeContext<Wire>;
  readonly #options: ClusterOptions;
  readonly #trueNowMs: () => number;
  readonly #clientRequests = new Map<number, ClientRoute>();
  #requests = 0;
  #timer: TimerHandle | undefined;
  #timerAtMs: number | undefined;

  /** `trueNowMs`: true simulation time, which the node never reads; only for `onCoordinated`. */
  constructor(ctx: NodeContext<Wire>, options: ClusterOptions, trueNowMs: () => number) {
    this.#ctx = ctx;
    this.#options = options;
    this.#trueNowMs = trueNowMs;
    const storage = ctx.storage;
    const restoredBound = storage.get(hlcBoundKey);
    const hlc = new HybridLogicalClock({
      wall: ctx.env.wall,
      node: ctx.id,
      maxOffsetMs: options.maxOffsetMs ?? 500,
      upperBound: {
        persist: (boundMs) => {
          storage.put(hlcBoundKey, text.encode(String(boundMs)));
          storage.sync();
        },
        restoredMs: restoredBound === undefined ? undefined : Number(text.decode(restoredBound)),
      },
    });
    this.truetime = new TrueTimeClock({ monotonic: ctx.env.monotonic, timers: ctx.env.timers });
    const stored = storage.keys().map((key) => [key, storage.get(key) as Uint8Array] as const);
    const nodeOptions: KvNodeOptions = {
      id: ctx.id,
      nodes: options.nodes,
      buckets: options.buckets,
      clocks: { wall: ctx.env.wall, hlc, lamport: new LamportClock(ctx.id), truetime: this.truetime },
      stored,
      ...(options.partitions === undefined ? {} : { partitions: options.partitions }),
      ...options.membership,
      ...options.repair,
      ...(options.antiEntropyRandom === true ? { random: ctx.env.random } : {}),
      ...(options.history === undefined ? {} : { history: options.history }),
      ...(options.durability === undefined ? {} : { durability: options.durability }),
    };
    this.node = new KvNode(nodeOptions);
  }

  onStart(): void {
    this.#pump();
  }

  onMessage(from: string, message: Wire): void {
    const now = this.#ctx.env.monotonic.now();
    if (message.kind === "client-request") {
      const requestId = ++this.#requests;
      const observed =
        this.#options.onCoordinated === undefined
          ? undefined
          : { request: message.request, arrivedMs: this.#trueNowMs(), trueTimeWidthMs: this.#trueTimeWidthMs() };
      this.#clientRequests.set(requestId, { client: from, id: message.id, observed });
      this.node.handleClientRequest(requestId, message.request, now);
    } else if (message.kind !== "client-reply") {
      this.node.handlePeerMessage(from, message, now);
    }
    this.#pump();
  }

  /** The GPS receiver: true time, +- its error. */
  syncTrueTime(trueMs: number, errorMs: number): void {
    const sample = {
      source: "gps",
      monotonicMs: this.#ctx.env.monotonic.now(),
      earliest: trueMs - errorMs,
      latest: trueMs + errorMs,
    };
    this.truetime.sync([sample]);
    this.#ctx.env.timers.schedule(0, () => this.#tick()); // commit waits may be over
  }

  #trueTimeWidthMs(): number | undefined {
    const now = this.truetime.tryNow();
    return now.ok ? now.value.latest - now.value.earliest : undefined;
  }

  #tick(): void {
    this.#timer = undefined;
    this.#timerAtMs = undefined;
    this.node.tick(this.#ctx.env.monotonic.now());
    this.#pump();
  }

  #pump(): void {
    const { storage, env } = this.#ctx;
    for (let writes = this.node.pollWrites(); writes.length > 0; writes = this.node.pollWrites()) {
      for (const batch of writes) {
        for (const op of batch.ops) {
          if (op.kind === "put") storage.put(op.key, op.value);
          else storage.delete(op.key);
        }
        if (this.#options.durability !== "relaxed" || batch.sync === true) storage.sync();
        this.node.handleDurable(batch.batchId, env.monotonic.now());
      }
    }
    for (const { to, message } of this.node.pollMessages()) this.#ctx.send(to, message);
    for (const { requestId, reply } of this.node.pollReplies()) {
      const route = this.#clientRequests.get(requestId as number);
      if (route === undefined) continue;
      this.#clientRequests.delete(requestId as number);
      if (route.observed !== undefined) {
        this.#options.onCoordinated?.({ node: this.#ctx.id, reply, repliedMs: this.#trueNowMs(), ...route.observed });
      }
      this.#ctx.send(route.client, { kind: "client-reply", id: route.id, reply });
    }
    const wake = this.node.nextWakeMs();
    if (wake === this.#timerAtMs) return;
    if (this.#timer !== undefined) env.timers.cancel(this.#timer);
    this.#timer = undefined;
    this.#timerAtMs = wake;
    if (wake !== undefined) {
      this.#timer = env.timers.schedule(Math.max(0, wake - env.monotonic.now()), () => this.#tick());
    }
  }
}

/** A client process: sends requests to replicas over the simulated network and waits, up to its own timeout. */
export class KvClient implements WorkloadClient {
  readonly id: string;
  readonly #ctx: NodeContext<Wire>;
  readonly #pending = new Map<number, { readonly done: (outcome: Outcome) => void; readonly timer: TimerHandle }>();
  #calls = 0;

  constructor(ctx: NodeContext<Wire>) {
    this.#ctx = ctx;
    this.id = ctx.id;
  }

  call(
    node: string,
    request: ClientRequest,
    done: (outcome: Outcome) => void,
    timeoutMs = clientTimeoutMsDefault,
  ): void {
    const id = ++this.#calls;
    const timer = this.#ctx.env.timers.schedule(timeoutMs, () => {
      if (this.#pending.delete(id)) done({ ok: false, code: "NO_REPLY", definite: false });
    });
    this.#pending.set(id, { done, timer });
    this.#ctx.send(node, { kind: "client-request", id, request });
  }

  /** Schedules `action` after `delayMs` on this client's clock. */
  after(delayMs: number, action: () => void): void {
    this.#ctx.env.timers.schedule(delayMs, action);
  }

  onMessage(_from: string, message: Wire): void {
    if (message.kind !== "client-reply") return;
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return;
    this.#pending.delete(message.id);
    this.#ctx.env.timers.cancel(pending.timer);
    pending.done(message.reply);
  }
}

export class KvCluster implements Driver, ReplicaSource {
  readonly sim: Simulation<Wire>;
  readonly options: ClusterOptions;
  readonly #hosts = new Map<string, KvHost>();
  readonly #clients = new Map<string, KvClient>();

  constructor(options: ClusterOptions) {
    this.options = options;
    this.sim = new Simulation<Wire>({ seed: options.seed, epochMs, ...(options.link ? { link: options.link } : {}) });
    const gpsErrorMs = options.gpsErrorMs ?? 1;
    for (const id of options.nodes) {
      const offset = options.clockOffsetsMs?.[id];
      this.sim.addNode(
        id,
        (ctx) => {
          const host = new KvHost(ctx, options, () => this.sim.nowMs);
          this.#hosts.set(id, host);
          host.syncTrueTime(this.#trueTimeCentreMs(id), gpsErrorMs);
          return host;
        },
        offset === undefined ? {} : { clockOffsetMs: offset },
      );
    }
    for (const id of options.clients ?? []) {
      this.sim.addNode(id, (ctx) => {
        const client = new KvClient(ctx);
        this.#clients.set(id, client);
        return client;
      });
    }
    const gpsIntervalMs = options.gpsIntervalMs ?? 1_000;
    const gps = (): void => {
      for (const id of options.nodes) {
        const control = this.sim.node(id);
        if (control.up && !control.paused) this.#hosts.get(id)?.syncTrueTime(this.#trueTimeCentreMs(id), gpsErrorMs);
      }
      this.sim.after(gpsIntervalMs, gps);
    };
    this.sim.after(gpsIntervalMs, gps);
    this.sim.run({ forMs: 0 });
  }

  /** The Jepsen history the workloads record in: the simulation's, stamped with true time. */
  get history(): History {
    return this.sim.history;
  }

  /** True time as a wall clock would read it with no offset: what the GPS knows. */
  get trueWallMs(): number {
    return epochMs + this.sim.nowMs;
  }

  #trueTimeCentreMs(id: string): number {
    return this.options.trueTimeSource === "local-wall" ? this.sim.clock(id).wall.now() : this.trueWallMs;
  }

  /** The current process of replica `id`. */
  host(id: string): KvHost {
    const host = this.#hosts.get(id);
    if (host === undefined) throw new Error(`no process for ${id}`);
    return host;
  }

  node(id: string): KvNode {
    return this.host(id).node;
  }

  /** Replica `id`'s state for the state checkers, or undefined while it is down. */
  replica(id: string): KvNode | undefined {
    return this.sim.node(id).up ? this.node(id) : undefined;
  }

  client(id: string): KvClient {
    const client = this.#clients.get(id);
    if (client === undefined) throw new Error(`no client ${id}`);
    return client;
  }

  /** Calls through `client` and runs the simulation until the outcome arrives (scripted scenarios). */
  callAndWait(client: string, node: string, request: ClientRequest, limitMs = 10_000): Outcome {
    let outcome: Outcome | undefined;
    this.client(client).call(node, request, (o) => {
      outcome = o;
    });
    this.sim.run({ forMs: limitMs, until: () => outcome !== undefined });
    if (outcome === undefined) throw new Error(`no outcome within ${limitMs} ms`);
    return outcome;
  }

  /**
   * Reads `key` through `node` with r = n (every replica answers, and read
   * repair brings the stale ones up to the merge) until `rounds` reads have
   * succeeded, 50 ms apart, and returns the last one's values: Jepsen's
   * final read, after the faults have healed. The first read repairs; the
   * later ones see the repair. A failed read (a lossy link can still drop a
   * reply) is retried, up to `attemptsMax` failures: a read writes nothing.
   * `r` lowers the replicas asked to answer (a quorum still sees every
   * acknowledged write, R + W > N).
   */
  finalRead(reader: string, node: string, bucket: string, key: string, options: FinalReadOptions = {}): Uint8Array[] {
    const { rounds = 2, r = replicasDefault, attemptsMax = finalReadAttemptsMax } = options;
    let values: Uint8Array[] | undefined;
    let failures = 0;
    for (let round = 0; round < rounds; ) {
      const read = this.callAndWait(reader, node, { kind: "get", bucket, key, r });
      if (read.ok && read.kind === "get") {
        values = read.values;
        round++;
      } else if (++failures > attemptsMax) {
        throw new JepsenError(
          "FINAL_READ_FAILED",
          `final read of ${bucket}/${key} through ${node} with r = ${r} failed ${failures} times, last: ${JSON.stringify(read)}`,
        );
      }
      this.sim.run({ forMs: 50 }); // read repair lands
    }
    return values as Uint8Array[];
  }
}

/** Final reads tried before a run is declared unhealed. */
const finalReadAttemptsMax = 20;

export interface FinalReadOptions {
  /** Successful reads to make; the last one's values are returned (default 2: the first repairs). */
  readonly rounds?: number;
  /** Replicas that must answer (default N). */
  readonly r?: number;
  /** Failed reads allowed before `FINAL_READ_FAILED` (default 20). */
  readonly attemptsMax?: number;
}
