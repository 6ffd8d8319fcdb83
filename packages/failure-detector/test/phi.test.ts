/**
 * The formula alone: φ from a silence and a distribution, and its inverse.
 * Akka's two-branch form of the same logistic approximation is the oracle
 * where it does not underflow.
 */
import { phiOfSilence, silenceAtPhi } from "@skew/failure-detector";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

/** Akka's PhiAccrualFailureDetector.phi, transcribed as the oracle. */
function akkaPhi(silenceMs: number, meanMs: number, stdDeviationMs: number): number {
  const y = (silenceMs - meanMs) / stdDeviationMs;
  const e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
  return silenceMs > meanMs ? -Math.log10(e / (1 + e)) : -Math.log10(1 - 1 / (1 + e));
}

/** The exact normal tail, by the complementary error function's continued fraction (for y >= 3). */
function normalTailPhi(y: number): number {
  let fraction = 0;
  for (let k = 200; k >= 1; k--) fraction = k / (y + fraction);
  const tail = Math.exp((-y * y) / 2) / Math.sqrt(2 * Math.PI) / (y + fraction);
  return -Math.log10(tail);
}

describe("phiOfSilence", () => {
  it("is log10(2) at the mean, -log10 of the upper tail elsewhere", () => {
    expect(phiOfSilence(1000, 1000, 100)).toBe(Math.log10(2));
    // One standard deviation: the normal's tail is 0.1587; the approximation gives 0.1587 too.
    expect(10 ** -phiOfSilence(1100, 1000, 100)).toBeCloseTo(0.1587, 4);
    // Threshold 8 is reached 5.23 standard deviations out (the true normal: 5.61; the tails differ that far out).
    expect(phiOfSilence(1000 + 5.226 * 100, 1000, 100)).toBeCloseTo(8, 2);
    expect(normalTailPhi(5.612)).toBeCloseTo(8, 2);
  });

  it("agrees with Akka's formula wherever that one does not underflow", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e4, max: 1e4, noNaN: true }),
        fc.double({ min: 0, max: 1e4, noNaN: true }),
        fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
        (silenceMs, meanMs, stdDeviationMs) => {
          const expected = akkaPhi(silenceMs, meanMs, stdDeviationMs);
          fc.pre(Number.isFinite(expected) && expected > 1e-300 && expected < 300);
          const phi = phiOfSilence(silenceMs, meanMs, stdDeviationMs);
          expect(Math.abs(phi - expected)).toBeLessThanOrEqual(1e-12 * Math.max(1, expected));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("stays finite and ordered where Akka's overflows to infinity", () => {
    // 30 standard deviations out, e^-z underflows and Akka's form returns Infinity.
    expect(akkaPhi(4000, 1000, 100)).toBe(Number.POSITIVE_INFINITY);
    const phi30 = phiOfSilence(4000, 1000, 100);
    const phi31 = phiOfSilence(4100, 1000, 100);
    expect(Number.isFinite(phi30) && Number.isFinite(phi31) && phi30 < phi31).toBe(true);
  });

  it("never decreases as the silence grows, down to adjacent doubles", () => {
    const next = (x: number): number => {
      const view = new DataView(new ArrayBuffer(8));
      view.setFloat64(0, x);
      view.setBigInt64(0, view.getBigInt64(0) + (x >= 0 ? 1n : -1n));
      return view.getFloat64(0);
    };
    fc.assert(
      fc.property(fc.double({ min: -50, max: 50, noNaN: true }), (y) => {
        expect(phiOfSilence(next(y), 0, 1)).toBeGreaterThanOrEqual(phiOfSilence(y, 0, 1));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe("silenceAtPhi", () => {
  // The mean is kept within 1000 standard deviations: beyond, the rounding of
  // mean + y·σ alone moves φ by more than the tolerance (the question is then ill-conditioned, not the answer wrong).
  it("inverts phiOfSilence", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.31, max: 300, noNaN: true }),
        fc.double({ min: 0, max: 1000, noNaN: true }),
        fc.double({ min: 1e-3, max: 1e4, noNaN: true }),
        (phi, meanInDeviations, stdDeviationMs) => {
          const meanMs = meanInDeviations * stdDeviationMs;
          const silenceMs = silenceAtPhi(phi, meanMs, stdDeviationMs);
          expect(silenceMs).toBeGreaterThan(meanMs);
          expect(Math.abs(phiOfSilence(silenceMs, meanMs, stdDeviationMs) - phi)).toBeLessThanOrEqual(1e-9 * phi);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
