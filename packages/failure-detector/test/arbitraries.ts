/**
 * fast-check generators shared by the tests: detector options across their
 * whole valid range, and heartbeat histories. Times are whole microseconds
 * (as a monotonic clock reports them), so that two generated times differ by
 * far more than the rounding of the arithmetic on them.
 */
import type { PhiAccrualOptions } from "@skew/failure-detector";
import fc from "fast-check";

/** Milliseconds with microsecond resolution, in [minMs, maxMs]. */
export function msArbitrary(minMs: number, maxMs: number): fc.Arbitrary<number> {
  return fc.integer({ min: Math.round(minMs * 1000), max: Math.round(maxMs * 1000) }).map((us) => us / 1000);
}

export const optionsArbitrary: fc.Arbitrary<Required<PhiAccrualOptions>> = fc.record({
  thresholdPhi: fc.oneof(fc.constantFrom(1, 3, 8, 12), fc.double({ min: 0.31, max: 30, noNaN: true })),
  windowSamplesMax: fc.oneof(fc.constantFrom(2, 3, 1000), fc.integer({ min: 2, max: 64 })),
  minStdDeviationMs: fc.oneof(fc.constant(100), msArbitrary(0.001, 500)),
  acceptablePauseMs: fc.oneof(fc.constantFrom(0, 3000), msArbitrary(0, 10_000)),
  firstHeartbeatEstimateMs: fc.oneof(fc.constant(1000), msArbitrary(0.001, 5000)),
});

/** Inter-arrival times: around a period with some jitter, or anything at all. */
export const intervalsArbitrary: fc.Arbitrary<number[]> = fc.oneof(
  fc
    .tuple(
      msArbitrary(1, 2000),
      msArbitrary(0, 200),
      fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { maxLength: 60 }),
    )
    .map(([periodMs, jitterMs, draws]) =>
      draws.map((d) => Math.max(0, Math.round((periodMs + d * jitterMs) * 1000) / 1000)),
    ),
  fc.array(msArbitrary(0, 20_000), { maxLength: 60 }),
);

/** Heartbeat arrival times from intervals, starting at `startMs`. */
export function arrivals(intervals: readonly number[], startMs = 0): number[] {
  const times = [startMs];
  let at = startMs;
  for (const interval of intervals) {
    at += interval;
    times.push(at);
  }
  return times;
}
