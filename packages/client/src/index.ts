/**
 * @skew/client: a typed client for Skew replica nodes' HTTP API. Reads
 * return every sibling and the causal context; `update` carries that
 * context to the write that follows; calls go round the nodes and are
 * retried on another node only where a failure cannot have written
 * anything (reads: any failure another node may not repeat).
 */
export { SkewClient } from "./client.js";
export {
  answerMarginMs,
  connectTimeoutMsDefault,
  retriesDefault,
  retriesMax,
  retryBackoffMsBase,
  retryBackoffMsMax,
  timeoutMsDefault,
  timeoutMsMax,
} from "./constants.js";
export {
  type ClientErrorCode,
  clientErrorCodes,
  type FailureDetails,
  isSkewClientError,
  type ServerErrorCode,
  SkewClientError,
  type SkewClientErrorCode,
  serverErrorCodes,
} from "./errors.js";
export { bytesContentType, contextHeader, fenceHeader, textContentType } from "./request.js";
export type {
  ApiError,
  CallOptions,
  CausalRecordView,
  CausalSiblingView,
  ClockChange,
  ClusterClock,
  ClusterMember,
  ClusterNodesView,
  ClusterNodeView,
  ClusterRepairs,
  ClusterView,
  DeleteOptions,
  DeleteResult,
  DemoWrite,
  GetOptions,
  GetResult,
  HealthResult,
  HistoryOptions,
  HistoryReplica,
  HistoryResult,
  HistoryVersion,
  KeyDebugView,
  KeyReplicasView,
  KeyReplicaView,
  LostUpdateRequest,
  LostUpdateRun,
  LwwRecordView,
  MemberErrorCode,
  NodeCallOptions,
  PutOptions,
  PutResult,
  QuorumOptions,
  ReadQuorumOptions,
  RecordView,
  Resolved,
  Resolver,
  Sibling,
  SkewClientOptions,
  SnapshotEntry,
  SnapshotOptions,
  SnapshotResult,
  UpdateOptions,
  WriteOptions,
  WriteQuorumOptions,
} from "./types.js";
