/**
 * One workload run against real nodes, start to verdict, as the
 * simulator's `simulateWorkload` (sim/run.ts) assembles one: the workload's
 * clients for `runMs` of real time with a nemesis schedule played on real
 * timers, then the faults healed, the clients drained, a settle, the final
 * read (final-read.ts), and the same `judge`. The cluster, its clocks and
 * its processes are the caller's: the run gets a fresh `HttpDriver` over
 * their URLs and a `LiveNemesis` that knows how to hurt them.
 *
 * Real time is not replayable: a seed fixes the workload's draws and the
 * fault schedule, not when the operating system runs whom. What a live run
 * proves is that the laws hold on real processes and real sockets.
 */
import { describeValue, type Random } from "@skew/env";
import type { QuorumOptions } from "@skew/kv";
import { describeFault, type Fault } from "../faults/schedule.js";
import type { History, Op } from "../history.js";
import { quorumTimeoutMsDefault } from "../sim/run.js";
import { judge, type Verdict } from "../verdict.js";
import { clientsOf, startWorkload, type WorkloadKind } from "../workloads/suite.js";
import { drainOperations } from "./drain.js";
import { LiveError } from "./errors.js";
import { finalReadAcross } from "./final-read.js";
import type { Anomaly, HttpDriver } from "./http-driver.js";
import { type LiveNemesis, type PlayedFault, playFaults } from "./nemesis.js";

export interface LiveRunOptions {
  /** A fresh driver over the cluster's nodes (its history becomes the run's); the caller closes it. */
  readonly driver: HttpDriver;
  readonly kind: WorkloadKind;
  readonly bucket: string;
  /** The key the workload uses: a fresh one per run, so that runs on one cluster do not see each other. */
  readonly key: string;
  /** The workload's draws (think times): derive it from the run's seed. */
  readonly random: Random;
  /** How long the workload runs, in ms of real time. */
  readonly runMs: number;
  /** The coordinators, one client each (default: the driver's nodes, in order). */
  readonly nodes?: readonly string[];
  /** The faults, their times counted from the workload's start; every one must have healed by `runMs`. */
  readonly faults?: readonly Fault[];
  /** Required when there are faults. */
  readonly nemesis?: LiveNemesis<Fault>;
  /** Quorum options of every request (default `{ timeoutMs: quorumTimeoutMsDefault }`, as on the simulator). */
  readonly quorum?: QuorumOptions;
  /** Default 2 x the quorum timeout, as on the simulator. */
  readonly clientTimeoutMs?: number;
  readonly thinkMsMax?: number;
  /** Between the drain and the final read: late replication and read repair land (default `settleMsDefault`). */
  readonly settleMs?: number;
}

export interface LiveRun {
  readonly verdict: Verdict;
  readonly ops: readonly Op[];
  readonly history: History;
  readonly finalValues: readonly Uint8Array[] | undefined;
  readonly finalReadR: number | undefined;
  readonly faults: readonly PlayedFault<Fault>[];
  /** How long the whole run took, ms of real time (workload, heal, drain, settle, final read). */
  readonly elapsedMs: number;
}

/** The simulator's settle: late replication and read repair land before the final read. */
export const settleMsDefault = 500;

export async function runLiveWorkload(options: LiveRunOptions): Promise<LiveRun> {
  const { driver, kind, bucket, key, random, runMs } = options;
  const nodes = options.nodes ?? driver.nodes;
  const faults = options.faults ?? [];
  if (!(Number.isFinite(runMs) && runMs > 0))
    throw new RangeError(`runLiveWorkload: runMs must be > 0, got ${describeValue(runMs)}`);
  if (faults.length > 0 && options.nemesis === undefined) {
    throw new TypeError("runLiveWorkload: faults need a nemesis to play them");
  }
  for (const fault of faults) {
    if (!(fault.atMs >= 0 && fault.atMs + fault.durationMs <= runMs)) {
      throw new RangeError(`runLiveWorkload: ${describeFault(fault)} does not heal within the run (${runMs} ms)`);
    }
  }
  const quorum = options.quorum ?? { timeoutMs: quorumTimeoutMsDefault };
  const clientTimeoutMs = options.clientTimeoutMs ?? 2 * (quorum.timeoutMs ?? quorumTimeoutMsDefault);
  const reader = "final-reader";
  const runner = driver.client("live-runner");
  const wait = (ms: number) => new Promise<void>((resolve) => runner.after(Math.max(0, ms), resolve));
  const startedMs = driver.nowMs();

  // Every coordinator the workload names must be one the driver serves (a TypeError naming them otherwise).
  for (const { node } of clientsOf(kind, nodes)) driver.url(node);
  const workload = startWorkload({
    driver,
    kind,
    nodes,
    bucket,
    key,
    random,
    quorum,
    clientTimeoutMs,
    ...(options.thinkMsMax === undefined ? {} : { thinkMsMax: options.thinkMsMax }),
  });

  // Faults of one kind never overlap (planFaults): a lane per kind.
  const player = playFaults({
    faults,
    nemesis: options.nemesis as LiveNemesis<Fault>,
    describe: describeFault,
    lane: (fault) => fault.kind,
    nowMs: () => driver.nowMs() - startedMs,
    wait,
  });

  try {
    await wait(runMs);
    workload.stop();
    await player.done;
    if (player.errors.length > 0) throw player.errors[0];
    await drainOperations({
      idle: () => workload.idle,
      clientTimeoutMs,
      nowMs: () => driver.nowMs(),
      wait,
      failure: () => driver.error?.error,
      what: "runLiveWorkload",
    });
    await wait(options.settleMs ?? settleMsDefault);
    const final = await finalReadAcross(driver, reader, nodes, bucket, key);
    driver.history.closePending();
    if (driver.error !== undefined) throw driver.error.error;
    if (driver.anomalies.length > 0) throw anomalyError(driver.anomalies);
    const ops = driver.history.ops;
    return {
      verdict: judge(kind, ops, final?.values),
      ops,
      history: driver.history,
      finalValues: final?.values,
      finalReadR: final?.r,
      faults: player.played,
      elapsedMs: driver.nowMs() - startedMs,
    };
  } finally {
    workload.stop();
    // A fault still on (the run failed half way) is healed before the error leaves: no paused process outlives it.
    await player.healNow();
  }
}

function anomalyError(anomalies: readonly Anomaly[]): LiveError {
  const listed = anomalies.slice(0, 5).map((a) => `${a.node} (${a.request}): ${a.what}`);
  const more = anomalies.length > listed.length ? `; and ${anomalies.length - listed.length} more` : "";
  return new LiveError(
    "LIVE_NODE_ANOMALY",
    `${anomalies.length} answers outside the store's vocabulary: ${listed.join("; ")}${more}`,
  );
}
