/** The lost-update matrix on the simulator: its cells, runs, statistics, table and reference figures. */
export {
  type Cell,
  cellId,
  cellsOf,
  checkCell,
  clocksOf,
  driftPpmMax,
  parseCellId,
  type Skew,
  skewId,
  skewLabel,
  skewMsMax,
  skewsDefault,
} from "./cells.js";
export { MatrixError, type MatrixErrorCode, matrixErrorCodes } from "./errors.js";
export { formatMatrix, formatSummary } from "./format.js";
export {
  type CellResult,
  type CellSummary,
  confidenceMethod,
  fullPreset,
  type MatrixOptions,
  type MatrixProgress,
  type MatrixResults,
  quickPreset,
  runMatrix,
  seedList,
  summarizeRuns,
} from "./matrix.js";
export { jepsenRiakSource, type ReferenceFigure, type ReferenceSource, referenceFigures } from "./reference.js";
export {
  type CellRunOptions,
  type CellSeedResult,
  type CommitWait,
  cellReplayCommand,
  maxOffsetMsDefault,
  type ResolvedCellRunOptions,
  resolveCellRunOptions,
  runCellSeed,
  runMsDefault,
  simulateCell,
  type TrueTimeSetup,
  trueTimeDefault,
} from "./run-cell.js";
export { percentile, type Summary, summarize, tQuantile975 } from "./stats.js";
