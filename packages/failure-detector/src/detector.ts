/**
 * What every failure detector here answers, whatever its rule, so that a
 * registry, a store and a comparison can swap one for another (Akka's
 * `FailureDetector` trait plays the same part for its phi and deadline
 * detectors).
 *
 * Time is an argument, not a clock the detector reads: `nowMs` is a reading of
 * the monitoring node's monotonic clock (`MonotonicClock.now()` from
 * `@skew/env`), taken when the heartbeat arrived or when the question is
 * asked. A replica is a synchronous state machine that is handed `now` with
 * every input, so it calls these methods with the `now` it was given; and the
 * same calls replay exactly in a simulation. Readings must never go back: a
 * time earlier than the last heartbeat is a `RangeError`.
 */
export interface FailureDetector {
  /** Records a heartbeat (or any message that proves the peer alive) that arrived at `nowMs`. */
  heartbeat(nowMs: number): void;
  /**
   * The suspicion level at `nowMs`: 0 before the first heartbeat, non-decreasing
   * while no heartbeat arrives, +Infinity for a detector that has only two levels.
   */
  phi(nowMs: number): number;
  /** False once the peer is suspected; true before the first heartbeat (nothing to judge by yet). */
  isAvailable(nowMs: number): boolean;
  /**
   * When the peer will be suspected if no heartbeat arrives first, on the
   * same clock as `nowMs`; undefined before the first heartbeat. A driver sets
   * its next timer here instead of polling.
   */
  suspicionAtMs(): number | undefined;
  /** True once a heartbeat has been recorded. */
  readonly isMonitoring: boolean;
  /** When the last heartbeat arrived; undefined before the first. */
  readonly lastHeartbeatMs: number | undefined;
}
