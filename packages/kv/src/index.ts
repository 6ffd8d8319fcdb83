/**
 * @skew/kv: the logic of a Dynamo/Riak-style leaderless replicated key-value
 * store, as a deterministic state machine (no I/O, no clock of its own, no
 * timers): `KvNode` takes client requests, peer messages, durability
 * notices and ticks, and hands out storage batches, messages and replies.
 * Conflict resolution is chosen per bucket: last-write-wins on a wall clock,
 * a Lamport clock, an HLC or TrueTime, or causal siblings in dotted version
 * vector sets.
 */

export { crc32c } from "./checksum/index.js";
export * from "./constants.js";
export type { RequestId } from "./coordinator/reply-to.js";
export { type Failure, type FailureCode, KvError, type KvErrorCode, kvErrorCodes } from "./errors.js";
export {
  type CollectReport,
  compareDots,
  compareVersions,
  type Dot,
  HistoryTruncatedError,
  type InsertOutcome,
  type ObserveOutcome,
  SiblingHistory,
  type SiblingHistoryOptions,
  type SiblingReport,
  type SiblingVersion,
  type SiblingVersionView,
  type Version,
  VersionHistory,
  type VersionHistoryOptions,
  type VersionView,
} from "./history/index.js";
export { LocalCluster, type LocalClusterOptions } from "./local-cluster.js";
export * from "./messages.js";
export { type ConflictMode, conflictModes, isConflictMode, type LwwMode } from "./modes.js";
export type { NodeClocks } from "./node/clocks.js";
export type { HintView } from "./node/hints.js";
export { KvNode, type KvNodeOptions, type KvNodeStats } from "./node/kv-node.js";
export type { PeerView } from "./node/membership.js";
export { decodeCount, encodeCount, type StorageOp, type WriteBatch } from "./node/storage.js";
export {
  type CausalRecord,
  compareLwwRecords,
  compareStamps,
  decodeRecord,
  encodeRecord,
  isTombstone,
  type KvRecord,
  type LwwRecord,
  type LwwStamp,
  liveValues,
  mergeRecords,
  recordsEqual,
  type Sibling,
  type Value,
} from "./record/index.js";
export type {
  ClientReply,
  ClientRequest,
  DeleteRequest,
  GetReply,
  GetRequest,
  HistoryReply,
  HistoryRequest,
  PutRequest,
  QuorumOptions,
  ReplicaHistory,
  SnapshotReply,
  SnapshotRequest,
  WriteReply,
} from "./requests.js";
export { HashRing, hashKey } from "./ring/index.js";
