import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type LiveNemesis, playFaults, type TimedFault } from "../../src/live/nemesis.js";

interface Labelled extends TimedFault {
  readonly name: string;
  readonly lane: string;
}

/** A nemesis that records what it did and when, on the fake clock. */
function recorder(options: { beginMs?: number; failOn?: string } = {}) {
  const log: { at: number; what: string }[] = [];
  const nemesis: LiveNemesis<Labelled> = {
    begin: async (fault) => {
      if (options.beginMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.beginMs));
      if (fault.name === options.failOn) throw new Error(`cannot ${fault.name}`);
      log.push({ at: Date.now(), what: `begin ${fault.name}` });
    },
    end: async (fault) => {
      log.push({ at: Date.now(), what: `end ${fault.name}` });
    },
  };
  return { log, nemesis };
}

function play(faults: readonly Labelled[], nemesis: LiveNemesis<Labelled>) {
  const origin = Date.now();
  return playFaults({
    faults,
    nemesis,
    describe: (fault) => fault.name,
    lane: (fault) => fault.lane,
    nowMs: () => Date.now() - origin,
    wait: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
  });
}

describe("playFaults", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("begins and ends each fault at its times, lanes side by side", async () => {
    const { log, nemesis } = recorder();
    const player = play(
      [
        { name: "a", lane: "x", atMs: 100, durationMs: 300 },
        { name: "b", lane: "y", atMs: 200, durationMs: 100 },
        { name: "c", lane: "x", atMs: 500, durationMs: 50 },
      ],
      nemesis,
    );
    await vi.runAllTimersAsync();
    await player.done;
    expect(log).toEqual([
      { at: 100, what: "begin a" },
      { at: 200, what: "begin b" },
      { at: 300, what: "end b" },
      { at: 400, what: "end a" },
      { at: 500, what: "begin c" },
      { at: 550, what: "end c" },
    ]);
    expect(player.played.map((p) => [p.description, p.beganMs, p.endedMs])).toEqual([
      ["b", 200, 300],
      ["a", 100, 400],
      ["c", 500, 550],
    ]);
    expect(player.errors).toEqual([]);
  });

  it("never overlaps two faults of one lane, whatever the schedule and however slow the nemesis", async () => {
    const fault = fc.record({
      lane: fc.constantFrom("x", "y", "z"),
      atMs: fc.integer({ min: 0, max: 1_000 }),
      durationMs: fc.integer({ min: 0, max: 300 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(fault, { maxLength: 12 }), fc.integer({ min: 0, max: 50 }), async (drawn, beginMs) => {
        vi.setSystemTime(0);
        const faults = drawn.map((f, i) => ({ ...f, name: `f${i}` }));
        const { log, nemesis } = recorder({ beginMs });
        const player = play(faults, nemesis);
        await vi.runAllTimersAsync();
        await player.done;
        // Every fault began and ended once, and within a lane one ended before the next began.
        expect(player.played).toHaveLength(faults.length);
        const on = new Map<string, string>();
        for (const { what } of log) {
          const [verb, name] = what.split(" ") as [string, string];
          const lane = (faults.find((f) => f.name === name) as Labelled).lane;
          if (verb === "begin") {
            expect(on.has(lane)).toBe(false);
            on.set(lane, name);
          } else {
            expect(on.get(lane)).toBe(name);
            on.delete(lane);
          }
        }
        // And each lasted at least its duration, from when it really began.
        for (const played of player.played) {
          expect(played.endedMs - played.beganMs).toBeGreaterThanOrEqual(played.fault.durationMs);
          expect(played.beganMs).toBeGreaterThanOrEqual(played.fault.atMs);
        }
      }),
      { numRuns: 50 },
    );
  });

  it("stops a lane at a nemesis's error, ends the fault, and keeps the error", async () => {
    const { log, nemesis } = recorder({ failOn: "b" });
    const player = play(
      [
        { name: "a", lane: "x", atMs: 0, durationMs: 10 },
        { name: "b", lane: "x", atMs: 20, durationMs: 10 },
        { name: "c", lane: "x", atMs: 40, durationMs: 10 },
        { name: "d", lane: "y", atMs: 40, durationMs: 10 },
      ],
      nemesis,
    );
    await vi.runAllTimersAsync();
    await player.done;
    expect(player.errors.map((e) => (e as Error).message)).toEqual(["cannot b"]);
    expect(log.map((l) => l.what)).toEqual(["begin a", "end a", "end b", "begin d", "end d"]);
  });

  it("heals now what is on, and plays nothing more", async () => {
    const { log, nemesis } = recorder();
    const player = play(
      [
        { name: "a", lane: "x", atMs: 0, durationMs: 1_000 },
        { name: "b", lane: "x", atMs: 2_000, durationMs: 10 },
      ],
      nemesis,
    );
    await vi.advanceTimersByTimeAsync(100);
    await player.healNow();
    expect(log.map((l) => l.what)).toEqual(["begin a", "end a"]);
    await vi.runAllTimersAsync();
    await player.done;
    expect(log.map((l) => l.what)).toEqual(["begin a", "end a"]);
  });

  it("refuses a fault without a finite start and duration", () => {
    const { nemesis } = recorder();
    expect(() => play([{ name: "a", lane: "x", atMs: -1, durationMs: 10 }], nemesis)).toThrow(RangeError);
    expect(() => play([{ name: "a", lane: "x", atMs: 0, durationMs: Number.NaN }], nemesis)).toThrow(RangeError);
  });
});
