/**
 * @skew/jepsen/live: the second driver. The workloads, histories and
 * checkers of @skew/jepsen against real node processes over their HTTP API
 * (`HttpDriver`), a run assembled as the simulator's is (`runLiveWorkload`:
 * workload, nemesis schedule on real timers, heal, drain, final read,
 * verdict), the nodes' clocks set through their admin endpoint
 * (`adjustClock`), a wait for a whole cluster (`awaitHealthy`), and, after
 * the faults heal, a wait for the replicas' Merkle roots to agree
 * (`awaitConvergence`) and a read through each node alone (`readEachNode`).
 * It takes base URLs: starting and signalling processes is the caller's job.
 */
export { adjustClock, adminTimeoutMsDefault, type ClockChange, type ClockView } from "./admin.js";
export {
  type AwaitConvergenceOptions,
  type AwaitedConvergence,
  awaitConvergence,
  convergencePollMsDefault,
  type LiveNodeRead,
  type MerkleLook,
  merkleRequestTimeoutMsDefault,
  merkleSnapshot,
  type NodeUrls,
  type ReadEachNodeOptions,
  readEachNode,
} from "./convergence.js";
export { type DrainOptions, drainMarginMs, drainOperations, drainPollMs } from "./drain.js";
export { LiveError, type LiveErrorCode, liveErrorCodes } from "./errors.js";
export { finalReadAcross, type LiveFinalReadOptions, liveFinalRead } from "./final-read.js";
export { awaitHealthy, healthyTimeoutMsDefault } from "./health.js";
export { type Anomaly, HttpClient, HttpDriver, type HttpDriverOptions } from "./http-driver.js";
export {
  type FaultPlayer,
  type FaultPlayerOptions,
  type LiveNemesis,
  type PlayedFault,
  playFaults,
  type TimedFault,
} from "./nemesis.js";
export { type LiveRun, type LiveRunOptions, runLiveWorkload, settleMsDefault } from "./run.js";
export { isStoreFailureCode, noReply, type Translated, translateFailure } from "./translate.js";
