import { findAgreement, type TrueTimeInterval } from "@skew/truetime";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

/** Small integer ends, so that intervals often touch, nest and tie. */
const intervalArb: fc.Arbitrary<TrueTimeInterval> = fc
  .record({ earliest: fc.integer({ min: 0, max: 20 }), width: fc.integer({ min: 0, max: 10 }) })
  .map(({ earliest, width }) => ({ earliest, latest: earliest + width }));

/** Up to `maxLength` intervals, and a quorum that is a strict majority of them or more. */
const votingArb = (maxLength: number) =>
  fc.array(intervalArb, { minLength: 1, maxLength }).chain((intervals) =>
    fc.record({
      intervals: fc.constant(intervals),
      quorum: fc.integer({ min: Math.floor(intervals.length / 2) + 1, max: intervals.length + 1 }),
    }),
  );

const covering = (intervals: readonly TrueTimeInterval[], instant: number): number =>
  intervals.filter((i) => i.earliest <= instant && instant <= i.latest).length;

/**
 * The oracle, by brute force. The instants a quorum agrees on form closed
 * regions that start and end at interval ends, and the most-covered instant
 * of any interval is one of the ends inside it; so checking the ends is enough.
 */
function agreedEnds(intervals: readonly TrueTimeInterval[], quorum: number): number[] {
  const ends = intervals.flatMap((i) => [i.earliest, i.latest]);
  return ends.filter((instant) => covering(intervals, instant) >= quorum).sort((a, b) => a - b);
}

function matchesOracle({ intervals, quorum }: { intervals: TrueTimeInterval[]; quorum: number }): void {
  const agreed = agreedEnds(intervals, quorum);
  const result = findAgreement(intervals, quorum);
  if (agreed.length === 0) {
    const largest = Math.max(...intervals.map((i) => covering(intervals, i.earliest)));
    expect(result).toEqual({ ok: false, error: { largestAgreement: largest } });
    return;
  }
  const agreeing = intervals.flatMap((i, index) =>
    agreed.some((instant) => i.earliest <= instant && instant <= i.latest) ? [index] : [],
  );
  expect(result).toEqual({
    ok: true,
    value: {
      interval: { earliest: agreed[0], latest: agreed[agreed.length - 1] },
      agreeing,
      outvoted: intervals.map((_, index) => index).filter((index) => !agreeing.includes(index)),
    },
  });
}

describe("findAgreement (Marzullo's intersection, every instant a quorum covers)", () => {
  it("returns the smallest interval holding every instant a quorum agrees on, and who agrees (oracle)", () => {
    fc.assert(fc.property(votingArb(15), matchesOracle));
  });

  it("agrees with the oracle for more sources than insertion sort handles", () => {
    fc.assert(fc.property(votingArb(100), matchesOracle), { numRuns: 50 });
  });

  it("keeps true time whenever a quorum of intervals holds it, and never outvotes those", () => {
    const arb = fc
      .record({
        truth: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        honest: fc.array(
          fc.tuple(fc.double({ min: 0, max: 1e3, noNaN: true }), fc.double({ min: 0, max: 1e3, noNaN: true })),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        liars: fc.array(intervalArb.map((i) => ({ earliest: i.earliest * 1e4, latest: i.latest * 1e4 }))),
      })
      .filter(({ honest, liars }) => honest.length > liars.length);
    fc.assert(
      fc.property(arb, fc.boolean(), ({ truth, honest, liars }, liarsFirst) => {
        const honestIntervals = honest.map(([below, above]) => ({ earliest: truth - below, latest: truth + above }));
        const intervals = liarsFirst ? [...liars, ...honestIntervals] : [...honestIntervals, ...liars];
        const result = findAgreement(intervals);
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        expect(result.value.interval.earliest).toBeLessThanOrEqual(truth);
        expect(result.value.interval.latest).toBeGreaterThanOrEqual(truth);
        const honestIndices = honestIntervals.map((_, i) => (liarsFirst ? liars.length + i : i));
        expect(result.value.outvoted.filter((i) => honestIndices.includes(i))).toEqual([]);
      }),
    );
  });

  it("is the plain intersection when every source must agree", () => {
    fc.assert(
      fc.property(fc.array(intervalArb, { minLength: 1, maxLength: 10 }), (intervals) => {
        const earliest = Math.max(...intervals.map((i) => i.earliest));
        const latest = Math.min(...intervals.map((i) => i.latest));
        const result = findAgreement(intervals, intervals.length);
        if (earliest <= latest) expect(result).toMatchObject({ ok: true, value: { interval: { earliest, latest } } });
        else expect(result.ok).toBe(false);
      }),
    );
  });

  it("does not depend on the order the sources answered in", () => {
    const arb = votingArb(15).chain(({ intervals, quorum }) =>
      fc.record({
        intervals: fc.constant(intervals),
        quorum: fc.constant(quorum),
        order: fc.shuffledSubarray([...intervals.keys()], { minLength: intervals.length, maxLength: intervals.length }),
      }),
    );
    fc.assert(
      fc.property(arb, ({ intervals, quorum, order }) => {
        const a = findAgreement(intervals, quorum);
        const b = findAgreement(
          order.map((i) => intervals[i] as TrueTimeInterval),
          quorum,
        );
        expect(b.ok).toBe(a.ok);
        if (a.ok && b.ok) {
          expect(b.value.interval).toEqual(a.value.interval);
          expect(b.value.outvoted.map((i) => order[i]).sort((x = 0, y = 0) => x - y)).toEqual(a.value.outvoted);
        }
      }),
    );
  });

  it("outvotes the one wrong server of three (the chapter's NTP client)", () => {
    const servers = [
      { earliest: 1_000.0, latest: 1_010.0 },
      { earliest: 1_004.0, latest: 1_012.0 },
      { earliest: 5_000.0, latest: 5_002.0 }, // misconfigured: four seconds ahead
    ];
    expect(findAgreement(servers)).toEqual({
      ok: true,
      value: { interval: { earliest: 1_004, latest: 1_010 }, agreeing: [0, 1], outvoted: [2] },
    });
  });

  it("counts an instant where one interval ends and another starts as shared", () => {
    const result = findAgreement([
      { earliest: 0, latest: 5 },
      { earliest: 5, latest: 9 },
      { earliest: 20, latest: 30 },
    ]);
    expect(result).toEqual({
      ok: true,
      value: { interval: { earliest: 5, latest: 5 }, agreeing: [0, 1], outvoted: [2] },
    });
  });

  it("is not fooled where the most-voted instant is a coalition of liars", () => {
    // True time is 0. Three correct sources, two of them vague; two liars agree on 100.
    const correct = [
      { earliest: -1, latest: 1 },
      { earliest: -1, latest: 200 },
      { earliest: -200, latest: 200 },
    ];
    const liars = [
      { earliest: 100, latest: 101 },
      { earliest: 100, latest: 101 },
    ];
    const intervals = [...correct, ...liars];
    // Four intervals cover [100, 101] and only three cover 0, so picking the most-voted instants would lose true time.
    expect(covering(intervals, 100)).toBe(4);
    expect(covering(intervals, 0)).toBe(3);
    const result = findAgreement(intervals);
    expect(result).toMatchObject({ ok: true, value: { interval: { earliest: -1, latest: 101 }, outvoted: [] } });
  });

  it("reports no agreement, with the largest agreement found, when no majority meets", () => {
    const result = findAgreement([
      { earliest: 0, latest: 1 },
      { earliest: 10, latest: 11 },
      { earliest: 10.5, latest: 12 },
      { earliest: 20, latest: 21 },
    ]);
    expect(result).toEqual({ ok: false, error: { largestAgreement: 2 } });
    expect(findAgreement([])).toEqual({ ok: false, error: { largestAgreement: 0 } });
  });

  it("rejects a quorum that two disjoint groups could both reach, and malformed intervals", () => {
    const two = [
      { earliest: 0, latest: 1 },
      { earliest: 5, latest: 6 },
    ];
    expect(() => findAgreement(two, 1)).toThrow(RangeError);
    expect(() => findAgreement(two, 1.5)).toThrow(RangeError);
    expect(() => findAgreement([{ earliest: 2, latest: 1 }])).toThrow(RangeError);
    expect(() => findAgreement([{ earliest: Number.NaN, latest: 1 }])).toThrow(RangeError);
    expect(() => findAgreement([{ earliest: "0", latest: 1 } as unknown as TrueTimeInterval])).toThrow(TypeError);
    expect(() => findAgreement([null as unknown as TrueTimeInterval])).toThrow(TypeError);
    for (const bad of [{ toString: 0 }, Object.create(null), Symbol()] as never[]) {
      expect(() => findAgreement(two, bad)).toThrow(/^findAgreement: quorum must be an integer .*, got an? \w+$/);
    }
  });
});
