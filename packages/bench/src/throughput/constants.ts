/**
 * The comparison's fixed settings, with their reasons. The defaults follow
 * the node benchmark (packages/node/bench), so the Skew rows here read like
 * its rows, and the figures for etcd were taken at the same levels.
 */

/** Concurrent connections per row, the levels: a light load and one that saturates 2 cores. */
export const connectionLevelsDefault: readonly number[] = Object.freeze([10, 50]);
/** Highest connection level accepted: the load generator's pools and the clusters share 2 cores. */
export const connectionsMax = 1_000;
/** Every put's value, in both systems (the node benchmark's size). */
export const valueBytesDefault = 100;
/** Largest value accepted: etcd refuses requests over 1.5 MiB by default (`--max-request-bytes`). */
export const valueBytesMax = 1_000_000;

/** Measured time per row. */
export const rowDurationMsFull = 5_000;
export const rowDurationMsQuick = 1_000;
/** Load sent before each row's measurement, not counted (new keys, warm connections). */
export const rowWarmupMsFull = 1_000;
export const rowWarmupMsQuick = 300;
/**
 * Load each cluster takes before any row is measured. Skew's node processes
 * start cold: measured by the node benchmark, puts at 50 connections climbed
 * from about 620/s in their first 3 s to 1,890/s after 15 s as V8 compiled
 * the hot paths. etcd is compiled Go and needs less, but gets the same, so
 * neither side is measured in a state the other is spared.
 */
export const clusterWarmupMsFull = 15_000;
export const clusterWarmupMsQuick = 2_000;

/** The goal: Skew's puts per second over etcd's, at each level (with a lower p99 too). */
export const throughputGoalRatio = 1.5;

/** Members of the etcd cluster and nodes of the Skew cluster: the 3 replicas each. */
export const replicas = 3;
/** How long etcd's members may take to all report a leader (`/health`) after they were spawned. */
export const etcdStartTimeoutMs = 30_000;
/** How long an etcd member may take to exit after SIGTERM before it is killed. */
export const etcdStopGraceMs = 5_000;
/** Time between two health probes while etcd starts. */
export const etcdProbeIntervalMs = 100;
/** A health probe that has not answered by then counts as not ready. */
export const etcdProbeTimeoutMs = 1_000;
/** How much of a failed member's log an error quotes. */
export const logTailBytes = 2_000;
