/**
 * @skew/truetime: a TrueTime-style interval clock with commit wait.
 *
 * `now()` returns [earliest, latest], an interval that holds true time while
 * the local clock drifts within its bound; `sync()` takes the interval that a
 * strict majority of time sources agree on (Marzullo's intersection), and
 * `commitWait(t)` resolves once t has certainly passed, which is what gives
 * Spanner its external consistency. Time and timers come in through
 * `@skew/env`, so the same code runs on a real machine and in a simulation.
 */
export { type Agreement, type Disagreement, findAgreement } from "./agreement.js";
export {
  defaultMaxDriftPpm,
  defaultStalenessLimitMs,
  maxDriftLimitPpm,
  maxSourcesPerSync,
} from "./constants.js";
export { TrueTimeError, type TrueTimeErrorCode } from "./errors.js";
export type { TrueTimeInterval } from "./interval.js";
export { type RoundTrip, roundTripSample, type TimeSample } from "./sample.js";
export {
  type CommitWaitOptions,
  type CommitWaitReport,
  type NoMajority,
  type SyncOptions,
  type SyncReport,
  TrueTimeClock,
  type TrueTimeClockOptions,
  type TrueTimeStatus,
  type Unsynchronized,
} from "./truetime-clock.js";
