import { type RoundTrip, roundTripSample } from "@skew/truetime";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const unitsPerMs = 1024; // integers in 2^-10 ms: exact doubles, so the law is tested at its edge

describe("roundTripSample (Cristian's bound on a remote reading)", () => {
  it("holds true time at the response's arrival, whenever in the round trip the source read its clock", () => {
    const arb = fc.record({
      maxDriftPpm: fc.constantFrom(0, 100, 200, 500, 1_000),
      sentTrueUnits: fc.oneof(fc.integer({ min: 0, max: 2 ** 44 }), fc.integer({ min: 0, max: 2 ** 12 })),
      sentLocalUnits: fc.integer({ min: 0, max: 2 ** 40 }),
      roundTripLocalUnits: fc.oneof(
        fc.integer({ min: 0, max: 2 ** 20 }),
        fc.integer({ min: 1, max: 64 }).map((k) => k * 40_000),
      ),
      driftMillionths: fc.oneof(
        fc.constantFrom(-1_000_000, 1_000_000),
        fc.integer({ min: -1_000_000, max: 1_000_000 }),
      ),
      /** When the source read its clock, as millionths of the way through the round trip. */
      readAtMillionths: fc.oneof(fc.constantFrom(0, 1_000_000), fc.integer({ min: 0, max: 1_000_000 })),
      sourceErrorUnits: fc.integer({ min: 0, max: 2 ** 20 }),
      /** How wrong the source's reading was, as millionths of its own error bound. */
      readingErrorMillionths: fc.oneof(
        fc.constantFrom(-1_000_000, 1_000_000),
        fc.integer({ min: -1_000_000, max: 1_000_000 }),
      ),
    });
    fc.assert(
      fc.property(arb, (s) => {
        const maxDriftUnits = Math.floor((s.roundTripLocalUnits * s.maxDriftPpm) / 1_000_000);
        const roundTripTrueUnits = s.roundTripLocalUnits + Math.trunc((s.driftMillionths * maxDriftUnits) / 1_000_000);
        const readTrueUnits = s.sentTrueUnits + Math.floor((roundTripTrueUnits * s.readAtMillionths) / 1_000_000);
        const readingUnits = readTrueUnits + Math.trunc((s.sourceErrorUnits * s.readingErrorMillionths) / 1_000_000);
        const roundTrip: RoundTrip = {
          source: "ntp",
          sentAtMs: s.sentLocalUnits / unitsPerMs,
          receivedAtMs: (s.sentLocalUnits + s.roundTripLocalUnits) / unitsPerMs,
          sourceTimeMs: readingUnits / unitsPerMs,
          sourceErrorMs: s.sourceErrorUnits / unitsPerMs,
        };
        const sample = roundTripSample(roundTrip, s.maxDriftPpm);
        const arrivalTrueMs = (s.sentTrueUnits + roundTripTrueUnits) / unitsPerMs;
        expect(sample.source).toBe("ntp");
        expect(sample.monotonicMs).toBe(roundTrip.receivedAtMs);
        expect(sample.earliest).toBeLessThanOrEqual(arrivalTrueMs);
        expect(sample.latest).toBeGreaterThanOrEqual(arrivalTrueMs);
      }),
      { numRuns: 500 },
    );
  });

  it("is the source's reading less its error, up to that reading plus its error and the whole round trip", () => {
    const sample = roundTripSample(
      { source: "ntp", sentAtMs: 100, receivedAtMs: 140, sourceTimeMs: 5_000, sourceErrorMs: 2 },
      0,
    );
    expect(sample).toEqual({
      source: "ntp",
      monotonicMs: 140,
      earliest: expect.closeTo(4_998, 9),
      latest: expect.closeTo(5_042, 9),
    });
  });

  it("rejects a response that arrived before its request left, and malformed readings", () => {
    const good: RoundTrip = { source: "ntp", sentAtMs: 0, receivedAtMs: 1, sourceTimeMs: 0, sourceErrorMs: 0 };
    expect(() => roundTripSample({ ...good, receivedAtMs: -1 })).toThrow(RangeError);
    expect(() => roundTripSample({ ...good, sourceErrorMs: -1 })).toThrow(RangeError);
    expect(() => roundTripSample({ ...good, sourceTimeMs: Number.NaN })).toThrow(RangeError);
    expect(() => roundTripSample({ ...good, source: "" })).toThrow(TypeError);
    expect(() => roundTripSample(good, -5)).toThrow(RangeError);
  });
});
