import { ManualEnvironment, ManualWallClock } from "@skew/env/manual";
import {
  defaultMaxDriftPpm,
  maxDriftLimitPpm,
  maxSourcesPerSync,
  type TimeSample,
  TrueTimeClock,
  TrueTimeError,
} from "@skew/truetime";
import { describe, expect, it } from "vitest";

function setup(options: { maxDriftPpm?: number; stalenessLimitMs?: number } = {}) {
  const env = new ManualEnvironment();
  const clock = new TrueTimeClock({ monotonic: env.monotonic, timers: env.timers, ...options });
  const sample = (source: string, earliest: number, latest: number): TimeSample => ({
    source,
    monotonicMs: env.monotonic.now(),
    earliest,
    latest,
  });
  return { env, clock, sample };
}

describe("TrueTimeClock before its first sync", () => {
  it("is unknown: now() throws, tryNow() says so as a value, after() and before() are certain of nothing", () => {
    const { clock } = setup();
    expect(clock.status()).toBe("unknown");
    expect(() => clock.now()).toThrow(TrueTimeError);
    expect(() => clock.now()).toThrow(expect.objectContaining({ code: "TRUETIME_UNSYNCHRONIZED" }));
    expect(clock.tryNow()).toEqual({
      ok: false,
      error: { code: "TRUETIME_UNSYNCHRONIZED", message: expect.any(String) },
    });
    expect(clock.after(Number.MIN_SAFE_INTEGER)).toBe(false);
    expect(clock.before(Number.MAX_SAFE_INTEGER)).toBe(false);
  });
});

describe("TrueTimeClock after a sync", () => {
  it("answers with the interval the sources agreed on, widening by twice the drift rate", () => {
    const { env, clock, sample } = setup({ maxDriftPpm: 200 });
    env.advance(5);
    expect(clock.sync([sample("a", 1_000, 1_010)]).ok).toBe(true);
    expect(clock.now()).toEqual({ earliest: expect.closeTo(1_000, 9), latest: expect.closeTo(1_010, 9) });
    env.advance(1_000);
    // 1,000 local ms are between 999.8 and 1,000.2 true ms at 200 ppm.
    const { earliest, latest } = clock.now();
    expect(earliest).toBeCloseTo(1_999.8, 9);
    expect(latest).toBeCloseTo(2_010.2, 9);
    expect(clock.tryNow()).toEqual({ ok: true, value: clock.now() });
  });

  it("holds a perfect clock's interval still in width", () => {
    const { env, clock, sample } = setup({ maxDriftPpm: 0 });
    clock.sync([sample("atomic", 500, 502)]);
    env.advance(86_400_000);
    expect(clock.now()).toEqual({ earliest: expect.closeTo(86_400_500, 6), latest: expect.closeTo(86_400_502, 6) });
  });

  it("carries each sample forward from the instant it was taken", () => {
    const { env, clock, sample } = setup({ maxDriftPpm: 100 });
    const early = sample("early", 1_000, 1_002);
    env.advance(10_000);
    const report = clock.sync([early]);
    // 10 s at 100 ppm: the early sample has grown by 1 ms on each side.
    expect(report).toMatchObject({
      ok: true,
      value: { interval: { earliest: expect.closeTo(10_999, 9), latest: expect.closeTo(11_003, 9) } },
    });
  });

  it("says after(t) only when t is before the earliest bound, and before(t) only when t is past the latest", () => {
    const { clock, sample } = setup();
    clock.sync([sample("a", 1_000, 1_010)]);
    expect(clock.after(999)).toBe(true);
    expect(clock.after(1_000)).toBe(false);
    expect(clock.after(1_005)).toBe(false);
    expect(clock.before(1_005)).toBe(false);
    expect(clock.before(1_010)).toBe(false);
    expect(clock.before(1_011)).toBe(true);
  });

  it("is synchronized until the staleness limit, then free-running, and synchronized again after a sync", () => {
    const { env, clock, sample } = setup({ stalenessLimitMs: 30_000 });
    clock.sync([sample("a", 0, 1)]);
    expect(clock.status()).toBe("synchronized");
    env.advance(30_000);
    expect(clock.status()).toBe("synchronized");
    env.advance(1);
    expect(clock.status()).toBe("free-running");
    // Free-running, the interval is still a bound on true time, and still answers.
    expect(clock.now().latest - clock.now().earliest).toBeCloseTo(1 + 2 * 30_001 * 200e-6, 9);
    clock.sync([sample("a", 40_000, 40_001)]);
    expect(clock.status()).toBe("synchronized");
  });
});

describe("TrueTimeClock.sync", () => {
  it("outvotes the wrong source and names it", () => {
    const { clock, sample } = setup();
    const report = clock.sync([
      sample("ntp-1", 1_000, 1_010),
      sample("ntp-2", 1_004, 1_012),
      sample("gps", 9_000, 9_001),
    ]);
    expect(report).toEqual({
      ok: true,
      value: { interval: { earliest: 1_004, latest: 1_010 }, agreeing: ["ntp-1", "ntp-2"], outvoted: ["gps"] },
    });
  });

  it("without a majority, reports it as a value and keeps the previous state", () => {
    const { clock, sample } = setup();
    clock.sync([sample("a", 1_000, 1_010)]);
    const before = clock.now();
    const report = clock.sync([sample("a", 0, 1), sample("b", 50, 51), sample("c", 99, 100)]);
    expect(report).toEqual({
      ok: false,
      error: {
        code: "TRUETIME_NO_MAJORITY",
        message: expect.any(String),
        sourcesAsked: 3,
        sourcesAnswered: 3,
        quorum: 2,
        largestAgreement: 1,
      },
    });
    expect(clock.now()).toEqual(before);
    expect(clock.status()).toBe("synchronized");
  });

  it("counts silent sources against the majority, so two answers of five cannot outvote the rest", () => {
    const { clock, sample } = setup();
    const answers = [sample("a", 100, 101), sample("b", 100, 101)];
    expect(clock.sync(answers, { sourcesAsked: 5 })).toMatchObject({
      ok: false,
      error: { quorum: 3, sourcesAnswered: 2, largestAgreement: 2 },
    });
    expect(clock.status()).toBe("unknown");
    expect(clock.sync(answers, { sourcesAsked: 3 }).ok).toBe(true);
  });

  it("rejects malformed input as programming mistakes", () => {
    const { env, clock, sample } = setup();
    expect(() => clock.sync("samples" as unknown as TimeSample[])).toThrow(TypeError);
    expect(() => clock.sync([])).toThrow(RangeError);
    expect(() => clock.sync([sample("a", 0, 1)], { sourcesAsked: 0 })).toThrow(RangeError);
    expect(() => clock.sync([sample("a", 0, 1), sample("b", 0, 1)], { sourcesAsked: 1 })).toThrow(RangeError);
    expect(() => clock.sync([], { sourcesAsked: maxSourcesPerSync + 1 })).toThrow(RangeError);
    expect(() => clock.sync([sample("a", 0, 1), sample("a", 0, 1)])).toThrow(TypeError);
    expect(() => clock.sync([sample("", 0, 1)])).toThrow(TypeError);
    expect(() => clock.sync([sample("a", 1, 0)])).toThrow(RangeError);
    expect(() => clock.sync([sample("a", 0, Number.POSITIVE_INFINITY)])).toThrow(RangeError);
    expect(() => clock.sync([{ ...sample("a", 0, 1), monotonicMs: env.monotonic.now() + 1 }])).toThrow(/after now/);
    expect(() => clock.sync([null as unknown as TimeSample])).toThrow(TypeError);
    expect(clock.status()).toBe("unknown");
  });

  it("says what it was given, even a value whose conversion to text throws", () => {
    const { clock, sample } = setup();
    for (const bad of [{ toString: 0 }, Object.create(null), Symbol()] as never[]) {
      expect(() => clock.sync([sample("a", 0, 1)], { sourcesAsked: bad })).toThrow(
        /^sync: sourcesAsked must be an integer in \[1, \d+\], got an? \w+$/,
      );
      expect(() => clock.sync([{ ...sample("a", 0, 1), source: bad }])).toThrow(
        /^sync: sample 0: source must be a non-empty string, got an? \w+$/,
      );
    }
  });
});

describe("TrueTimeClock construction and arguments", () => {
  it("takes a monotonic clock and timers, a drift bound and a staleness limit", () => {
    const env = new ManualEnvironment();
    const clock = new TrueTimeClock({ monotonic: env.monotonic, timers: env.timers });
    expect(clock.maxDriftPpm).toBe(defaultMaxDriftPpm);
    expect(clock.maxDriftPpm).toBe(200);
    expect(clock.stalenessLimitMs).toBeGreaterThan(0);
    const wall = new ManualWallClock(0) as unknown as ManualEnvironment["monotonic"];
    expect(() => new TrueTimeClock({ monotonic: wall, timers: env.timers })).toThrow(TypeError);
    expect(() => new TrueTimeClock({ monotonic: env.monotonic, timers: {} as ManualEnvironment["timers"] })).toThrow(
      TypeError,
    );
    expect(() => new TrueTimeClock(undefined as unknown as ConstructorParameters<typeof TrueTimeClock>[0])).toThrow(
      TypeError,
    );
    const base = { monotonic: env.monotonic, timers: env.timers };
    expect(() => new TrueTimeClock({ ...base, maxDriftPpm: -1 })).toThrow(RangeError);
    expect(() => new TrueTimeClock({ ...base, maxDriftPpm: maxDriftLimitPpm + 1 })).toThrow(RangeError);
    expect(() => new TrueTimeClock({ ...base, maxDriftPpm: Number.NaN })).toThrow(RangeError);
    expect(() => new TrueTimeClock({ ...base, stalenessLimitMs: 0 })).toThrow(RangeError);
    expect(new TrueTimeClock({ ...base, maxDriftPpm: maxDriftLimitPpm }).maxDriftPpm).toBe(maxDriftLimitPpm);
  });

  it("rejects timestamps that are not finite numbers", () => {
    const { clock } = setup();
    expect(() => clock.after(Number.NaN)).toThrow(RangeError);
    expect(() => clock.before(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => clock.after("1" as unknown as number)).toThrow(TypeError);
  });
});
