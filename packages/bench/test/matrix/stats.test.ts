import { describeValue } from "@skew/env";
import { describe, expect, it } from "vitest";
import { percentile, summarize, tQuantile975 } from "../../src/matrix/index.js";

describe("summaries across seeds", () => {
  it("mean and a Student t interval: [1, 2, 3] gives 2 ± t(0.975, 2) · 1 / √3", () => {
    const s = summarize([1, 2, 3]);
    expect(s).toMatchObject({ n: 3, mean: 2, min: 1, max: 3, sd: 1 });
    expect(s.ci95HalfWidth).toBeCloseTo(4.303 / Math.sqrt(3), 10);
    expect(s.ci95Low).toBeCloseTo(2 - 4.303 / Math.sqrt(3), 10);
    expect(s.ci95High).toBeCloseTo(2 + 4.303 / Math.sqrt(3), 10);
  });

  it("one value has no interval; equal values have a zero-width one", () => {
    expect(summarize([5])).toMatchObject({ n: 1, mean: 5, sd: null, ci95HalfWidth: null, ci95Low: null });
    expect(summarize([4, 4, 4])).toMatchObject({ sd: 0, ci95HalfWidth: 0, ci95Low: 4, ci95High: 4 });
    expect(() => summarize([])).toThrow(RangeError);
  });

  it("t quantiles: tabled to 30 degrees of freedom, then the expansion, falling toward the normal's 1.96", () => {
    expect(tQuantile975(1)).toBe(12.706);
    expect(tQuantile975(30)).toBe(2.042);
    // Published values: t(0.975, 40) = 2.021, t(0.975, 60) = 2.000, t(0.975, 120) = 1.980.
    expect(tQuantile975(40)).toBeCloseTo(2.021, 2);
    expect(tQuantile975(60)).toBeCloseTo(2.0, 2);
    expect(tQuantile975(120)).toBeCloseTo(1.98, 2);
    expect(tQuantile975(31)).toBeLessThan(tQuantile975(30));
    expect(tQuantile975(100_000)).toBeCloseTo(1.96, 3);
    expect(() => tQuantile975(0)).toThrow(RangeError);
  });

  it("nearest-rank percentiles", () => {
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNull();
    expect(() => percentile([1], 0)).toThrow(RangeError);
    for (const bad of [{ toString: 0 }, Object.create(null), Symbol()] as never[]) {
      expect(() => percentile([1], bad)).toThrow(
        new TypeError(`percentile: p must be a number, got ${describeValue(bad)}`),
      );
    }
  });
});
