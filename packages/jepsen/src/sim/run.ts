/**
 * One workload run on the simulator, start to verdict, as Jepsen runs a
 * test: a cluster of replicas with their clock offsets, the workload's
 * clients, a nemesis schedule played during the run, then the faults
 * healed, the clients drained, a settle, one final read with r = n, and
 * the verdict (verdict.ts). Deterministic: one seed, one trace.
 *
 * The default requests use a majority quorum of N = 3 (R = W = 2), so a
 * read that follows an acknowledged write meets it; with 3 nodes every node
 * is a primary of every key, so no write lands on a fallback that a quorum
 * read could miss (a sloppy quorum would make "lost" mean "not handed off
 * yet").
 */
import { describeValue } from "@skew/env";
import type { ConflictMode, QuorumOptions } from "@skew/kv";
import { JepsenError } from "../errors.js";
import type { Fault } from "../faults/schedule.js";
import type { Op } from "../history.js";
import { judge, type Verdict } from "../verdict.js";
import { clientsOf, startWorkload, type WorkloadKind } from "../workloads/suite.js";
import { type ClusterOptions, KvCluster } from "./cluster.js";
import { applyFaults } from "./faults.js";

export interface SimulatedRunOptions {
  readonly seed: number;
  readonly mode: ConflictMode;
  readonly kind: WorkloadKind;
  /** The replicas (default n1, n2, n3: N = 3, every node a primary of every key, no sloppy quorum). */
  readonly nodes?: readonly string[];
  /** Wall-clock offsets (ms, positive: ahead) and oscillator drifts (ppm, positive: fast), per node. */
  readonly clockOffsetsMs?: Readonly<Record<string, number>>;
  readonly clockDriftPpm?: Readonly<Record<string, number>>;
  /** The faults, their times counted from the workload's start. */
  readonly faults?: readonly Fault[];
  /** How long the workload runs, in true ms (default `runMsDefault`). */
  readonly runMs?: number;
  /** Think times (default: the workload's). */
  readonly thinkMsMax?: number;
  /** Quorum options of every request (default: `{ timeoutMs: quorumTimeoutMsDefault }`). */
  readonly quorum?: QuorumOptions;
  /** Default `2 x` the quorum timeout. */
  readonly clientTimeoutMs?: number;
  /** Handed to the cluster: TrueTime's source and bound, the HLC's max offset, the coordinator hook. */
  readonly cluster?: Pick<
    ClusterOptions,
    "gpsErrorMs" | "gpsIntervalMs" | "trueTimeSource" | "maxOffsetMs" | "onCoordinated"
  >;
}

export interface SimulatedRun {
  readonly verdict: Verdict;
  readonly cluster: KvCluster;
  readonly ops: readonly Op[];
  /** The simulator's trace hash: equal for equal seeds and options. */
  readonly traceHash: string;
  /** The values of the final read, and how many replicas answered it; undefined when every attempt failed. */
  readonly finalValues: readonly Uint8Array[] | undefined;
  readonly finalReadR: number | undefined;
}

/** One second of workload: a few hundred operations, several faults. */
export const runMsDefault = 1_000;
/** Requests give up after 250 ms: short against the run, long against a healthy quorum (a few ms). */
export const quorumTimeoutMsDefault = 250;
/** Before the workload starts: the processes start, the GPS syncs, heartbeats are heard. */
export const warmupMs = 100;
/** After the workload stops: in-flight operations finish (bounded by the client timeout, with margin). */
const drainMsMax = 10_000;
/** Late replication, hints and read repair land before the final read. */
const settleMs = 500;

export function simulateWorkload(options: SimulatedRunOptions): SimulatedRun {
  const { seed, mode, kind } = options;
  const nodes = options.nodes ?? ["n1", "n2", "n3"];
  const runMs = options.runMs ?? runMsDefault;
  if (!(Number.isFinite(runMs) && runMs > 0)) {
    throw new RangeError(`simulateWorkload: runMs must be > 0, got ${describeValue(runMs)}`);
  }
  const quorum = options.quorum ?? { timeoutMs: quorumTimeoutMsDefault };
  const clientTimeoutMs = options.clientTimeoutMs ?? 2 * (quorum.timeoutMs ?? quorumTimeoutMsDefault);
  const bucket = mode;
  const key = kind;
  const reader = "final-reader";
  const cluster = new KvCluster({
    seed,
    nodes,
    clients: [...clientsOf(kind, nodes).map(({ client }) => client), reader],
    buckets: { [bucket]: mode },
    ...(options.clockOffsetsMs === undefined ? {} : { clockOffsetsMs: options.clockOffsetsMs }),
    ...options.cluster,
  });
  const { sim } = cluster;
  for (const [id, ppm] of Object.entries(options.clockDriftPpm ?? {})) sim.clock(id).drift(ppm);
  sim.run({ forMs: warmupMs });
  const workload = startWorkload({
    driver: cluster,
    kind,
    nodes,
    bucket,
    key,
    random: sim.random.fork(),
    quorum,
    clientTimeoutMs,
    ...(options.thinkMsMax === undefined ? {} : { thinkMsMax: options.thinkMsMax }),
  });
  applyFaults(sim, options.faults ?? []);
  sim.run({ forMs: runMs });
  workload.stop();
  sim.healAll();
  sim.run({ forMs: drainMsMax, until: () => workload.idle });
  sim.run({ forMs: settleMs });
  const final = finalRead(cluster, reader, nodes, bucket, key);
  sim.history.closePending();
  const ops = sim.history.ops;
  return {
    verdict: judge(kind, ops, final?.values),
    cluster,
    ops,
    traceHash: sim.traceHash,
    finalValues: final?.values,
    finalReadR: final?.r,
  };
}

/** Failed reads allowed before the final read gives up on a quorum size and a node. */
const finalReadAttemptsMax = 5;

/**
 * The final read: with r = n through the middle node (with skewed clocks it is the one closest to every
 * other), or, when some replica cannot answer (one whose clock is so far off that its peers refuse its
 * messages, past the HLC's max offset), with r = a majority through each node in turn: a majority read
 * still meets every acknowledged write (R + W > N). Undefined when every attempt failed.
 */
function finalRead(
  cluster: KvCluster,
  reader: string,
  nodes: readonly string[],
  bucket: string,
  key: string,
): { readonly values: Uint8Array[]; readonly r: number } | undefined {
  const middle = Math.floor(nodes.length / 2);
  const majority = Math.floor(nodes.length / 2) + 1;
  const attempts = [
    { node: nodes[middle] as string, r: nodes.length },
    ...[...nodes.slice(middle), ...nodes.slice(0, middle)].map((node) => ({ node, r: majority })),
  ];
  for (const { node, r } of attempts) {
    try {
      return { values: cluster.finalRead(reader, node, bucket, key, { r, attemptsMax: finalReadAttemptsMax }), r };
    } catch (error) {
      if (!(error instanceof JepsenError && error.code === "FINAL_READ_FAILED")) throw error;
    }
  }
  return undefined;
}
