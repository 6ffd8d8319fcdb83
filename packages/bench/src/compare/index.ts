/** `skew compare`: every part of the comparison, its tables, its JSON and its report. */

export {
  type ClockRecord,
  type ClockResults,
  clockPackages,
  estimateClocksMs,
  formatClocks,
  runClockBenchmarks,
} from "./clocks.js";
export { type CompareOptions, compareCommand, compareUsage } from "./command.js";
