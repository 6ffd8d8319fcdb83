/**
 * The laws of the φ accrual detector, on arbitrary options and heartbeat
 * histories: what makes φ a suspicion level and not just a timer.
 */
import { PhiAccrualDetector, type PhiAccrualOptions } from "@skew/failure-detector";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arrivals, intervalsArbitrary, msArbitrary, optionsArbitrary } from "./arbitraries.js";

function detectorAfter(options: PhiAccrualOptions, intervals: readonly number[], startMs = 0): PhiAccrualDetector {
  const detector = new PhiAccrualDetector(options);
  for (const at of arrivals(intervals, startMs)) detector.heartbeat(at);
  return detector;
}

function lastOf(detector: PhiAccrualDetector): number {
  const last = detector.lastHeartbeatMs;
  if (last === undefined) throw new Error("no heartbeat yet");
  return last;
}

function dueOf(detector: PhiAccrualDetector): number {
  const due = detector.suspicionAtMs();
  if (due === undefined) throw new Error("no heartbeat yet");
  return due;
}

describe("phi accrual laws", () => {
  it("phi never decreases while no heartbeat arrives, and a suspicion lasts until one does", () => {
    fc.assert(
      fc.property(
        optionsArbitrary,
        intervalsArbitrary,
        fc.array(msArbitrary(0, 60_000), { minLength: 2, maxLength: 8 }),
        (options, intervals, silences) => {
          const detector = detectorAfter(options, intervals);
          const last = lastOf(detector);
          let previous = Number.NEGATIVE_INFINITY;
          let suspected = false;
          for (const silence of [...silences].sort((a, b) => a - b)) {
            const phi = detector.phi(last + silence);
            expect(phi).toBeGreaterThanOrEqual(previous);
            if (suspected) expect(detector.isAvailable(last + silence)).toBe(false);
            suspected = !detector.isAvailable(last + silence);
            previous = phi;
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("right after a heartbeat phi is at its least, at most log10(2), and the peer is available", () => {
    fc.assert(
      fc.property(optionsArbitrary, intervalsArbitrary, msArbitrary(0, 60_000), (options, intervals, silence) => {
        const detector = detectorAfter(options, intervals);
        const last = lastOf(detector);
        const atHeartbeat = detector.phi(last);
        expect(atHeartbeat).toBeLessThanOrEqual(Math.log10(2));
        expect(atHeartbeat).toBeLessThanOrEqual(detector.phi(last + silence));
        expect(detector.isAvailable(last)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it("with more jitter observed, the same long silence is less suspicious", () => {
    // Two peers with the same mean period, one steady, one jittery (intervals alternate mu - d, mu + d);
    // the windows hold only these intervals (the bootstrap has been pushed out).
    fc.assert(
      fc.property(
        msArbitrary(100, 5000),
        fc.double({ min: 0.01, max: 0.45, noNaN: true }),
        fc.double({ min: 0.01, max: 0.45, noNaN: true }),
        msArbitrary(0, 5000),
        msArbitrary(0.001, 20_000),
        (periodMs, ratioA, ratioB, acceptablePauseMs, beyondMs) => {
          fc.pre(Math.abs(ratioA - ratioB) > 0.01);
          const [steady, jittery] = [Math.min(ratioA, ratioB) * periodMs, Math.max(ratioA, ratioB) * periodMs];
          const options = {
            windowSamplesMax: 16,
            minStdDeviationMs: steady / 2,
            acceptablePauseMs,
            firstHeartbeatEstimateMs: periodMs,
          };
          const alternate = (d: number) => Array.from({ length: 32 }, (_, i) => periodMs + (i % 2 === 0 ? -d : d));
          const a = detectorAfter(options, alternate(steady));
          const b = detectorAfter(options, alternate(jittery));
          // Every interval was learned: the windows hold what was sent.
          expect(a.stats.stdDeviationMs).toBeCloseTo(steady, 6);
          expect(b.stats.stdDeviationMs).toBeCloseTo(jittery, 6);
          const silence = periodMs + acceptablePauseMs + beyondMs;
          const phiSteady = a.phi(lastOf(a) + silence);
          const phiJittery = b.phi(lastOf(b) + silence);
          expect(phiJittery).toBeLessThan(phiSteady);
          // And the jittery peer is suspected later.
          expect(dueOf(b) - lastOf(b)).toBeGreaterThan(dueOf(a) - lastOf(a));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("phi has no unit: scaling every duration by k leaves it unchanged (exactly, for k a power of two)", () => {
    fc.assert(
      fc.property(
        optionsArbitrary,
        intervalsArbitrary,
        msArbitrary(0, 60_000),
        fc.oneof(
          fc.integer({ min: -20, max: 20 }).map((e) => ({ k: 2 ** e, exact: true })),
          fc.double({ min: 1e-3, max: 1e3, noNaN: true }).map((k) => ({ k, exact: false })),
        ),
        (options, intervals, silence, { k, exact }) => {
          const scaled = {
            ...options,
            minStdDeviationMs: options.minStdDeviationMs * k,
            acceptablePauseMs: options.acceptablePauseMs * k,
            firstHeartbeatEstimateMs: options.firstHeartbeatEstimateMs * k,
          };
          const a = detectorAfter(options, intervals);
          const b = detectorAfter(
            scaled,
            intervals.map((interval) => interval * k),
          );
          const phiA = a.phi(lastOf(a) + silence);
          const phiB = b.phi(lastOf(b) + silence * k);
          if (exact) expect(phiB).toBe(phiA);
          else expect(Math.abs(phiB - phiA)).toBeLessThanOrEqual(1e-6 * Math.max(phiA, 1e-300) + 1e-12);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("the window forgets: after windowSamplesMax heartbeats, the past before them no longer matters", () => {
    fc.assert(
      fc.property(
        optionsArbitrary,
        intervalsArbitrary,
        intervalsArbitrary,
        fc.array(msArbitrary(0, 5000), { minLength: 64, maxLength: 64 }),
        msArbitrary(0, 60_000),
        (options, pastA, pastB, recent, silence) => {
          // A pause longer than any silence here, so every interval is learned and none is set aside as an outage.
          const forgiving = {
            ...options,
            windowSamplesMax: Math.min(options.windowSamplesMax, 64),
            acceptablePauseMs: 1e6,
          };
          const kept = recent.slice(-forgiving.windowSamplesMax);
          const a = detectorAfter(forgiving, [...pastA, ...recent]);
          const b = detectorAfter(forgiving, [...pastB, ...kept], 12_345);
          expect(a.stats.samples).toBe(forgiving.windowSamplesMax);
          expect(b.stats.samples).toBe(forgiving.windowSamplesMax);
          expect(a.stats.meanMs).toBeCloseTo(b.stats.meanMs, 6);
          expect(a.stats.stdDeviationMs).toBeCloseTo(b.stats.stdDeviationMs, 4);
          const phiA = a.phi(lastOf(a) + silence);
          const phiB = b.phi(lastOf(b) + silence);
          expect(Math.abs(phiA - phiB)).toBeLessThanOrEqual(1e-6 * Math.max(phiA, 1));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("an interval that ends a suspicion is not learned, and the peer is available again at once", () => {
    fc.assert(
      fc.property(optionsArbitrary, intervalsArbitrary, msArbitrary(0, 100_000), (options, intervals, beyondMs) => {
        const detector = detectorAfter(options, intervals);
        const due = dueOf(detector);
        const before = detector.stats;
        const arrival = due + beyondMs;
        fc.pre(!detector.isAvailable(arrival));
        detector.heartbeat(arrival);
        expect(detector.stats).toEqual(before);
        expect(detector.isAvailable(arrival)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("suspicionAtMs is where phi reaches the threshold", () => {
    fc.assert(
      fc.property(optionsArbitrary, intervalsArbitrary, (options, intervals) => {
        const detector = detectorAfter(options, intervals);
        const due = dueOf(detector);
        const last = lastOf(detector);
        expect(due).toBeGreaterThan(last);
        // Tolerance: a few ulps of the times involved, seen through phi's slope there.
        const slack = 1e-9 * Math.max(Math.abs(due), 1);
        expect(detector.phi(due + slack)).toBeGreaterThanOrEqual(options.thresholdPhi);
        expect(detector.isAvailable(due + slack)).toBe(false);
        expect(detector.isAvailable(Math.max(last, due - slack))).toBe(true);
        expect(Math.abs(detector.phi(due) - options.thresholdPhi)).toBeLessThanOrEqual(1e-6 * options.thresholdPhi);
      }),
      { numRuns: 400 },
    );
  });
});
