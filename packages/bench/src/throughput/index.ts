/** Skew against etcd: puts/s and p50/p99 of both clusters on this machine, in one run (src/throughput). */
export {
  type ParsedThroughputArgs,
  parseThroughputArgs,
  throughputCommand,
  throughputUsage,
} from "./command.js";
export * as throughputConstants from "./constants.js";
export { ThroughputError, type ThroughputErrorCode, throughputErrorCodes } from "./errors.js";
export {
  type EnsureEtcdOptions,
  type EtcdAvailability,
  EtcdCluster,
  type EtcdClusterOptions,
  type EtcdMember,
  type EtcdPlanOptions,
  ensureEtcd,
  etcdPackage,
  type Launch,
  type LaunchedProcess,
  launchProcess,
  type Probe,
  planEtcdCluster,
  probeEtcdHealth,
  type SystemDeps,
} from "./etcd.js";
export { formatThroughput, formatThroughputJson, type ThroughputRecord, throughputRecords } from "./format.js";
export {
  compareAtLevel,
  type EtcdStatus,
  estimateThroughputMs,
  type Machine,
  resolveThroughputSettings,
  runThroughputComparison,
  successfulRps,
  type ThroughputComparison,
  type ThroughputMeasurement,
  type ThroughputOptions,
  type ThroughputProgress,
  type ThroughputResults,
  type ThroughputSettings,
  throughputGoalText,
} from "./run.js";
export { type SystemName, type SystemUnderTest, startEtcd, startSkew } from "./systems.js";
export { type Tradeoffs, tradeoffs } from "./tradeoffs.js";
