/**
 * @skew/jepsen/live: the second driver. The workloads, histories and
 * checkers of @skew/jepsen against real node processes over their HTTP API
 * (`HttpDriver`), a run assembled as the simulator's is (`runLiveWorkload`:
 * workload, nemesis schedule on real timers, heal, drain, final read,
 * verdict), the nodes' clocks set through their admin endpoint
 * (`adjustClock`), and a wait for a whole cluster (`awaitHealthy`). It takes
 * base URLs: starting and signalling processes is the caller's job.
 */
export { adjustClock, adminTimeoutMsDefault, type ClockChange, type ClockView } from "./admin.js";
export { LiveError, type LiveErrorCode, liveErrorCodes } from "./errors.js";
export { finalReadAcross, type LiveFinalReadOptions, liveFinalRead } from "./final-read.js";
export { awaitHealthy, healthyTimeoutMsDefault } from "./health.js";
export { type Anomaly, HttpClient, HttpDriver, type HttpDriverOptions } from "./http-driver.js";
export {
  type LiveNemesis,
  type LiveRun,
  type LiveRunOptions,
  type PlayedFault,
  runLiveWorkload,
  settleMsDefault,
} from "./run.js";
export { isStoreFailureCode, noReply, type Translated, translateFailure } from "./translate.js";
