/**
 * Two kinds of clock, kept apart as TigerBeetle's `Time` and Effect's `Clock`
 * keep them apart (../../../shared/CHAPTER.txt, "Monotonic Versus Time-of-Day Clocks").
 *
 * A `WallClock` answers "what time is it": milliseconds since the Unix epoch,
 * synchronized by something like NTP, and therefore able to jump backward or
 * forward. Use it to label events for people or to compare with other
 * machines, never to measure a duration.
 *
 * A `MonotonicClock` answers "how much time has passed": milliseconds since an
 * arbitrary origin (fractions allowed), never backward, meaningless across
 * machines. Use it for timeouts and for the error bound of an interval clock.
 *
 * The `kind` field makes the two types incompatible, so one cannot be passed
 * where the other is expected.
 */
export interface WallClock {
  readonly kind: "wall";
  /** Milliseconds since the Unix epoch, as this clock believes. May go backward between calls. */
  now(): number;
}

export interface MonotonicClock {
  readonly kind: "monotonic";
  /** Milliseconds since an arbitrary origin. Never smaller than an earlier reading. */
  now(): number;
}
