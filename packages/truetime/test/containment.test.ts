/**
 * The clock's one promise, checked against the truth: whenever the local
 * clock drifts within the configured bound and a strict majority of the
 * sources asked at each sync tell the truth, true time lies in
 * [earliest, latest], at every later instant.
 *
 * The world is built with exact arithmetic so that the law is tested at its
 * edge: times are integers in units of 2^-10 ms (every such value below 2^53
 * units is an exact double), and each step of local time is matched by a
 * step of true time whose difference is checked against the drift bound in
 * integers. The generator favours the extremes: drift exactly at the bound,
 * sources whose interval has true time exactly at an end, liars that collude.
 * At that edge, computing the bounds without outward rounding (see
 * `outwardRoundingRatio`) fails the second property within a few dozen runs.
 */

import { ManualMonotonicClock, ManualTimers } from "@skew/env/manual";
import type { TimeSample } from "@skew/truetime";
import { TrueTimeClock } from "@skew/truetime";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const unitsPerMs = 1024;
const epochUnits = 1_700_000_000_000 * unitsPerMs;

/** Local time passes by `localUnits`; true time by as much, plus a drift of `driftMillionths` of the most allowed. */
const stepArb = fc.record({
  localUnits: fc.oneof(
    fc.integer({ min: 0, max: 2 ** 16 }),
    fc.integer({ min: 0, max: 2 ** 32 }),
    // Multiples of 40,000 units, over which each of the drift rates below allows a whole number of units: the edge exactly.
    fc.integer({ min: 1, max: 2 ** 16 }).map((k) => k * 40_000),
  ),
  driftMillionths: fc.oneof(fc.constantFrom(-1_000_000, 1_000_000), fc.integer({ min: -1_000_000, max: 1_000_000 })),
});

type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

const sourceArb = fc.oneof(
  fc.record({
    kind: fc.constant("honest" as const),
    step: stepArb,
    belowUnits: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 24 })),
    aboveUnits: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 24 })),
  }),
  fc.record({
    kind: fc.constant("liar" as const),
    step: stepArb,
    offsetUnits: fc.integer({ min: -(2 ** 30), max: 2 ** 30 }),
    widthUnits: fc.integer({ min: 0, max: 2 ** 24 }),
  }),
  fc.record({ kind: fc.constant("silent" as const) }),
);

const roundArb = fc.record({
  sources: fc
    .array(sourceArb, { minLength: 1, maxLength: 9 })
    .filter((sources) => sources.filter((s) => s.kind === "honest").length > sources.length / 2),
  /** Liars that collude all tell the same lie. */
  collude: fc.boolean(),
  checks: fc.array(fc.record({ step: stepArb, probeUnits: fc.integer({ min: -(2 ** 26), max: 2 ** 26 }) }), {
    minLength: 1,
    maxLength: 5,
  }),
});

const scenarioArb = fc.record({
  maxDriftPpm: fc.oneof(fc.constantFrom(100, 125, 200, 250, 500, 1_000), fc.integer({ min: 0, max: 1_000 })),
  // Today's epoch, or near 1970, where doubles resolve far finer than 2^-10 ms and rounding errors show.
  startTrueUnits: fc.oneof(
    fc.integer({ min: 0, max: 2 ** 40 }).map((units) => epochUnits + units),
    fc.integer({ min: 0, max: 2 ** 20 }),
  ),
  startLocalUnits: fc.integer({ min: 0, max: 2 ** 40 }),
  rounds: fc.array(roundArb, { minLength: 1, maxLength: 4 }),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

/** Plays a scenario: before each sync, time steps to each sample; after it, time steps to each check. */
function play({ maxDriftPpm, startTrueUnits, startLocalUnits, rounds }: Scenario): void {
  let trueUnits = startTrueUnits;
  let localUnits = startLocalUnits;
  const monotonic = new ManualMonotonicClock(localUnits / unitsPerMs);
  const clock = new TrueTimeClock({ monotonic, timers: new ManualTimers(monotonic), maxDriftPpm });

  const step = ({ localUnits: elapsed, driftMillionths }: Step): void => {
    // Integers throughout: |drift| <= elapsed * ppm / 1e6, exactly.
    const maxDriftUnits = Math.floor((elapsed * maxDriftPpm) / 1_000_000);
    const driftUnits = Math.trunc((driftMillionths * maxDriftUnits) / 1_000_000);
    expect(Math.abs(driftUnits) * 1_000_000).toBeLessThanOrEqual(elapsed * maxDriftPpm);
    localUnits += elapsed;
    trueUnits += elapsed + driftUnits;
    monotonic.advance(elapsed / unitsPerMs);
    expect(monotonic.now()).toBe(localUnits / unitsPerMs);
  };

  for (const round of rounds) {
    const samples: TimeSample[] = [];
    const honest: string[] = [];
    round.sources.forEach((source, index) => {
      if (source.kind === "silent") return;
      step(source.step);
      const name = `source-${index}`;
      const monotonicMs = localUnits / unitsPerMs;
      if (source.kind === "honest") {
        honest.push(name);
        samples.push({
          source: name,
          monotonicMs,
          earliest: (trueUnits - source.belowUnits) / unitsPerMs,
          latest: (trueUnits + source.aboveUnits) / unitsPerMs,
        });
      } else {
        const firstLiar = round.sources.find((s) => s.kind === "liar");
        const lie = round.collude && firstLiar?.kind === "liar" ? firstLiar : source;
        const earliestUnits = trueUnits + lie.offsetUnits;
        samples.push({
          source: name,
          monotonicMs,
          earliest: earliestUnits / unitsPerMs,
          latest: (earliestUnits + lie.widthUnits) / unitsPerMs,
        });
      }
    });

    const report = clock.sync(samples, { sourcesAsked: round.sources.length });
    expect(report.ok).toBe(true);
    if (report.ok) expect(report.value.outvoted.filter((name) => honest.includes(name))).toEqual([]);

    for (const check of round.checks) {
      step(check.step);
      const truthMs = trueUnits / unitsPerMs;
      const { earliest, latest } = clock.now();
      expect(earliest).toBeLessThanOrEqual(truthMs);
      expect(latest).toBeGreaterThanOrEqual(truthMs);
      const probeMs = (trueUnits + check.probeUnits) / unitsPerMs;
      if (clock.after(probeMs)) expect(probeMs).toBeLessThan(truthMs);
      if (clock.before(probeMs)) expect(probeMs).toBeGreaterThan(truthMs);
    }
  }
}

/**
 * The edge alone: one correct source with true time exactly at one end of its
 * interval, and every step drifting exactly at the bound, toward that end.
 */
const edgeArb: fc.Arbitrary<Scenario> = fc
  .record({
    maxDriftPpm: fc.constantFrom(100, 125, 200, 250, 500, 1_000),
    startTrueUnits: fc.oneof(
      fc.integer({ min: 0, max: 2 ** 40 }).map((units) => epochUnits + units),
      fc.integer({ min: 0, max: 2 ** 20 }),
    ),
    startLocalUnits: fc.integer({ min: 0, max: 2 ** 40 }),
    towardLatest: fc.boolean(),
    widthUnits: fc.integer({ min: 0, max: 2 ** 24 }),
    /** Local time before the sample, then before each check, in multiples of 40,000 units. */
    sampleAfter: fc.integer({ min: 0, max: 2 ** 16 }),
    checksAfter: fc.array(fc.integer({ min: 0, max: 2 ** 16 }), { minLength: 1, maxLength: 5 }),
  })
  .map(({ maxDriftPpm, startTrueUnits, startLocalUnits, towardLatest, widthUnits, sampleAfter, checksAfter }) => {
    const driftMillionths = towardLatest ? 1_000_000 : -1_000_000;
    const step = (k: number): Step => ({ localUnits: k * 40_000, driftMillionths });
    return {
      maxDriftPpm,
      startTrueUnits,
      startLocalUnits,
      rounds: [
        {
          sources: [
            {
              kind: "honest" as const,
              step: step(sampleAfter),
              belowUnits: towardLatest ? widthUnits : 0,
              aboveUnits: towardLatest ? 0 : widthUnits,
            },
          ],
          collude: false,
          checks: checksAfter.map((k) => ({ step: step(k), probeUnits: 0 })),
        },
      ],
    };
  });

describe("containment: true time lies in [earliest, latest]", () => {
  it("holds at every instant after a sync in which a strict majority told the truth", () => {
    fc.assert(fc.property(scenarioArb, play), { numRuns: 300 });
  });

  it("holds at the edge, where rounding a bound the wrong way would lose true time", () => {
    fc.assert(fc.property(edgeArb, play), { numRuns: 300 });
  });
});
