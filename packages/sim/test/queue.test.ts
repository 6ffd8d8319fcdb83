import { Simulation } from "@skew/sim";
import fc from "fast-check";
import { expect, test } from "vitest";

test("events run in (time, scheduling order): a stable sort of what was scheduled", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 300 }), (delays) => {
      const sim = new Simulation({ seed: 1 });
      const ran: number[] = [];
      for (const [i, delay] of delays.entries()) {
        sim.after(delay, () => {
          ran.push(i);
        });
      }
      sim.run();
      const expected = delays.map((delay, i) => ({ delay, i })).sort((a, b) => a.delay - b.delay || a.i - b.i);
      expect(ran).toEqual(expected.map((e) => e.i));
    }),
  );
});

test("time advances to the deadline even when nothing happens, and never before an event's time", () => {
  const sim = new Simulation({ seed: 1 });
  const times: number[] = [];
  sim.after(30, () => times.push(sim.nowMs));
  expect(sim.run({ forMs: 20 })).toEqual({ events: 0, stop: "deadline", nowMs: 20 });
  expect(sim.run({ forMs: 20 })).toEqual({ events: 1, stop: "idle", nowMs: 40 }); // nothing left, yet time moved on
  expect(times).toEqual([30]);
  expect(sim.run()).toEqual({ events: 0, stop: "idle", nowMs: 40 });
});

test("a timer loop that never lets time advance stops with EVENTS_EXHAUSTED", () => {
  const sim = new Simulation({ seed: 1 });
  sim.addNode("spin", (ctx) => {
    const again = (): void => {
      ctx.env.timers.schedule(0, again);
    };
    return { onMessage: () => {}, onStart: again };
  });
  expect(() => sim.run()).toThrow(expect.objectContaining({ code: "EVENTS_EXHAUSTED" }));
});
