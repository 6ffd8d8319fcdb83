import { AbortedError, AssertionError, assert, orderingOfSign, reverseOrdering, sleep } from "@skew/env";
import { ManualEnvironment, ManualMonotonicClock, ManualWallClock } from "@skew/env/manual";
import { SystemMonotonicClock, SystemTimers, SystemWallClock, systemEnvironment } from "@skew/env/system";
import { describe, expect, it } from "vitest";

describe("manual clocks", () => {
  it("lets the wall clock be set and jump backward while monotonic time only advances", () => {
    const env = new ManualEnvironment({ wallStartMs: 1_000 });
    env.advance(50);
    expect(env.wall.now()).toBe(1_050);
    expect(env.monotonic.now()).toBe(50);
    env.wall.jump(-500);
    expect(env.wall.now()).toBe(550);
    expect(env.monotonic.now()).toBe(50);
    expect(() => env.monotonic.advance(-1)).toThrow(RangeError);
  });

  it("fires timers in due order, including those scheduled by a timer inside the window", () => {
    const env = new ManualEnvironment();
    const fired: string[] = [];
    env.timers.schedule(30, () => fired.push(`c@${env.monotonic.now()}`));
    env.timers.schedule(10, () => {
      fired.push(`a@${env.monotonic.now()}`);
      env.timers.schedule(5, () => fired.push(`b@${env.monotonic.now()}`));
    });
    const cancelled = env.timers.schedule(20, () => fired.push("never"));
    env.timers.cancel(cancelled);
    env.advance(29);
    expect(fired).toEqual(["a@10", "b@15"]);
    env.advance(1);
    expect(fired).toEqual(["a@10", "b@15", "c@30"]);
    expect(env.timers.pendingCount).toBe(0);
  });

  it("settles sleeps and supports abort", async () => {
    const env = new ManualEnvironment();
    const order: string[] = [];
    const slept = sleep(env.timers, 100).then(() => order.push("slept"));
    const controller = new AbortController();
    const aborted = sleep(env.timers, 1_000, controller.signal).catch((e: unknown) => {
      order.push((e as Error).name === "AbortError" ? "aborted" : "other");
    });
    await env.advanceAsync(99);
    expect(order).toEqual([]);
    await env.advanceAsync(1);
    expect(order).toEqual(["slept"]);
    controller.abort();
    await aborted;
    await slept;
    expect(order).toEqual(["slept", "aborted"]);
    expect(env.timers.pendingCount).toBe(0);
  });

  it("rejects non-finite times", () => {
    expect(() => new ManualWallClock(Number.NaN)).toThrow(RangeError);
    expect(() => new ManualMonotonicClock().advance(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe("system clocks", () => {
  it("reads real time and a non-decreasing monotonic clock", () => {
    const wall = new SystemWallClock();
    const monotonic = new SystemMonotonicClock();
    expect(Math.abs(wall.now() - Date.now())).toBeLessThan(1_000);
    let last = monotonic.now();
    for (let i = 0; i < 1_000; i++) {
      const next = monotonic.now();
      expect(next).toBeGreaterThanOrEqual(last);
      last = next;
    }
  });

  it("fires a real timer and cancels another", async () => {
    const timers = new SystemTimers();
    let cancelledFired = false;
    const handle = timers.schedule(1, () => {
      cancelledFired = true;
    });
    timers.cancel(handle);
    await sleep(timers, 5);
    expect(cancelledFired).toBe(false);
    expect(systemEnvironment().wall.kind).toBe("wall");
  });
});

describe("assert and orderings", () => {
  it("throws an AssertionError with the message when the condition is false", () => {
    expect(() => assert(false, "broken")).toThrow(new AssertionError("broken"));
    expect(() => assert(true)).not.toThrow();
  });

  it("reverses and derives orderings", () => {
    expect(reverseOrdering("before")).toBe("after");
    expect(reverseOrdering("after")).toBe("before");
    expect(reverseOrdering("concurrent")).toBe("concurrent");
    expect(orderingOfSign(-3)).toBe("before");
    expect(orderingOfSign(0)).toBe("equal");
    expect(orderingOfSign(2)).toBe("after");
  });
});

describe("sleep", () => {
  it("rejects with AbortedError when the signal was aborted without a reason of its own", async () => {
    const env = new ManualEnvironment();
    const signal = { aborted: true, reason: undefined } as unknown as AbortSignal;
    await expect(sleep(env.timers, 10, signal)).rejects.toBeInstanceOf(AbortedError);
    expect(() => sleep(env.timers, -1)).toThrow(RangeError);
  });
});
