/**
 * @skew/harness: how Skew measures speed (../../../shared/BENCHMARKING.md).
 *
 * A benchmark is a list of cases grouped by operation. In each group one case
 * is the baseline: the floor (what the operation cannot beat, such as
 * `Date.now()` for a clock read) or the peer to beat (an npm package doing the
 * same job). Every case runs in the same process and the same run, and is
 * reported as ns/op and as a ratio to its group's baseline; ratios measured in
 * one run are what goals are set on, because absolute figures swing between
 * runs on a shared 2-core machine.
 *
 * Measurement is mitata's `measure`, with two precautions learnt here: each
 * case is warmed before it is measured (a cold first call makes mitata give up
 * batching and add a ~45 ns timer read to every sample), and each measurement
 * is checked to have been batched, unless the operation takes over 10 µs a
 * call (mitata batches only calls under 65 µs; past 10 µs a timer read per
 * call is under 0.5% of the figure).
 */

export { parseBenchArgs } from "./args.js";
// CPU time of other processes (/proc), for CPU per request.
export { processesCpuMs } from "./cpu.js";
// The HTTP load generator (src/load): closed and open loop, its own process, any request shape.
export * from "./load/index.js";
export { runBenchmarks } from "./run.js";
export { formatTable } from "./table.js";
export type { BenchCase, BenchGoal, BenchOptions, BenchRecord } from "./types.js";
