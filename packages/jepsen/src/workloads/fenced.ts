/**
 * Fenced writes under a lease (chapter 4.3, "Fencing tokens"): a lock
 * service grants one client at a time a lease with a token that grows with
 * every grant; the holder writes with its token; a zombie, whose write was
 * held up (its coordinator paused, its request delayed) until after its
 * lease expired and a newer holder wrote, arrives with an older token, and
 * the store must refuse it. Judged by `checkFencing` (checkers/fencing.ts)
 * through `judgeFenced`.
 *
 * - `LeaseService`: the lock service, pure: time is an argument (the
 *   driver's clock: true time in the simulator, the runner's monotonic
 *   clock against real nodes), and nothing else is read.
 * - `FencedWriters`: one writer per node; each acquires the lease (and
 *   asks again after a think time while another holds it), then, for as
 *   long as its own view says the lease is valid, writes `{ id, fence }`
 *   through its node with the token as the write's fence, a short think
 *   time apart. The lease is checked only before a write is sent, as the
 *   chapter's client does ("check if lease is valid, then process
 *   request"): a write that is slow to land can land after the lease
 *   expired. Readers read the key, so that the checker sees what the store
 *   served between the writes.
 *
 * A holder's writes under one lease follow each other with the context of
 * the previous write's reply, so in a causal bucket each supersedes the last
 * instead of piling up siblings; the first write under a lease is blind, and
 * its higher token supersedes whatever older tokens wrote (record.ts).
 * Values are write ids, encoded as the register's (`registerCodec`).
 *
 * Not one of `workloadKinds`: the lost-update comparison iterates that list,
 * and fencing is a different question. `startFenced` starts it as
 * `startWorkload` starts those.
 */
import { describeValue, type Random } from "@skew/env";
import type { ClientRequest, QuorumOptions } from "@skew/kv";
import { checkFencing, type FencingReport } from "../checkers/fencing.js";
import { checkRegister } from "../checkers/register.js";
import { checkSiblings } from "../checkers/siblings.js";
import { codeOf, type Driver } from "../driver.js";
import { malformed, type Op, type Operation, operations, writeIdOf } from "../history.js";
import { KvCluster } from "../sim/cluster.js";
import { RegisterReaders, registerCodec } from "./register.js";
import type { RunningWorkload } from "./suite.js";
import { type ClientAt, Workload, type WorkloadOptions } from "./workload.js";

/**
 * A lease lasts 100 ms by default: long against a healthy quorum write (a few ms), so a holder makes
 * several writes under one token; short against a pause (the nemesis's last 100 to 500 ms), so a write
 * held by a paused coordinator outlives the lease it was sent under.
 */
export const leaseMsDefault = 100;
/** Think times, ms, drawn uniformly up to these: between a holder's writes, a reader's reads, and lease requests. */
export const fencedThinkMsMaxDefault = 5;
export const fencedReaderThinkMsMaxDefault = 10;
export const leaseRetryMsMaxDefault = 20;

/** A lease as granted: who holds it, under which token, until when (the lease service's clock, ms). */
export interface Lease {
  readonly client: string;
  readonly token: number;
  readonly expiresMs: number;
}

/**
 * The lock service: at most one unexpired lease at a time, tokens 1, 2, 3, ... in the order leases are
 * granted. A lease expires at `expiresMs` (from then on it is free); its holder gets it back unchanged
 * while it lasts (asking again extends nothing: a lease is renewed by being granted anew, with a new token).
 */
export class LeaseService {
  readonly leaseMs: number;
  #current: Lease | undefined;
  #lastNowMs = Number.NEGATIVE_INFINITY;

  constructor(leaseMs: number = leaseMsDefault) {
    if (!(Number.isFinite(leaseMs) && leaseMs > 0)) {
      throw new RangeError(`LeaseService: leaseMs must be a finite number > 0, got ${describeValue(leaseMs)}`);
    }
    this.leaseMs = leaseMs;
  }

  /** The lease for `client` at `nowMs`: a new one when the lease is free or expired, its own while it lasts; undefined while another client holds it. */
  acquire(client: string, nowMs: number): Lease | undefined {
    if (typeof client !== "string" || client === "")
      throw new TypeError("LeaseService: a client is a non-empty string");
    const current = this.holder(nowMs);
    if (current !== undefined) return current.client === client ? current : undefined;
    const token = (this.#current?.token ?? 0) + 1;
    this.#current = { client, token, expiresMs: nowMs + this.leaseMs };
    return this.#current;
  }

  /** The unexpired lease at `nowMs`, if any. */
  holder(nowMs: number): Lease | undefined {
    this.#advance(nowMs);
    const current = this.#current;
    return current !== undefined && nowMs < current.expiresMs ? current : undefined;
  }

  /** The last token granted (0: none yet). */
  get lastToken(): number {
    return this.#current?.token ?? 0;
  }

  /** The service's clock is the driver's, which never goes back: a time earlier than one already seen is a caller's bug. */
  #advance(nowMs: number): void {
    if (!Number.isFinite(nowMs))
      throw new RangeError(`LeaseService: nowMs must be finite, got ${describeValue(nowMs)}`);
    if (nowMs < this.#lastNowMs) {
      throw new RangeError(`LeaseService: time went back from ${this.#lastNowMs} to ${nowMs} ms`);
    }
    this.#lastNowMs = nowMs;
  }
}

export interface FencedOptions extends WorkloadOptions {
  /** The writers and their coordinators (one per node). */
  readonly writers: readonly ClientAt[];
  readonly leases: LeaseService;
  /**
   * The driver's clock, ms: the lease service's, and each writer's view of its lease. The `Driver`
   * interface has no clock; by default `driverClock(driver)` finds the simulator's or the live driver's.
   */
  readonly nowMs?: () => number;
  /** The wait before asking again for a lease another client holds, uniform in [0, leaseRetryMsMax] (default `leaseRetryMsMaxDefault`). */
  readonly leaseRetryMsMax?: number;
}

/** What the writers met: how often the lease changed hands, and how many of their writes were zombies. */
export interface FencedStats {
  readonly leasesGranted: number;
  /** Lease requests refused because another client held the lease. */
  readonly leasesDenied: number;
  /** Writes invoked. */
  readonly writes: number;
  /** Writes the store refused for their token (`FENCED`, definite or not). */
  readonly writesFenced: number;
  /**
   * Writes whose answer (or whose client's giving up on one) came after a newer lease had been granted:
   * zombies, sent under a lease their holder believed valid and still in flight when it had passed on.
   */
  readonly writesOutlivedLease: number;
}

interface Holding {
  readonly lease: Lease;
  /** The context of the holder's last acknowledged write under this lease (undefined: blind). */
  context: string | undefined;
}

/** One writer per node writing under the lease, until stopped (`startFenced` adds `RegisterReaders`). */
export class FencedWriters extends Workload<FencedOptions> {
  readonly #holdings = new Map<string, Holding>();
  readonly #nowMs: () => number;
  #nextId = 0;
  #granted = 0;
  #denied = 0;
  #fenced = 0;
  #outlived = 0;

  constructor(options: FencedOptions) {
    super(options);
    for (const [name, value] of [["leaseRetryMsMax", options.leaseRetryMsMax]] as const) {
      if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
        throw new RangeError(`FencedWriters: ${name} must be a finite number >= 0, got ${describeValue(value)}`);
      }
    }
    if (options.nowMs !== undefined && typeof options.nowMs !== "function") {
      throw new TypeError("FencedWriters: nowMs must be a function (the driver's clock)");
    }
    this.#nowMs = options.nowMs ?? driverClock(options.driver);
  }

  get stats(): FencedStats {
    return {
      leasesGranted: this.#granted,
      leasesDenied: this.#denied,
      writes: this.#nextId,
      writesFenced: this.#fenced,
      writesOutlivedLease: this.#outlived,
    };
  }

  protected begin(): void {
    if (this.options.writers.length === 0) throw new RangeError("FencedWriters: at least one writer is needed");
    for (const { client, node } of this.options.writers) {
      this.#wait(client, this.options.leaseRetryMsMax ?? leaseRetryMsMaxDefault, () =>
        this.#acquire(client, client, node),
      );
    }
  }

  /** After a think time drawn up to `thinkMsMax`, runs `action` unless the workload was stopped meanwhile. */
  #wait(client: string, thinkMsMax: number, action: () => void): void {
    this.options.driver.client(client).after(this.options.random.float() * thinkMsMax, () => {
      if (this.running) action();
    });
  }

  #acquire(client: string, process: string, node: string): void {
    const lease = this.options.leases.acquire(client, this.#nowMs());
    if (lease === undefined) {
      this.#denied++;
      this.#wait(client, this.options.leaseRetryMsMax ?? leaseRetryMsMaxDefault, () =>
        this.#acquire(client, process, node),
      );
      return;
    }
    if (this.#holdings.get(client)?.lease.token !== lease.token) {
      this.#granted++;
      this.#holdings.set(client, { lease, context: undefined });
    }
    this.#write(client, process, node);
  }

  /** Writes under the client's lease if its own view says it is still valid; otherwise asks for a lease again. */
  #write(client: string, process: string, node: string): void {
    const { bucket, key, quorum, clientTimeoutMs, leases } = this.options;
    const holding = this.#holdings.get(client);
    if (holding === undefined || this.#nowMs() >= holding.lease.expiresMs) {
      this.#acquire(client, process, node);
      return;
    }
    const { token } = holding.lease;
    const id = ++this.#nextId;
    const next = (after: string) => this.#wait(client, this.options.thinkMsMax, () => this.#write(client, after, node));
    this.operate(
      client,
      process,
      "write",
      { id, fence: token },
      (kv, finish) => {
        const put: ClientRequest = {
          kind: "put",
          bucket,
          key,
          value: registerCodec.encode(id),
          fence: token,
          ...(holding.context === undefined ? {} : { context: holding.context }),
          ...quorum,
        };
        kv.call(
          node,
          put,
          (written) => {
            if (leases.lastToken > token) this.#outlived++;
            if (!written.ok && written.code === "FENCED") this.#fenced++;
            if (written.ok && written.kind === "put") holding.context = written.context;
            const type = Workload.completionOf(written);
            finish(type, type === "ok" ? { id, fence: token } : { code: codeOf(written) });
          },
          clientTimeoutMs,
        );
      },
      next,
    );
  }
}

/**
 * The clock of a driver, ms: the live driver's (`nowMs()`, its monotonic clock since it was made) or the
 * simulator's (true simulation time). The history is stamped by the same clock, so lease times and
 * operation times line up.
 */
export function driverClock(driver: Driver): () => number {
  if (driver instanceof KvCluster) return () => driver.sim.nowMs;
  const live = driver as Driver & { nowMs?: unknown };
  if (typeof live.nowMs === "function") return () => (live.nowMs as () => number).call(driver);
  throw new TypeError("the driver has no clock this module knows: pass nowMs");
}

/** The fenced workload's clients: writer `f<i>` through the i-th node, and reader `r1` through the middle one. */
export function fencedClientsOf(nodes: readonly string[]): { writers: ClientAt[]; readers: ClientAt[] } {
  if (nodes.length === 0) throw new RangeError("fencedClientsOf: at least one node is needed");
  return {
    writers: nodes.map((node, i) => ({ client: `f${i + 1}`, node })),
    readers: [{ client: "r1", node: nodes[Math.floor(nodes.length / 2)] as string }],
  };
}

export interface FencedSuiteOptions {
  readonly driver: Driver;
  /** The driver's clock, ms (default `driverClock(driver)`). */
  readonly nowMs?: () => number;
  /** The coordinators, one writer each, in this order. */
  readonly nodes: readonly string[];
  readonly bucket: string;
  readonly key: string;
  readonly random: Random;
  /** Default `leaseMsDefault`. */
  readonly leaseMs?: number;
  /** Between a holder's writes (default `fencedThinkMsMaxDefault`). */
  readonly thinkMsMax?: number;
  readonly readerThinkMsMax?: number;
  readonly leaseRetryMsMax?: number;
  readonly quorum?: QuorumOptions;
  readonly clientTimeoutMs?: number;
}

/** A started fenced workload: the suite's handle, plus the lease service and the writers' counts. */
export interface RunningFenced extends RunningWorkload<"fenced"> {
  readonly leases: LeaseService;
  readonly stats: FencedStats;
}

/** Creates and starts the fenced workload over `nodes` (clients `fencedClientsOf(nodes)`, which the driver must provide). */
export function startFenced(options: FencedSuiteOptions): RunningFenced {
  const leases = new LeaseService(options.leaseMs ?? leaseMsDefault);
  const clients = fencedClientsOf(options.nodes);
  const workload = new FencedWriters({
    driver: options.driver,
    ...(options.nowMs === undefined ? {} : { nowMs: options.nowMs }),
    bucket: options.bucket,
    key: options.key,
    random: options.random,
    leases,
    writers: clients.writers,
    thinkMsMax: options.thinkMsMax ?? fencedThinkMsMaxDefault,
    ...(options.leaseRetryMsMax === undefined ? {} : { leaseRetryMsMax: options.leaseRetryMsMax }),
    ...(options.quorum === undefined ? {} : { quorum: options.quorum }),
    ...(options.clientTimeoutMs === undefined ? {} : { clientTimeoutMs: options.clientTimeoutMs }),
  });
  // The readers are the register's: `read` operations whose ok value is the ids read, as the checker wants.
  const readers = new RegisterReaders({
    driver: options.driver,
    bucket: options.bucket,
    key: options.key,
    random: options.random,
    readers: clients.readers,
    thinkMsMax: options.readerThinkMsMax ?? fencedReaderThinkMsMaxDefault,
    ...(options.quorum === undefined ? {} : { quorum: options.quorum }),
    ...(options.clientTimeoutMs === undefined ? {} : { clientTimeoutMs: options.clientTimeoutMs }),
  });
  workload.start();
  readers.start();
  return {
    kind: "fenced",
    leases,
    stop: () => {
      workload.stop();
      readers.stop();
    },
    get idle() {
      return workload.idle && readers.idle;
    },
    get stats() {
      return workload.stats;
    },
  };
}

/** A fenced run's verdict: the fencing checker's, and what the register checker says of the same writes. */
export interface FencedVerdict {
  readonly fencing: FencingReport;
  /** Writes invoked, acknowledged, and refused for their token (from the history's `fail` / `info` codes). */
  readonly attempted: number;
  readonly acknowledged: number;
  readonly fenced: number;
  /**
   * Acknowledged writes a read (or the final read) had to show and did not (checkers/register.ts), less
   * those a write of a higher token, invoked before they were acknowledged, may have superseded: under
   * fencing a newer token's write replaces an older one's even when the two raced.
   */
  readonly lost: readonly number[];
  readonly siblingsMax: number;
  /** The fencing checker's violations, one line each (as `fencing.violations`). */
  readonly violations: readonly string[];
  /** No violation of the fencing checker. */
  readonly ok: boolean;
  readonly finalRead: boolean;
}

/**
 * Judges a fenced run: its history and the final read, as the ids read or as the values
 * (`registerCodec`); undefined when there was none.
 */
export function judgeFenced(
  ops: readonly Op[],
  finalRead: readonly number[] | readonly Uint8Array[] | undefined,
): FencedVerdict {
  const finalIds =
    finalRead === undefined || finalRead.every((id) => typeof id === "number")
      ? (finalRead as readonly number[] | undefined)
      : registerCodec.ids(finalRead as readonly Uint8Array[]);
  const fencing = checkFencing(ops, finalIds);
  const writes = operations(ops).filter((op) => op.f === "write");
  const fenced = writes.filter(
    (op) => op.type !== "ok" && (op.result as { code?: unknown } | undefined)?.code === "FENCED",
  ).length;
  // The register checker already excuses writes invoked after w was acknowledged; what it cannot know is
  // that a concurrent write of a higher token may legitimately replace w.
  const excused = excusedByNewerToken(writes);
  const lost = checkRegister(ops, finalIds).lost.filter((id) => !excused(id));
  return {
    fencing,
    attempted: fencing.attempted,
    acknowledged: fencing.acknowledged,
    fenced,
    lost,
    siblingsMax: checkSiblings(ops).max,
    violations: fencing.violations,
    ok: fencing.violations.length === 0,
    finalRead: finalIds !== undefined,
  };
}

/**
 * For the fenced writes `writes` (paired operations): whether write `id` may have been replaced by a write
 * of a higher token that may have taken effect (not failed definitely) and was invoked before `id` was
 * acknowledged. A register checker does not excuse a write for one that raced it (a store that drops an
 * acknowledged write in a race has lost it); under fencing, the higher token's write replaces it by design.
 */
export function excusedByNewerToken(writes: readonly Operation[]): (id: number) => boolean {
  const fenceOf = (op: Operation): number => {
    const fence = (op.value as { fence?: unknown } | null)?.fence;
    if (!(typeof fence === "number" && Number.isSafeInteger(fence) && fence >= 0)) {
      return malformed(`a fenced write's value must be { id, fence }, got ${JSON.stringify(op.value)}`);
    }
    return fence;
  };
  const byId = new Map(writes.map((op) => [writeIdOf(op), op]));
  return (id) => {
    const write = byId.get(id);
    if (write === undefined) return false;
    return writes.some(
      (other) => other.type !== "fail" && fenceOf(other) > fenceOf(write) && other.invokeUs < write.completeUs,
    );
  };
}
