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
  CausalRecordView,
  CausalSiblingView,
  ClockChange,
  ClusterClock,
  ClusterMember,
  ClusterNodesView,
  ClusterNodeView,
  ClusterRepairs,
  ClusterView,
  DeleteResult,
  DemoWrite,
  GetResult,
  HealthResult,
  HistoryReplica,
  HistoryResult,
  HistoryVersion,
  KeyDebugView,
  KeyPlacement,
  KeyReplicasView,
  KeyReplicaView,
  LostUpdateRequest,
  LostUpdateRun,
  LwwRecordView,
  MemberErrorCode,
  PutResult,
  RecordView,
  Sibling,
  SnapshotEntry,
  SnapshotResult,
} from "./shapes.js";
export type {
  CallOptions,
  DeleteOptions,
  GetOptions,
  HistoryOptions,
  NodeCallOptions,
  PutOptions,
  QuorumOptions,
  ReadQuorumOptions,
  Resolved,
  Resolver,
  SkewClientOptions,
  SnapshotOptions,
  UpdateOptions,
  WriteOptions,
  WriteQuorumOptions,
} from "./types.js";
