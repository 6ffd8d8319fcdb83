/**
 * The NTP client's arithmetic: the offset and delay from four timestamps,
 * the correctness interval that holds the true offset whatever the path's
 * asymmetry, and the majority intersection that outvotes a wrong server.
 */
import { sampleOf, selectOffset } from "@skew/bench";
import fc from "fast-check";
import { describe, expect, test } from "vitest";

describe("sampleOf: offset and delay from t1, t2, t3, t4", () => {
  test("symmetric paths give the exact offset and the round trip less the server's time", () => {
    // The server is 100 ms ahead; 10 ms each way; it holds the request 2 ms.
    const sample = sampleOf("s", { t1: 1_000, t2: 1_110, t3: 1_112, t4: 1_022 }, 0);
    expect(sample.offsetMs).toBe(100);
    expect(sample.delayMs).toBe(20);
    expect([sample.lowMs, sample.highMs]).toEqual([90, 110]);
  });

  test("property: the true offset lies within offset +- delay/2 (+ the server's error) for any asymmetry", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e7, max: 1e7, noNaN: true }),
        fc.double({ min: 0, max: 5_000, noNaN: true }),
        fc.double({ min: 0, max: 5_000, noNaN: true }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.double({ min: -5, max: 5, noNaN: true }),
        (trueOffsetMs, d1, d2, processingMs, claimedErrorMs, errorShare) => {
          const serverErrorMs = (errorShare / 5) * claimedErrorMs; // within what the server claims
          const t1 = 1_000_000;
          const t2 = t1 + d1 + trueOffsetMs + serverErrorMs;
          const t3 = t2 + processingMs;
          // A real exchange never has t4 before t1; the sums above can put it there by a rounding when d1 and d2
          // are 0 (CI: trueOffsetMs 56608.57277800871, the rest 0, gave t4 = t1 - 1e-10), so hold it there.
          const t4 = Math.max(t1, t3 + d2 - trueOffsetMs - serverErrorMs);
          const sample = sampleOf("s", { t1, t2, t3, t4 }, claimedErrorMs);
          const slack = 1e-6 * (1 + Math.abs(trueOffsetMs)); // floating point
          expect(sample.delayMs).toBeCloseTo(d1 + d2, 3);
          expect(trueOffsetMs).toBeGreaterThanOrEqual(sample.lowMs - slack);
          expect(trueOffsetMs).toBeLessThanOrEqual(sample.highMs + slack);
        },
      ),
    );
  });

  test("impossible timestamps are refused", () => {
    expect(() => sampleOf("s", { t1: 10, t2: 0, t3: 0, t4: 5 }, 0)).toThrow(RangeError);
    expect(() => sampleOf("s", { t1: 0, t2: 10, t3: 5, t4: 20 }, 0)).toThrow(RangeError);
    expect(() => sampleOf("s", { t1: 0, t2: 1, t3: 1, t4: 2 }, -1)).toThrow(RangeError);
  });
});

describe("selectOffset: what a majority agrees on", () => {
  const sample = (server: string, offsetMs: number, halfWidthMs: number) => ({
    server,
    offsetMs,
    delayMs: 2 * halfWidthMs,
    lowMs: offsetMs - halfWidthMs,
    highMs: offsetMs + halfWidthMs,
  });

  test("three agreeing servers outvote a fourth that is seconds off", () => {
    const selection = selectOffset([
      sample("a", 1_000, 10),
      sample("b", 1_004, 10),
      sample("wrong", 6_000, 10),
      sample("c", 998, 10),
    ]);
    expect(selection.ok).toBe(true);
    if (!selection.ok) return;
    expect([...selection.agreeing].sort()).toEqual(["a", "b", "c"]);
    expect(selection.outvoted).toEqual(["wrong"]);
    expect(selection.offsetMs).toBeGreaterThanOrEqual(990);
    expect(selection.offsetMs).toBeLessThanOrEqual(1_010);
  });

  test("one server alone always agrees with itself", () => {
    const selection = selectOffset([sample("wrong", 6_000, 10)]);
    expect(selection).toMatchObject({ ok: true, offsetMs: 6_000, agreeing: ["wrong"], outvoted: [] });
  });

  test("no majority, no step: two of four agreeing, or too few answers", () => {
    const split = selectOffset([sample("a", 0, 1), sample("b", 0, 1), sample("c", 100, 1), sample("d", 100, 1)]);
    expect(split).toMatchObject({ ok: false, quorum: 3, largestAgreement: 2 });
    const silent = selectOffset([sample("a", 0, 1)], 4);
    expect(silent).toMatchObject({ ok: false, quorum: 3 });
  });
});
