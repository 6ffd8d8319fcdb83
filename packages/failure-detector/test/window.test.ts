/**
 * The sliding window against a model: after any sequence of additions its
 * mean and variance are those of its last `capacity` samples computed from
 * scratch (two passes), so the running sums never drift far, even across
 * magnitudes that would ruin a plain sum of squares.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IntervalWindow } from "../src/window.js";

function exactStats(samples: readonly number[]): { mean: number; variance: number } {
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  const variance = samples.reduce((a, b) => a + (b - mean) ** 2, 0) / samples.length;
  return { mean, variance };
}

describe("IntervalWindow", () => {
  it("holds the last `capacity` samples, oldest first, with their mean and variance", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }),
        (capacity, samples) => {
          const window = new IntervalWindow(capacity);
          for (const sample of samples) window.add(sample);
          const kept = samples.slice(-capacity);
          expect(window.toArray()).toEqual(kept);
          expect(window.count).toBe(kept.length);
          const { mean, variance } = exactStats(kept);
          // The documented bound: the rounding of the last 2 x capacity updates, at their magnitude.
          const scale = Math.max(...samples.slice(-2 * capacity).map(Math.abs), 1);
          expect(Math.abs(window.mean - mean)).toBeLessThanOrEqual(1e-12 * scale);
          expect(Math.abs(window.variance - variance)).toBeLessThanOrEqual(1e-9 * scale * scale);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("recovers its precision after huge samples leave: no catastrophic cancellation", () => {
    // A window of week-long intervals, then a million heartbeats at 1000 +- 1 ms.
    // A plain running sum of squares would keep an error of about 1e-16 x (6e8)^2 = 4e1 ms^2
    // after the huge samples are subtracted out: a standard deviation of 6 ms instead of 1.
    const window = new IntervalWindow(1000);
    for (let i = 0; i < 1000; i++) window.add(604_800_000 + i * 1_000_003.7);
    for (let i = 0; i < 1_000_000; i++) window.add(i % 2 === 0 ? 999 : 1001);
    expect(window.mean).toBe(1000);
    expect(window.variance).toBe(1);
  });

  it("keeps tiny deviations around a large mean", () => {
    // Intervals of one hour give or take a microsecond: mu^2 is 1e13 times sigma^2.
    const window = new IntervalWindow(64);
    for (let i = 0; i < 10_000; i++) window.add(3_600_000 + (i % 2 === 0 ? -0.001 : 0.001));
    expect(Math.sqrt(window.variance)).toBeCloseTo(0.001, 9);
  });
});
