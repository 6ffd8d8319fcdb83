/**
 * The drain before a live run's final read (src/live/drain.ts), on a clock
 * the test moves: it waits while operations are in flight, ends as soon as
 * none is, and refuses to wait past the client timeout and its margin or
 * through a failure the driver recorded.
 */
import { describe, expect, it } from "vitest";
import { drainMarginMs, drainOperations, drainPollMs } from "../../src/live/drain.js";

/** A clock that advances only when the drain waits, and counts the waits. */
function manualTime(): { nowMs: () => number; wait: (ms: number) => Promise<void>; waits: () => number } {
  let now = 0;
  let waits = 0;
  return {
    nowMs: () => now,
    wait: async (ms) => {
      now += ms;
      waits++;
    },
    waits: () => waits,
  };
}

describe("drainOperations", () => {
  it("returns at once when nothing is in flight, and after the last operation ends otherwise", async () => {
    const idleNow = manualTime();
    await drainOperations({ idle: () => true, clientTimeoutMs: 1_000, ...idleNow, what: "t" });
    expect(idleNow.waits()).toBe(0);

    const busy = manualTime();
    const endsAtMs = 250;
    await drainOperations({ idle: () => busy.nowMs() >= endsAtMs, clientTimeoutMs: 1_000, ...busy, what: "t" });
    expect(busy.nowMs()).toBeGreaterThanOrEqual(endsAtMs);
    expect(busy.nowMs()).toBeLessThan(endsAtMs + drainPollMs);
  });

  it("gives up past the client timeout and the margin: an operation that outlives its timeout is a driver bug", async () => {
    const time = manualTime();
    const clientTimeoutMs = 2_000;
    await expect(drainOperations({ idle: () => false, clientTimeoutMs, ...time, what: "run" })).rejects.toThrow(
      `run: operations still in flight ${clientTimeoutMs + drainMarginMs} ms after the stop`,
    );
    expect(time.nowMs()).toBeGreaterThan(clientTimeoutMs + drainMarginMs);
  });

  it("ends with the driver's failure as soon as one is recorded", async () => {
    const time = manualTime();
    const failure = new Error("the driver broke");
    const drained = drainOperations({
      idle: () => false,
      clientTimeoutMs: 60_000,
      ...time,
      failure: () => (time.nowMs() >= 100 ? failure : undefined),
      what: "run",
    });
    await expect(drained).rejects.toBe(failure);
    expect(time.nowMs()).toBeLessThan(100 + drainPollMs + 1);
  });
});
