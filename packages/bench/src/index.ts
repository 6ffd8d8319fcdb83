/**
 * @skew/bench: which clock and which conflict mode a system needs, from
 * measurements side by side: the chapter's scenarios, runnable and narrated
 * on the simulator (`skew scenario list|run`); the lost-update matrix of
 * conflict modes, clock skews, workloads and faults; and the HTML report
 * that puts them side by side (`skew compare`).
 */

// `skew compare` (src/compare).
export * from "./compare/index.js";
// The lost-update matrix on a live cluster of real node processes (src/live).
export * from "./live/index.js";
// The lost-update matrix on the simulator (src/matrix).
export * from "./matrix/index.js";
// The comparison report (src/report).
export * from "./report/index.js";
// The chapter's scenarios (src/scenarios).
export * from "./scenarios/index.js";
// Skew against etcd: puts/s and p50/p99 on this machine (src/throughput).
export * from "./throughput/index.js";
