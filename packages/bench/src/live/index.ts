/** The lost-update matrix on a live cluster of real node processes: its runs, presets, table and replay command. */
export { type ClockSetting, LiveCluster, type LiveClusterOptions } from "./cluster.js";
export { LiveMatrixError, type LiveMatrixErrorCode, liveMatrixErrorCodes } from "./errors.js";
export { formatLiveMatrix, formatSideBySide } from "./format.js";
export {
  estimateLiveMatrixMs,
  type LiveMatrixOptions,
  type LiveMatrixResults,
  liveClusterStartMs,
  liveFullPreset,
  liveQuickPreset,
  liveRunMsDefault,
  liveRunOverheadMs,
  liveSkipReason,
  liveTrueTimeErrorMsDefault,
  resolveLiveOptions,
  runLiveMatrix,
  type SkippedCell,
  summarizeLiveRuns,
} from "./matrix.js";
export { faultUnavailable, partitionUnavailable, processNemesis } from "./nemesis.js";
export { liveFaults, liveFaultWindow, liveReplayCommand, runLiveCell } from "./run-cell.js";
