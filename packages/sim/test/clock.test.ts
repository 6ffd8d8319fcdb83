import { type Environment, sleep } from "@skew/env";
import { limits, Simulation } from "@skew/sim";
import fc from "fast-check";
import { describe, expect, test } from "vitest";

/** A simulation with one idle node whose environment the test can read. */
function oneNode(seed = 1, options: { clockOffsetMs?: number; driftPpm?: number } = {}) {
  const sim = new Simulation({ seed });
  let env: Environment | undefined;
  sim.addNode(
    "n1",
    (context) => {
      env = context.env;
      return { onMessage: () => {} };
    },
    options,
  );
  sim.run({ forMs: 0 });
  if (env === undefined) throw new Error("node did not start");
  return { sim, env, clock: sim.clock("n1") };
}

describe("clocks", () => {
  test("a backward step is seen by the wall clock and not by the monotonic clock", () => {
    const { sim, env, clock } = oneNode();
    sim.run({ forMs: 1000 });
    const wall = env.wall.now();
    const mono = env.monotonic.now();
    clock.step(-5000);
    expect(env.wall.now()).toBe(wall - 5000);
    expect(env.monotonic.now()).toBe(mono);
    sim.run({ forMs: 100 });
    expect(env.wall.now()).toBe(wall - 4900);
    expect(env.monotonic.now()).toBe(mono + 100);
  });

  test("the wall clock starts at the epoch plus the offset; skew sets the offset", () => {
    const { sim, env, clock } = oneNode(1, { clockOffsetMs: 4000 });
    expect(env.wall.now()).toBe(limits.epochMsDefault + 4000);
    sim.run({ forMs: 250 });
    clock.skew(-1500);
    expect(clock.offsetMs).toBe(-1500);
    expect(env.wall.now()).toBe(limits.epochMsDefault + 250 - 1500);
  });

  test("drift makes both clocks run fast, and timers (on the monotonic clock) fire early in true time", () => {
    const { sim, env } = oneNode(1, { driftPpm: 100_000 }); // 10% fast, to see it plainly
    const wall0 = env.wall.now();
    const mono0 = env.monotonic.now();
    let firedAtMs = -1;
    env.timers.schedule(1100, () => {
      firedAtMs = sim.nowMs;
    });
    sim.run({ forMs: 2000 });
    expect(env.wall.now() - wall0).toBeCloseTo(2200, 6);
    expect(env.monotonic.now() - mono0).toBeCloseTo(2200, 6);
    expect(firedAtMs).toBe(1000);
  });

  test("a slew corrects the offset gradually at the given rate and never steps", () => {
    const { sim, env, clock } = oneNode();
    clock.slew(-100, 1000); // 100 ms at 1000 ppm: 100 s
    const readings: number[] = [];
    for (let i = 0; i < 120; i++) {
      sim.run({ forMs: 1000 });
      readings.push(env.wall.now());
    }
    for (let i = 1; i < readings.length; i++) expect(readings[i]).toBeGreaterThan(readings[i - 1] as number);
    expect(clock.offsetMs).toBeCloseTo(-100, 6);
    expect(readings[49]).toBeCloseTo(limits.epochMsDefault + 50_000 - 50, 6); // halfway
  });

  test("a strobe flips the offset between +a and -a each period, then restores it", () => {
    const { sim, clock } = oneNode();
    clock.skew(10);
    clock.strobe(200, 50, 400);
    const offsets: number[] = [];
    for (let i = 0; i < 9; i++) {
      offsets.push(Math.round(clock.offsetMs));
      sim.run({ forMs: 50 });
    }
    offsets.push(Math.round(clock.offsetMs));
    expect(offsets).toEqual([210, -190, 210, -190, 210, -190, 210, -190, 10, 10]);
  });

  test("a leap second repeats a second of wall time; the monotonic clock is unaffected", () => {
    const { sim, env, clock } = oneNode();
    clock.leapSecond(1000);
    sim.run({ forMs: 999 });
    const before = env.wall.now();
    const monoBefore = env.monotonic.now();
    sim.run({ forMs: 1 });
    expect(env.wall.now()).toBe(before + 1 - 1000);
    expect(env.monotonic.now()).toBe(monoBefore + 1);
  });

  test("a frozen (VM) pause leaves the wall clock behind by the pause; a GC pause does not", () => {
    for (const [mode, expected] of [
      ["frozen", -3000],
      ["runs", 0],
    ] as const) {
      const { sim, clock } = oneNode();
      sim.node("n1").pause(3000, { clock: mode });
      sim.run({ forMs: 5000 });
      expect([mode, clock.offsetMs]).toEqual([mode, expected]);
    }
  });

  test("under any mix of clock faults the monotonic clock never goes backward", () => {
    const fault = fc.oneof(
      fc.record({ kind: fc.constant("step" as const), ms: fc.double({ min: -1e6, max: 1e6, noNaN: true }) }),
      fc.record({ kind: fc.constant("drift" as const), ppm: fc.double({ min: -1e5, max: 1e5, noNaN: true }) }),
      fc.record({ kind: fc.constant("slew" as const), ms: fc.double({ min: -10, max: 10, noNaN: true }) }),
      fc.record({ kind: fc.constant("strobe" as const), ms: fc.double({ min: 0, max: 1000, noNaN: true }) }),
      fc.record({ kind: fc.constant("run" as const), ms: fc.double({ min: 0, max: 5000, noNaN: true }) }),
    );
    fc.assert(
      fc.property(fc.array(fault, { maxLength: 30 }), (faults) => {
        const { sim, env, clock } = oneNode();
        let last = env.monotonic.now();
        for (const f of faults) {
          if (f.kind === "step") clock.step(f.ms);
          else if (f.kind === "drift") clock.drift(f.ppm);
          else if (f.kind === "slew") clock.slew(f.ms);
          else if (f.kind === "strobe") clock.strobe(f.ms, 7, 70);
          else sim.run({ forMs: f.ms });
          const now = env.monotonic.now();
          expect(now).toBeGreaterThanOrEqual(last);
          last = now;
        }
      }),
      { numRuns: 200 },
    );
  });

  test("sleep on a node's timers waits on its monotonic clock", async () => {
    const { sim, env } = oneNode();
    let woke = -1;
    void sleep(env.timers, 250).then(() => {
      woke = sim.nowMs;
    });
    await sim.runAsync({ forMs: 1000 });
    expect(woke).toBe(250);
  });
});
