/**
 * KvNode on @skew/sim: the thin driver the real node will also be.
 *
 * A `KvHost` is one replica process: messages in -> `handlePeerMessage`,
 * timers -> `tick` at `nextWakeMs`, each write batch -> `storage.put` +
 * `sync` -> `handleDurable`, and a restart reads the disk back into the node.
 * The HLC persists its upper bound in the same store (its own key), so a
 * restarted node never stamps below what it stamped before.
 *
 * Clients are simulated nodes too (`KvClient`): their requests and replies
 * cross the simulated network, so a paused replica's clients wait, and a
 * client that hears nothing back records an indefinite outcome, as Jepsen's
 * `:info`.
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
} from "@skew/kv";
import { LamportClock } from "@skew/lamport";
import { type LinkModel, type NodeContext, Simulation } from "@skew/sim";
import { TrueTimeClock } from "@skew/truetime";

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

/** What a client learns: the node's reply, or nothing before its own timeout (the write may or may not have happened). */
export type Outcome = ClientReply | { readonly ok: false; readonly code: "NO_REPLY"; readonly definite: false };

const hlcBoundKey = "driver/hlc-upper-bound";
const epochMs = 1_704_067_200_000;

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
}

export class KvHost {
  readonly node: KvNode;
  readonly truetime: TrueTimeClock;
  readonly #ctx: NodeContext<Wire>;
  readonly #clientRequests = new Map<number, { readonly client: string; readonly id: number }>();
  #requests = 0;
  #timer: TimerHandle | undefined;
  #timerAtMs: number | undefined;

  constructor(ctx: NodeContext<Wire>, options: ClusterOptions) {
    this.#ctx = ctx;
    const storage = ctx.storage;
    const restoredBound = storage.get(hlcBoundKey);
    const hlc = new HybridLogicalClock({
      wall: ctx.env.wall,
      node: ctx.id,
      maxOffsetMs: options.maxOffsetMs ?? 500,
      upperBound: {
        persist: (boundMs) => {
          storage.put(hlcBoundKey, new TextEncoder().encode(String(boundMs)));
          storage.sync();
        },
        restoredMs: restoredBound === undefined ? undefined : Number(new TextDecoder().decode(restoredBound)),
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
      this.#clientRequests.set(requestId, { client: from, id: message.id });
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
        storage.sync();
        this.node.handleDurable(batch.batchId, env.monotonic.now());
      }
    }
    for (const { to, message } of this.node.pollMessages()) this.#ctx.send(to, message);
    for (const { requestId, reply } of this.node.pollReplies()) {
      const route = this.#clientRequests.get(requestId as number);
      if (route === undefined) continue;
      this.#clientRequests.delete(requestId as number);
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
export class KvClient {
  readonly id: string;
  readonly #ctx: NodeContext<Wire>;
  readonly #pending = new Map<number, { readonly done: (outcome: Outcome) => void; readonly timer: TimerHandle }>();
  #calls = 0;

  constructor(ctx: NodeContext<Wire>) {
    this.#ctx = ctx;
    this.id = ctx.id;
  }

  call(node: string, request: ClientRequest, done: (outcome: Outcome) => void, timeoutMs = 5_000): void {
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

export class KvCluster {
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
          const host = new KvHost(ctx, options);
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
}

export const text = {
  encode: (value: string): Uint8Array => new TextEncoder().encode(value),
  decode: (bytes: Uint8Array): string => new TextDecoder().decode(bytes),
};
