/**
 * The lost-update matrix on the simulator (issue 7): every cell run over
 * the same seeds, each run's numbers kept (with its seed and its replay
 * command), and per cell the mean and a 95% confidence interval across
 * seeds (stats.ts). The results are plain JSON, so that a later run can be
 * compared with an earlier one and a report can be rendered from them.
 *
 * Runs are independent and deterministic, so a cell's numbers do not depend
 * on which other cells ran, or in which order.
 */
import { type Cell, cellId, cellsOf, checkCell, parseCellId, type Skew, skewLabel } from "./cells.js";
import { MatrixError } from "./errors.js";
import { jepsenRiakSource, type ReferenceFigure, type ReferenceSource, referenceFigures } from "./reference.js";
import {
  type CellRunOptions,
  type CellSeedResult,
  checkSeed,
  type ResolvedCellRunOptions,
  resolveCellRunOptions,
  runCellSeed,
} from "./run-cell.js";
import { type Summary, summarize } from "./stats.js";

export interface MatrixProgress {
  /** Runs finished, of all the runs (cells x seeds). */
  readonly done: number;
  readonly total: number;
  readonly cell: string;
  readonly seed: number;
  /** The run just finished. */
  readonly result: CellSeedResult;
}

export interface MatrixOptions extends CellRunOptions {
  /** The cells, or their ids (default: every cell, `cellsOf()`). */
  readonly cells?: readonly (Cell | string)[];
  /** How many seeds (1, 2, ... n), or the seeds themselves. */
  readonly seeds: number | readonly number[];
  /** Called after each run, in order (for a progress bar). */
  readonly onProgress?: (progress: MatrixProgress) => void;
}

/** A cell's numbers across seeds. */
export interface CellSummary {
  readonly acknowledged: Summary;
  readonly lost: Summary;
  readonly lostPercent: Summary;
  /** Null for the set and counter workloads, which have no order to keep. */
  readonly wrongOrder: Summary | null;
  readonly siblingsSurfaced: Summary;
  readonly unacknowledgedAppeared: Summary;
  /** Null when no seed acknowledged any write. */
  readonly writeLatencyP50Ms: Summary | null;
  readonly writeLatencyP99Ms: Summary | null;
  /** lww-truetime only: the coordinators' hold (p50 per seed) against the interval's width, 2 x epsilon. */
  readonly commitWaitP50Ms: Summary | null;
  readonly twoEpsilonMs: Summary | null;
  /** Totals over the seeds. */
  readonly totalAcknowledged: number;
  readonly totalLost: number;
  /** Seeds whose final read failed: their loss is unknown, and counted as 0. */
  readonly seedsWithoutFinalRead: number;
}

export interface CellResult {
  readonly id: string;
  readonly mode: Cell["mode"];
  readonly skew: Skew;
  readonly skewLabel: string;
  readonly workload: Cell["workload"];
  readonly fault: Cell["fault"];
  readonly seeds: readonly number[];
  readonly runs: readonly CellSeedResult[];
  readonly summary: CellSummary;
}

export interface MatrixResults {
  /** The results format; bumped when a field changes meaning. */
  readonly format: 1;
  readonly options: ResolvedCellRunOptions & { readonly seeds: readonly number[] };
  /** How the intervals were computed. */
  readonly confidence: string;
  readonly cells: readonly CellResult[];
  readonly reference: { readonly source: ReferenceSource; readonly figures: readonly ReferenceFigure[] };
}

/**
 * The quick preset: every mode and workload, with no skew and with 100 ms, healthy and partitioned, 3 seeds
 * (80 cells, 240 runs): about 10 s on this 2-core machine.
 */
export const quickPreset = {
  cells: cellsOf({
    skews: [
      { kind: "offset", ms: 0 },
      { kind: "offset", ms: 100 },
    ],
    faults: ["none", "partition"],
  }),
  seeds: 3,
} as const satisfies Pick<MatrixOptions, "cells" | "seeds">;

/** The full matrix: 480 cells, 10 seeds (4,800 runs; about 2 minutes on 2 cores at 1 s of workload a run). */
export const fullPreset = { cells: cellsOf(), seeds: 10 } as const satisfies Pick<MatrixOptions, "cells" | "seeds">;

export const confidenceMethod =
  "95% two-sided Student t interval across seeds: mean ± t(0.975, n−1)·s/√n (none for one seed)";

export function runMatrix(options: MatrixOptions): MatrixResults {
  const cells = (options.cells ?? cellsOf()).map((cell) => (typeof cell === "string" ? parseCellId(cell) : cell));
  for (const cell of cells) checkCell(cell);
  if (cells.length === 0) throw new MatrixError("MATRIX_OPTION_INVALID", "no cells to run");
  const seeds = seedList(options.seeds);
  const resolved = resolveCellRunOptions(options);
  const total = cells.length * seeds.length;
  let done = 0;
  const results = cells.map((cell): CellResult => {
    const id = cellId(cell);
    const runs = seeds.map((seed) => {
      const result = runCellSeed(cell, seed, resolved);
      options.onProgress?.({ done: ++done, total, cell: id, seed, result });
      return result;
    });
    return { id, ...cell, skewLabel: skewLabel(cell.skew), seeds, runs, summary: summarizeRuns(runs) };
  });
  return {
    format: 1,
    options: { ...resolved, seeds },
    confidence: confidenceMethod,
    cells: results,
    reference: { source: jepsenRiakSource, figures: referenceFigures },
  };
}

/** The seeds of a run: a count in [1, 10000] (seeds 1..n), or distinct 32-bit integers. */
export function seedList(seeds: number | readonly number[]): number[] {
  if (typeof seeds === "number") {
    if (!(Number.isSafeInteger(seeds) && seeds >= 1 && seeds <= 10_000)) {
      throw new MatrixError(
        "MATRIX_SEED_INVALID",
        `seeds must be a count in [1, 10000] or a list of seeds, got ${seeds}`,
      );
    }
    return Array.from({ length: seeds }, (_, i) => i + 1);
  }
  if (!Array.isArray(seeds) || seeds.length === 0) {
    throw new MatrixError("MATRIX_SEED_INVALID", "seeds must be a count or a non-empty list of seeds");
  }
  for (const seed of seeds) checkSeed(seed);
  if (new Set(seeds).size !== seeds.length) throw new MatrixError("MATRIX_SEED_INVALID", "a seed is listed twice");
  return [...seeds];
}

/** A cell's numbers across its seeds' runs (the live matrix summarizes its runs with this too). */
export function summarizeRuns(runs: readonly CellSeedResult[]): CellSummary {
  const of = (values: readonly (number | null)[]): Summary | null => {
    const present = values.filter((v): v is number => v !== null);
    return present.length === 0 ? null : summarize(present);
  };
  return {
    acknowledged: summarize(runs.map((r) => r.acknowledged)),
    lost: summarize(runs.map((r) => r.lost)),
    lostPercent: summarize(runs.map((r) => r.lostPercent)),
    wrongOrder: of(runs.map((r) => r.wrongOrder)),
    siblingsSurfaced: summarize(runs.map((r) => r.siblingsSurfaced)),
    unacknowledgedAppeared: summarize(runs.map((r) => r.unacknowledgedAppeared)),
    writeLatencyP50Ms: of(runs.map((r) => r.writeLatencyP50Ms)),
    writeLatencyP99Ms: of(runs.map((r) => r.writeLatencyP99Ms)),
    commitWaitP50Ms: of(runs.map((r) => r.commitWait?.holdP50Ms ?? null)),
    twoEpsilonMs: of(runs.map((r) => r.commitWait?.twoEpsilonMeanMs ?? null)),
    totalAcknowledged: runs.reduce((sum, r) => sum + r.acknowledged, 0),
    totalLost: runs.reduce((sum, r) => sum + r.lost, 0),
    seedsWithoutFinalRead: runs.filter((r) => !r.finalRead).length,
  };
}
