/**
 * The workloads of a fault run, one "case" per (bucket, workload): each
 * runs on its own key through its own `HttpDriver` (so its history is its
 * own), all at once under one nemesis schedule, and is judged by the
 * checkers @skew/jepsen shares with the simulator:
 *
 * - `set`: Jepsen's set, adds by read-modify-write (a causal bucket merges
 *   siblings by union): acknowledged adds lost, adds that failed definitely
 *   and appeared;
 * - `register`: writers taking turns, each reading and writing with the
 *   read's context (`sequential`): acknowledged writes lost, writes in the
 *   wrong real-time order;
 * - `counter`: increments of a G-counter by read-modify-write: the final
 *   count below the acknowledged increments;
 * - `fenced`: writers holding leases from a lease service, each write
 *   carrying its token: a write of an older token accepted after a newer
 *   one was acknowledged, or read after it;
 * - `deletes`: keys written, read back and deleted with the read's
 *   context, one after another: a deleted key that reads back a value.
 *
 * Every case also reports the siblings its clients were shown (and the
 * most at once: the sibling bound).
 */
import type { Random } from "@skew/env";
import {
  checkStaleReads,
  DeleteWorkload,
  type FencedVerdict,
  judge,
  judgeFenced,
  type RunningWorkload,
  type StaleReadsReport,
  startFenced,
  startWorkload,
  type Verdict,
  type WorkloadKind,
} from "@skew/jepsen";
import { finalReadAcross, type HttpDriver, type LiveNodeRead, readEachNode } from "@skew/jepsen/live";
import type { QuorumOptions } from "@skew/kv";

export const faultWorkloads = ["set", "register", "counter", "fenced", "deletes"] as const;
export type FaultWorkload = (typeof faultWorkloads)[number];

export function isFaultWorkload(value: string): value is FaultWorkload {
  return (faultWorkloads as readonly string[]).includes(value);
}

/** The suite's kind behind each of ours that it runs. */
const suiteKinds: Partial<Record<FaultWorkload, WorkloadKind>> = {
  set: "set",
  register: "sequential",
  counter: "counter",
};

/**
 * Think times, ms: slower than the lost-update comparison's (10 ms), because a fault run drives ten workloads
 * of five clients each against five nodes on two cores, and a saturated machine times everything out.
 */
export const faultThinkMsMax: Readonly<Record<FaultWorkload, number>> = {
  set: 40,
  register: 20,
  counter: 40,
  fenced: 20,
  deletes: 20,
};

/**
 * The quorums each workload asks for. The set and the deletes use the store's sloppy quorums (R = W = 2 of
 * N = 3, fallbacks counting towards W: Dynamo's availability) and are judged on the final read. The others
 * need each client to read its own writes, which sloppy quorums do not give (R + W > N does not make them
 * intersect: a read can miss an acknowledged write that a fallback holds), so they ask for strict ones
 * (PR = PW = 2 primaries), the guarantee a client that needs to read its writes must ask for. The register
 * and the fenced writes are judged on every read. The counter is judged on the final read, but a G-counter
 * client raises its own entry from what it read: an increment built on a read that missed the client's
 * previous one writes the same count again, and the two count once. With sloppy quorums that showed as
 * acknowledged increments lost, while the replicas had kept every version they were given (README, "What
 * the runs showed").
 */
export const strictQuorumWorkloads: ReadonlySet<FaultWorkload> = new Set(["register", "counter", "fenced"]);
const strictQuorum = { pr: 2, pw: 2 } as const;

/** Keys the delete workload may write, one after another: more than a run of ten minutes gets through. */
const deleteKeysMax = 100_000;

export interface CaseOptions {
  readonly driver: HttpDriver;
  readonly workload: FaultWorkload;
  readonly bucket: string;
  readonly key: string;
  readonly random: Random;
  readonly quorum: QuorumOptions;
  readonly clientTimeoutMs: number;
}

export interface CaseVerdict {
  readonly bucket: string;
  readonly workload: FaultWorkload;
  readonly key: string;
  /** The lost-update verdict (set, register, counter). */
  readonly verdict?: Verdict;
  readonly fencing?: FencedVerdict;
  /** Deleted keys, and those that read back a value after their acknowledged delete. */
  readonly deletes?: { readonly deleted: number; readonly abandoned: number; readonly resurrected: readonly string[] };
  /** Each node's own read (r = 1) after convergence, against the history and the final read. */
  readonly staleness?: StaleReadsReport;
  /** Operations in the history. */
  readonly ops: number;
}

export class Case {
  readonly options: CaseOptions;
  readonly #running: Pick<RunningWorkload, "stop" | "idle">;
  readonly #deletes: DeleteWorkload | undefined;

  constructor(options: CaseOptions) {
    this.options = options;
    const { driver, workload, bucket, key, random, clientTimeoutMs } = options;
    const quorum = strictQuorumWorkloads.has(workload) ? { ...options.quorum, ...strictQuorum } : options.quorum;
    const nodes = driver.nodes;
    const common = { driver, bucket, key, random, quorum, clientTimeoutMs, thinkMsMax: faultThinkMsMax[workload] };
    const kind = suiteKinds[workload];
    if (kind !== undefined) {
      this.#running = startWorkload({ ...common, kind, nodes });
    } else if (workload === "fenced") {
      this.#running = startFenced({ ...common, nodes });
    } else {
      this.#deletes = new DeleteWorkload({
        driver,
        bucket,
        keys: Array.from({ length: deleteKeysMax }, (_, i) => `${key}-${i}`),
        client: "d1",
        nodes,
        thinkMsMax: common.thinkMsMax,
        random,
        quorum,
        clientTimeoutMs,
      });
      this.#deletes.start();
      this.#running = this.#deletes;
    }
  }

  stop(): void {
    this.#running.stop();
  }

  get idle(): boolean {
    return this.#running.idle;
  }

  /**
   * The final reads and the verdict; call once the faults have healed and the clients have drained, with
   * each node's own read of the key (`readEach`), taken before the final read repairs anything.
   */
  async judge(reads: readonly LiveNodeRead[] | undefined): Promise<CaseVerdict> {
    const { driver, workload, bucket, key } = this.options;
    const base = { bucket, workload, key };
    const reader = "final-reader";
    if (this.#deletes !== undefined) {
      const resurrected: string[] = [];
      for (const deleted of this.#deletes.deleted) {
        const values = (await finalReadAcross(driver, reader, driver.nodes, bucket, deleted))?.values;
        if (values === undefined) resurrected.push(`${deleted}: unreadable`);
        else if (values.length > 0) resurrected.push(`${deleted}: ${values.length} value(s)`);
      }
      driver.history.closePending();
      return {
        ...base,
        deletes: {
          deleted: this.#deletes.deleted.length,
          abandoned: this.#deletes.abandoned.length,
          resurrected,
        },
        ops: driver.history.ops.length,
      };
    }
    const final = await finalReadAcross(driver, reader, driver.nodes, bucket, key);
    driver.history.closePending();
    const ops = driver.history.ops;
    const kind = workload === "fenced" ? "fenced" : (suiteKinds[workload] as WorkloadKind);
    const staleness = reads === undefined ? undefined : checkStaleReads(kind, ops, final?.values, reads);
    const judged =
      workload === "fenced"
        ? { fencing: judgeFenced(ops, final?.values) }
        : { verdict: judge(kind as WorkloadKind, ops, final?.values) };
    return { ...base, ...judged, ...(staleness === undefined ? {} : { staleness }), ops: ops.length };
  }

  /** Each node's own read (r = 1 through it) of the case's key: what a client of that node would see now. */
  readEach(): Promise<LiveNodeRead[]> | undefined {
    if (this.#deletes !== undefined) return undefined;
    const { driver, bucket, key } = this.options;
    return readEachNode(driver, bucket, key);
  }
}
