/**
 * @skew/failure-detector: the φ accrual failure detector (Hayashibara et al.
 * 2004, as Akka runs it), a fixed-timeout detector to compare it with, and a
 * registry of detectors, one per peer.
 *
 * A core of Skew: it never reads a clock. Heartbeat arrivals and questions
 * come with `nowMs`, a reading of the monitor's monotonic clock, so the same
 * code runs in a replica, under a test's hand and in the simulator.
 */
export {
  acceptablePauseMsDefault,
  firstHeartbeatEstimateMsDefault,
  minStdDeviationMsDefault,
  peersLimit,
  peersMaxDefault,
  thresholdPhiDefault,
  thresholdPhiMin,
  windowSamplesLimit,
  windowSamplesMaxDefault,
  windowSamplesMin,
} from "./constants.js";
export type { FailureDetector } from "./detector.js";
export { FailureDetectorError, type FailureDetectorErrorCode } from "./errors.js";
export { FixedTimeoutDetector, type FixedTimeoutOptions } from "./fixed-timeout.js";
export { phiOfSilence, silenceAtPhi } from "./phi.js";
export { type IntervalStats, PhiAccrualDetector, type PhiAccrualOptions } from "./phi-accrual.js";
export { FailureDetectorRegistry, type RegistryOptions } from "./registry.js";
