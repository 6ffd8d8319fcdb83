/**
 * One cell of the lost-update matrix, one seed: a 3-replica cluster (N = 3,
 * R = W = 2) on the simulator with the cell's clocks, the cell's workload
 * for `runMs` of true time, the cell's faults drawn from the seed over the
 * middle 80% of the run, then heal, drain, settle and a final read with
 * r = 3, judged by @skew/jepsen's `judge`. For `lww-truetime` the
 * coordinators' own view is recorded too: how long each held an
 * acknowledgement (request in to reply out) against the width of its
 * TrueTime interval (2 x epsilon) when the request arrived.
 *
 * Deterministic: the same cell, seed and options give the same result, and
 * the same simulator trace (its hash is in the result).
 */
import { describeValue, Random } from "@skew/env";
import {
  type CoordinatedRequest,
  describeFault,
  planFaults,
  type SimulatedRun,
  simulateWorkload,
  type Verdict,
} from "@skew/jepsen";
import { type Cell, cellId, checkCell, clocksOf, nodes } from "./cells.js";
import { MatrixError } from "./errors.js";
import { percentile } from "./stats.js";

export interface TrueTimeSetup {
  /**
   * Where each node's TrueTime clock is synchronized from, every second: `"local-wall"`, its own (skewed)
   * wall clock, claimed accurate to +-errorMs, so that an interval holds true time only while the node's
   * offset stays within the bound (what a real node's error budget promises); `"gps"`, true time +-errorMs,
   * an honest bound whatever the wall clocks say.
   */
  readonly source: "local-wall" | "gps";
  /** epsilon, in ms: the interval is [t - epsilon, t + epsilon] at each sync. */
  readonly errorMs: number;
}

export interface CellRunOptions {
  /** True ms of workload per run (default `runMsDefault`). */
  readonly runMs?: number;
  readonly trueTime?: TrueTimeSetup;
  /** The HLC's max offset on every node (default `maxOffsetMsDefault`). */
  readonly maxOffsetMs?: number;
}

/** One second of workload: a few hundred operations and several faults per run, a few runs per second of CPU. */
export const runMsDefault = 1_000;
/**
 * epsilon = 5 ms, local wall clocks: in the range of Spanner's (the chapter: about 7 ms), so that the skews
 * of 0 to 10 ms stay within the bound (each node is at most 5 ms off) and 100 ms and 1 s break it.
 */
export const trueTimeDefault: TrueTimeSetup = { source: "local-wall", errorMs: 5 };
/** CockroachDB's default, and the HLC's: a peer more than 500 ms ahead is refused. */
export const maxOffsetMsDefault = 500;
/** Faults come and go within the middle of the run: the first and last 10% are calm. */
const faultWindow = { from: 0.1, to: 0.9 } as const;

/** What one run of one cell measured. Every field is JSON (no undefined, no Infinity). */
export interface CellSeedResult {
  readonly seed: number;
  /** The command that replays this run from the repository root. */
  readonly replay: string;
  readonly attempted: number;
  readonly acknowledged: number;
  /** Acknowledged writes lost, and their share of the acknowledged, in percent. */
  readonly lost: number;
  readonly lostPercent: number;
  /** Writes that came back in the wrong real-time order (null: the workload has no order, set and counter). */
  readonly wrongOrder: number | null;
  /** Client reads that returned more than one value, and the most values one read returned. */
  readonly siblingsSurfaced: number;
  readonly siblingsMax: number;
  /** Writes that failed definitely and appeared anyway, and values nobody wrote. */
  readonly unacknowledgedAppeared: number;
  readonly unexpected: number;
  /** Latency of acknowledged writes in simulated ms (null: none acknowledged). */
  readonly writeLatencyP50Ms: number | null;
  readonly writeLatencyP99Ms: number | null;
  /** lww-truetime only: the coordinators' hold of each acknowledged write against 2 x epsilon at its arrival. */
  readonly commitWait: CommitWait | null;
  /** False when the final read failed (a cluster that could not read after the run): no final verdict. */
  readonly finalRead: boolean;
  /** Replicas that answered the final read: 3, or 2 when one refused its peers (a clock past the HLC's max offset). */
  readonly finalReadR: number | null;
  /** The faults played, as "412.0ms pause n2 for 230.5ms". */
  readonly faults: readonly string[];
  readonly traceHash: string;
}

/** The fields of a run's result that come from its verdict: filled alike by the simulated and the live runs. */
export type VerdictFields = Pick<
  CellSeedResult,
  | "attempted"
  | "acknowledged"
  | "lost"
  | "lostPercent"
  | "wrongOrder"
  | "siblingsSurfaced"
  | "siblingsMax"
  | "unacknowledgedAppeared"
  | "unexpected"
  | "writeLatencyP50Ms"
  | "writeLatencyP99Ms"
  | "finalRead"
>;

export function verdictFields(verdict: Verdict): VerdictFields {
  return {
    attempted: verdict.attempted,
    acknowledged: verdict.acknowledged,
    lost: verdict.lost,
    lostPercent: verdict.lostPercent,
    wrongOrder: verdict.wrongOrder,
    siblingsSurfaced: verdict.siblingsSurfaced,
    siblingsMax: verdict.siblingsMax,
    unacknowledgedAppeared: verdict.unacknowledgedAppeared,
    unexpected: verdict.unexpected,
    writeLatencyP50Ms: percentile(verdict.writeLatenciesMs, 50),
    writeLatencyP99Ms: percentile(verdict.writeLatenciesMs, 99),
    finalRead: verdict.finalRead,
  };
}

export interface CommitWait {
  /** Acknowledged puts measured at their coordinators. */
  readonly writes: number;
  /** Request in to acknowledgement out: max(replication round trip, commit wait). */
  readonly holdP50Ms: number;
  readonly holdMeanMs: number;
  /** The TrueTime interval's width when the request arrived: the commit wait theory predicts. */
  readonly twoEpsilonMeanMs: number;
}

export interface ResolvedCellRunOptions {
  readonly runMs: number;
  readonly trueTime: TrueTimeSetup;
  readonly maxOffsetMs: number;
}

/** Fills in the defaults and checks the ranges (`MATRIX_OPTION_INVALID`). */
export function resolveCellRunOptions(options: CellRunOptions = {}): ResolvedCellRunOptions {
  const runMs = options.runMs ?? runMsDefault;
  const trueTime = options.trueTime ?? trueTimeDefault;
  const maxOffsetMs = options.maxOffsetMs ?? maxOffsetMsDefault;
  const bad = (message: string): never => {
    throw new MatrixError("MATRIX_OPTION_INVALID", message);
  };
  if (!(Number.isFinite(runMs) && runMs >= 100 && runMs <= 600_000))
    bad(`runMs must be in [100, 600000], got ${describeValue(runMs)}`);
  if (trueTime.source !== "local-wall" && trueTime.source !== "gps") {
    bad(`trueTime.source must be "local-wall" or "gps", got ${describeValue(trueTime.source)}`);
  }
  if (typeof trueTime.errorMs !== "number" || !(trueTime.errorMs > 0 && trueTime.errorMs <= 1_000))
    bad(`trueTime.errorMs must be in (0, 1000], got ${describeValue(trueTime.errorMs)}`);
  if (typeof maxOffsetMs !== "number" || !(maxOffsetMs > 0 && maxOffsetMs <= 60_000))
    bad(`maxOffsetMs must be in (0, 60000], got ${describeValue(maxOffsetMs)}`);
  return { runMs, trueTime, maxOffsetMs };
}

/** Throws `MATRIX_SEED_INVALID` unless `seed` is a 32-bit integer, as the simulator takes. */
export function checkSeed(seed: number): void {
  if (!(Number.isInteger(seed) && seed >= -0x8000_0000 && seed <= 0xffff_ffff)) {
    throw new MatrixError("MATRIX_SEED_INVALID", `a seed must be a 32-bit integer, got ${describeValue(seed)}`);
  }
}

/** The command that replays `cell` with `seed` (and the options that differ from the defaults). */
export function cellReplayCommand(cell: Cell, seed: number, options: ResolvedCellRunOptions): string {
  const flags = [`--cell ${cellId(cell)}`, `--seed ${seed}`];
  if (options.runMs !== runMsDefault) flags.push(`--run-ms ${options.runMs}`);
  if (options.trueTime.source !== trueTimeDefault.source || options.trueTime.errorMs !== trueTimeDefault.errorMs) {
    flags.push(`--truetime ${options.trueTime.source}:${options.trueTime.errorMs}`);
  }
  if (options.maxOffsetMs !== maxOffsetMsDefault) flags.push(`--max-offset-ms ${options.maxOffsetMs}`);
  return `node --conditions=@skew/source --import tsx packages/bench/src/matrix/replay.ts ${flags.join(" ")}`;
}

export function runCellSeed(cell: Cell, seed: number, options: CellRunOptions = {}): CellSeedResult {
  return simulateCell(cell, seed, options).result;
}

/** `runCellSeed`, with the simulated run itself (its cluster, history and trace) for a replay to show. */
export function simulateCell(
  cell: Cell,
  seed: number,
  options: CellRunOptions = {},
): { readonly result: CellSeedResult; readonly run: SimulatedRun } {
  checkCell(cell);
  checkSeed(seed);
  const resolved = resolveCellRunOptions(options);
  const { runMs, trueTime, maxOffsetMs } = resolved;
  // A stream of the seed's own for the schedule, apart from the simulation's.
  const faults = planFaults({
    kind: cell.fault,
    nodes,
    fromMs: faultWindow.from * runMs,
    toMs: faultWindow.to * runMs,
    random: Random.seeded(seed).fork(),
  });
  const holds: number[] = [];
  const widths: number[] = [];
  const observe = (coordinated: CoordinatedRequest): void => {
    if (coordinated.request.kind !== "put" || !coordinated.reply.ok || coordinated.trueTimeWidthMs === undefined)
      return;
    holds.push(coordinated.repliedMs - coordinated.arrivedMs);
    widths.push(coordinated.trueTimeWidthMs);
  };
  const run = simulateWorkload({
    seed,
    mode: cell.mode,
    kind: cell.workload,
    nodes,
    ...clocksOf(cell.skew),
    faults,
    runMs,
    cluster: {
      trueTimeSource: trueTime.source,
      gpsErrorMs: trueTime.errorMs,
      maxOffsetMs,
      ...(cell.mode === "lww-truetime" ? { onCoordinated: observe } : {}),
    },
  });
  const { verdict } = run;
  const mean = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
  const result: CellSeedResult = {
    seed,
    replay: cellReplayCommand(cell, seed, resolved),
    ...verdictFields(verdict),
    commitWait:
      holds.length === 0
        ? null
        : {
            writes: holds.length,
            holdP50Ms: percentile(holds, 50) as number,
            holdMeanMs: mean(holds),
            twoEpsilonMeanMs: mean(widths),
          },
    finalReadR: run.finalReadR ?? null,
    faults: faults.map(describeFault),
    traceHash: run.traceHash,
  };
  return { result, run };
}
