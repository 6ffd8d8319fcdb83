/**
 * The lost-update matrix on a live cluster (issue 7's live half): the same
 * cells as the simulated matrix, each run on three real node processes
 * started by the benchmark, their clocks skewed through the admin endpoint,
 * judged by the same checkers; the results in the simulated matrix's shape
 * (`MatrixResults`), so that `formatMatrix` prints them and the report puts
 * them beside the simulator's.
 *
 * One cluster serves the whole matrix (every conflict mode has its bucket,
 * and every run its own key); it is started again only if a node process
 * died, and it is torn down when the matrix ends, however it ends. Cells
 * whose fault cannot be played on one machine (a partition) are not run:
 * they are listed in `skipped`, with the reason.
 */

import { LiveError } from "@skew/jepsen/live";
import { type Cell, cellId, cellsOf, checkCell, parseCellId, skewLabel } from "../matrix/cells.js";
import { MatrixError } from "../matrix/errors.js";
import type { CellResult, CellSummary, MatrixProgress, MatrixResults } from "../matrix/matrix.js";
import { confidenceMethod, seedList, summarizeRuns } from "../matrix/matrix.js";
import { jepsenRiakSource, referenceFigures } from "../matrix/reference.js";
import {
  type CellSeedResult,
  maxOffsetMsDefault,
  type ResolvedCellRunOptions,
  resolveCellRunOptions,
  trueTimeDefault,
} from "../matrix/run-cell.js";
import { LiveCluster, type LiveClusterOptions } from "./cluster.js";
import { LiveMatrixError } from "./errors.js";
import { faultUnavailable } from "./nemesis.js";
import { runLiveCell } from "./run-cell.js";

export interface LiveMatrixOptions {
  /** The cells, or their ids (default: every cell; those with partitions are skipped). */
  readonly cells?: readonly (Cell | string)[];
  /** How many seeds (1, 2, ... n), or the seeds themselves. */
  readonly seeds: number | readonly number[];
  /** Real ms of workload per run (default `liveRunMsDefault`). */
  readonly runMs?: number;
  /** The HLC's max offset on every node (default 500 ms, as the simulated matrix). */
  readonly maxOffsetMs?: number;
  /** TrueTime's error bound against the machine's clock, epsilon (default 5 ms, as the simulated matrix). */
  readonly trueTimeErrorMs?: number;
  /** Called after each run, in order (for a progress bar). */
  readonly onProgress?: (progress: MatrixProgress) => void;
  /** How the node processes are started (default: @skew/node's CLI; from source through tsx). */
  readonly cluster?: Pick<LiveClusterOptions, "cli" | "nodeArgs" | "env">;
}

/** A cell the live matrix did not run, and why. */
export interface SkippedCell {
  readonly id: string;
  readonly reason: string;
}

/** The simulated matrix's results, plus the cells that could not run live. */
export interface LiveMatrixResults extends MatrixResults {
  readonly skipped: readonly SkippedCell[];
}

/**
 * Five seconds of workload a run: a real write takes about ten times a simulated one (HTTP, fsync,
 * three processes and the clients on two cores), so a run needs longer than the simulator's second to
 * see as many writes, and a few faults of 100 to 500 ms.
 */
export const liveRunMsDefault = 5_000;
/** The epsilon of the simulated matrix (its `trueTimeDefault`): the nodes are started with it. */
export const liveTrueTimeErrorMsDefault = trueTimeDefault.errorMs;
/**
 * What a run costs beyond its workload, ms, measured on this 2-core machine: clocks set, the drain, the
 * 500 ms settle, the final read, the cluster checked healthy (0.6 to 0.7 s; rounded up).
 */
export const liveRunOverheadMs = 1_000;
/** Starting three node processes until they are healthy: 3 s compiled, 6 to 19 s from source through tsx. */
export const liveClusterStartMs = 10_000;

/**
 * The quick preset: the chapter's lost update in a minute. Sequential writers on lww-wall, lww-hlc and
 * causal, with clocks together and 100 ms apart, no faults, one seed: 6 runs of 5 s, about 50 s with the
 * cluster's start.
 */
export const liveQuickPreset = {
  cells: cellsOf({
    modes: ["lww-wall", "lww-hlc", "causal"],
    skews: [
      { kind: "offset", ms: 0 },
      { kind: "offset", ms: 100 },
    ],
    workloads: ["sequential"],
    faults: ["none"],
  }),
  seeds: 1,
  runMs: liveRunMsDefault,
} as const satisfies Pick<LiveMatrixOptions, "cells" | "seeds" | "runMs">;

/**
 * The full preset: every cell of the simulated matrix, 3 seeds, 5 s a run. The 120 partition cells are
 * skipped; the 360 others make 1,080 runs: about 1 h 50 min (`estimateLiveMatrixMs`).
 */
export const liveFullPreset = { cells: cellsOf(), seeds: 3, runMs: liveRunMsDefault } as const satisfies Pick<
  LiveMatrixOptions,
  "cells" | "seeds" | "runMs"
>;

/** Why `cell` is not run live, or undefined when it is. */
export function liveSkipReason(cell: Cell): string | undefined {
  return faultUnavailable(cell.fault);
}

/** How long `runLiveMatrix` will take with these options, in ms, roughly (this 2-core machine). */
export function estimateLiveMatrixMs(options: Pick<LiveMatrixOptions, "cells" | "seeds" | "runMs">): number {
  const cells = resolveCells(options.cells).filter((cell) => liveSkipReason(cell) === undefined);
  if (cells.length === 0) return 0;
  const seeds = seedList(options.seeds).length;
  const runMs = options.runMs ?? liveRunMsDefault;
  // After each run, the fastest clock's lead passes before the next (run-cell.ts, catchUpMs).
  const catchUpMs = cells.reduce((sum, cell) => sum + (cell.skew.kind === "offset" ? cell.skew.ms / 2 : 0), 0);
  return liveClusterStartMs + cells.length * seeds * (runMs + liveRunOverheadMs) + catchUpMs * seeds;
}

export async function runLiveMatrix(options: LiveMatrixOptions): Promise<LiveMatrixResults> {
  const cells = resolveCells(options.cells);
  if (cells.length === 0) throw new MatrixError("MATRIX_OPTION_INVALID", "no cells to run");
  const seeds = seedList(options.seeds);
  const resolved = resolveLiveOptions(options);
  const runnable = cells.filter((cell) => liveSkipReason(cell) === undefined);
  const skipped = cells
    .filter((cell) => liveSkipReason(cell) !== undefined)
    .map((cell) => ({ id: cellId(cell), reason: liveSkipReason(cell) as string }));
  const total = runnable.length * seeds.length;
  const results: CellResult[] = [];
  let cluster: LiveCluster | undefined;
  let done = 0;
  try {
    for (const cell of runnable) {
      const id = cellId(cell);
      const runs: CellSeedResult[] = [];
      for (const seed of seeds) {
        const attempt = async (): Promise<CellSeedResult> => {
          if (cluster !== undefined && !cluster.alive) {
            await cluster.stop();
            cluster = undefined;
          }
          cluster ??= await LiveCluster.start({
            maxOffsetMs: resolved.maxOffsetMs,
            trueTimeErrorMs: resolved.trueTime.errorMs,
            ...options.cluster,
          });
          return (await runLiveCell(cluster, cell, seed, resolved)).result;
        };
        let result: CellSeedResult;
        try {
          result = await attempt();
        } catch (error) {
          // A cluster that fell ill (a process died, a node never healthy again) is the machine's doing: the
          // run is made once more, on a fresh cluster. Anything else, or a second failure, ends the matrix.
          const ill =
            (cluster !== undefined && !cluster.alive) ||
            (error instanceof LiveError && error.code === "LIVE_NOT_HEALTHY");
          if (!ill) throw runFailed(id, seed, error);
          await cluster?.stop();
          cluster = undefined;
          try {
            result = await attempt();
          } catch (again) {
            throw runFailed(id, seed, again);
          }
        }
        runs.push(result);
        options.onProgress?.({ done: ++done, total, cell: id, seed, result });
      }
      results.push({ id, ...cell, skewLabel: skewLabel(cell.skew), seeds, runs, summary: summarizeLiveRuns(runs) });
    }
  } finally {
    await cluster?.stop();
  }
  return {
    format: 1,
    options: { ...resolved, seeds },
    confidence: confidenceMethod,
    cells: results,
    reference: { source: jepsenRiakSource, figures: referenceFigures },
    skipped,
  };
}

/**
 * The live options as the simulated matrix records its own: TrueTime's source is always the machine's
 * clock, which the admin's skew does not reach, the live twin of the simulator's `"gps"` source.
 */
export function resolveLiveOptions(
  options: Pick<LiveMatrixOptions, "runMs" | "maxOffsetMs" | "trueTimeErrorMs">,
): ResolvedCellRunOptions {
  return resolveCellRunOptions({
    runMs: options.runMs ?? liveRunMsDefault,
    maxOffsetMs: options.maxOffsetMs ?? maxOffsetMsDefault,
    trueTime: { source: "gps", errorMs: options.trueTimeErrorMs ?? liveTrueTimeErrorMsDefault },
  });
}

function runFailed(id: string, seed: number, error: unknown): LiveMatrixError {
  const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new LiveMatrixError("LIVE_RUN_FAILED", `${id} seed ${seed}: ${why}`, { cause: error });
}

function resolveCells(cells: LiveMatrixOptions["cells"]): Cell[] {
  const resolved = (cells ?? cellsOf()).map((cell) => (typeof cell === "string" ? parseCellId(cell) : cell));
  for (const cell of resolved) checkCell(cell);
  return resolved;
}

/** A cell's numbers across seeds: the simulated matrix's own summary, so the two print alike. */
export const summarizeLiveRuns: (runs: readonly CellSeedResult[]) => CellSummary = summarizeRuns;
