import { ManualWallClock } from "@skew/env/manual";
import {
  type ClockEvent,
  ClockOffsetError,
  defaultMaxOffsetMs,
  HlcError,
  HybridLogicalClock,
  type HybridLogicalClockOptions,
  logicalMax,
  logicalOf,
  type Timestamp,
  timestamp,
  timestampMax,
  wallMsMax,
} from "@skew/hlc";
import { assert, describe, expect, it } from "vitest";

const t0 = 1_700_000_000_000;

function setup(options: Partial<HybridLogicalClockOptions> = {}) {
  const wall = new ManualWallClock(t0);
  const events: ClockEvent[] = [];
  const clock = new HybridLogicalClock({ wall, node: "a", onEvent: (e) => events.push(e), ...options });
  return { wall, clock, events };
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof HlcError ? error.code : `not an HlcError: ${String(error)}`;
  }
  return undefined;
}

describe("now(): a local or send event", () => {
  it("takes the wall clock when it has moved past the clock, with a zero counter", () => {
    const { wall, clock } = setup();
    expect(clock.now()).toBe(timestamp(t0, 0));
    wall.set(t0 + 7);
    expect(clock.now()).toBe(timestamp(t0 + 7, 0));
  });

  it("ticks the counter while the wall clock has not moved", () => {
    const { clock } = setup();
    expect([clock.now(), clock.now(), clock.now()]).toEqual([timestamp(t0, 0), timestamp(t0, 1), timestamp(t0, 2)]);
  });

  it("floors a fractional wall clock reading to whole milliseconds", () => {
    const { wall, clock } = setup();
    wall.set(t0 + 0.9);
    expect(clock.now()).toBe(timestamp(t0, 0));
  });

  it("exposes the latest timestamp as `last` without issuing one", () => {
    const { clock } = setup();
    expect(clock.last).toBe(timestamp(0, 0));
    const ts = clock.now();
    expect(clock.last).toBe(ts);
    expect(clock.last).toBe(ts);
  });
});

describe("receive(): the paper's four cases", () => {
  it("takes the wall clock when it is ahead of both the clock and the message", () => {
    const { wall, clock } = setup();
    clock.now();
    wall.set(t0 + 10);
    expect(clock.receive(timestamp(t0 + 5, 9), "b")).toBe(timestamp(t0 + 10, 0));
  });

  it("ticks its own counter when its wall part is the latest", () => {
    const { wall, clock } = setup();
    clock.now();
    clock.now();
    wall.set(t0 - 3);
    expect(clock.receive(timestamp(t0 - 1, 50), "b")).toBe(timestamp(t0, 2));
  });

  it("follows the message, counter plus one, when the message's wall part is the latest", () => {
    const { clock } = setup();
    clock.now();
    expect(clock.receive(timestamp(t0 + 200, 4), "b")).toBe(timestamp(t0 + 200, 5));
  });

  it("takes the larger counter plus one when both wall parts are equal and the latest", () => {
    const { clock } = setup();
    clock.now();
    clock.now();
    expect(clock.receive(timestamp(t0, 9), "b")).toBe(timestamp(t0, 10));
    expect(clock.receive(timestamp(t0, 3), "b")).toBe(timestamp(t0, 11));
  });
});

describe("never poisoned: the max offset", () => {
  it("defaults to CockroachDB's 500 ms", () => {
    expect(setup().clock.maxOffsetMs).toBe(500);
    expect(defaultMaxOffsetMs).toBe(500);
  });

  it("accepts a timestamp exactly max offset ahead of the wall clock", () => {
    const { clock } = setup({ maxOffsetMs: 100 });
    expect(clock.receive(timestamp(t0 + 100, 0), "b")).toBe(timestamp(t0 + 100, 1));
  });

  it("refuses one further ahead with the offset, the limit and the peer, and leaves the clock unchanged", () => {
    const { clock } = setup({ maxOffsetMs: 100 });
    const twin = setup({ maxOffsetMs: 100 }).clock;
    clock.now();
    twin.now();
    const remote = timestamp(t0 + 101, 0);
    let thrown: unknown;
    try {
      clock.receive(remote, "b");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ClockOffsetError);
    expect(thrown).toBeInstanceOf(HlcError);
    expect(thrown).toMatchObject({
      code: "HLC_CLOCK_OFFSET_EXCEEDED",
      peer: "b",
      remote,
      physicalMs: t0,
      offsetMs: 101,
      maxOffsetMs: 100,
    });
    expect((thrown as Error).message).toContain('"b"');
    expect(clock.last).toBe(twin.last);
    expect(clock.now()).toBe(twin.now());
  });

  it("returns the refusal as a value from tryReceive, and the timestamp otherwise", () => {
    const { clock } = setup({ maxOffsetMs: 100 });
    const refused = clock.tryReceive(timestamp(t0 + 1000, 0), "b");
    expect(refused).toEqual({
      ok: false,
      error: {
        code: "HLC_CLOCK_OFFSET_EXCEEDED",
        peer: "b",
        remote: timestamp(t0 + 1000, 0),
        physicalMs: t0,
        offsetMs: 1000,
        maxOffsetMs: 100,
      },
    });
    expect(clock.last).toBe(timestamp(0, 0));
    expect(clock.tryReceive(timestamp(t0 + 101, 0), "b").ok).toBe(false);
    expect(clock.tryReceive(timestamp(t0 + 100, logicalMax), "b")).toEqual({
      ok: true,
      value: timestamp(t0 + 101, 0),
    });
  });

  it("trusts every peer when the max offset is Infinity", () => {
    const { clock } = setup({ maxOffsetMs: Number.POSITIVE_INFINITY });
    expect(clock.receive(timestamp(t0 + 86_400_000, 0), "b")).toBe(timestamp(t0 + 86_400_000, 1));
  });

  it("with a max offset of zero, accepts a timestamp not ahead of the wall clock", () => {
    const { clock } = setup({ maxOffsetMs: 0 });
    expect(clock.receive(timestamp(t0, 7), "b")).toBe(timestamp(t0, 8));
    expect(codeOf(() => clock.receive(timestamp(t0 + 1, 0), "b"))).toBe("HLC_CLOCK_OFFSET_EXCEEDED");
  });
});

describe("receiveAll(): one receive event for a batch, all or nothing", () => {
  it("returns a timestamp after every one in the batch", () => {
    const { clock } = setup();
    const batch = [timestamp(t0 + 3, 1), timestamp(t0 + 9, 4), timestamp(t0 - 50, 0)];
    const ts = clock.receiveAll(batch, "b");
    expect(ts).toBe(timestamp(t0 + 9, 5));
    for (const remote of batch) expect(ts).toBeGreaterThan(remote);
  });

  it("takes in none of the batch if one is too far ahead, and names the latest", () => {
    const { clock } = setup({ maxOffsetMs: 100 });
    clock.now();
    const batch = [timestamp(t0 + 50, 0), timestamp(t0 + 700, 0), timestamp(t0 + 300, 0)];
    expect(() => clock.receiveAll(batch, "b")).toThrow(ClockOffsetError);
    expect(clock.last).toBe(timestamp(t0, 0));
    const result = clock.tryReceiveAll(batch, "b");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ remote: timestamp(t0 + 700, 0), offsetMs: 700 });
    expect(clock.last).toBe(timestamp(t0, 0));
  });

  it("treats an empty batch as a local event", () => {
    const { clock } = setup();
    const twin = setup().clock;
    expect(clock.receiveAll([], "b")).toBe(twin.now());
    expect(clock.receiveAll([], "b")).toBe(twin.now());
  });
});

describe("monotonic across a backward step of the wall clock", () => {
  it("keeps its wall part and ticks the counter until the wall clock catches up, and reports the step", () => {
    const { wall, clock, events } = setup();
    clock.now();
    wall.jump(-5_000);
    expect(clock.now()).toBe(timestamp(t0, 1));
    expect(events).toEqual([{ kind: "wall-clock-backward", previousMs: t0, physicalMs: t0 - 5_000 }]);
    expect(clock.now()).toBe(timestamp(t0, 2));
    expect(events).toHaveLength(1);
    wall.set(t0 + 1);
    expect(clock.now()).toBe(timestamp(t0 + 1, 0));
    expect(events).toHaveLength(1);
  });

  it("reports a step noticed by a receive too", () => {
    const { wall, clock, events } = setup();
    clock.now();
    wall.jump(-1);
    clock.receive(timestamp(t0 - 10, 0), "b");
    expect(events).toEqual([{ kind: "wall-clock-backward", previousMs: t0, physicalMs: t0 - 1 }]);
  });

  it("lets the event callback use the clock", () => {
    const wall = new ManualWallClock(t0);
    const inside: Timestamp[] = [];
    const clock: HybridLogicalClock = new HybridLogicalClock({
      wall,
      node: "a",
      onEvent: () => inside.push(clock.now()),
    });
    const before = clock.now();
    wall.jump(-1);
    const noticed = clock.now();
    expect(inside).toEqual([timestamp(t0, 2)]);
    expect(before).toBeLessThan(noticed);
    expect(noticed).toBeLessThan(inside[0] as Timestamp);
  });
});

describe("the logical counter at its limit", () => {
  it("carries into the wall part instead of wrapping, and reports it", () => {
    const { clock, events } = setup();
    let previous = clock.now();
    for (let i = 1; i <= logicalMax; i++) {
      const ts = clock.now();
      expect(ts).toBeGreaterThan(previous);
      previous = ts;
    }
    expect(previous).toBe(timestamp(t0, logicalMax));
    expect(events).toEqual([]);
    expect(clock.now()).toBe(timestamp(t0 + 1, 0));
    expect(events).toEqual([{ kind: "logical-overflow", wallMs: t0 + 1, physicalMs: t0 }]);
    expect(clock.now()).toBe(timestamp(t0 + 1, 1));
  });

  it("carries on receive as well", () => {
    const { clock, events } = setup();
    expect(clock.receive(timestamp(t0 + 3, logicalMax), "b")).toBe(timestamp(t0 + 4, 0));
    expect(events).toEqual([{ kind: "logical-overflow", wallMs: t0 + 4, physicalMs: t0 }]);
  });

  it("lets the wall clock catch up after a burst", () => {
    const { wall, clock } = setup();
    for (let i = 0; i < 2 * (logicalMax + 1) + 100; i++) clock.now();
    expect(clock.last).toBe(timestamp(t0 + 2, 99));
    wall.set(t0 + 2);
    expect(clock.now()).toBe(timestamp(t0 + 2, 100));
    wall.set(t0 + 3);
    expect(clock.now()).toBe(timestamp(t0 + 3, 0));
  });
});

describe("the edges of the representable range", () => {
  it("refuses a wall clock reading no timestamp can carry, and stays unchanged", () => {
    // A WallClock that returns whatever it is told, even what ManualWallClock refuses.
    let reading = t0;
    const clock = new HybridLogicalClock({ wall: { kind: "wall", now: () => reading }, node: "a" });
    const first = clock.now();
    // The last converts to -1 as a number, but throws as text.
    const unprintable = { valueOf: () => -1, toString: () => assert.fail("converted to text") } as unknown as number;
    for (const bad of [Number.NaN, -1, wallMsMax + 1, Number.POSITIVE_INFINITY, unprintable]) {
      reading = bad;
      expect(codeOf(() => clock.now())).toBe("HLC_WALL_CLOCK_OUT_OF_RANGE");
      expect(codeOf(() => clock.receive(timestamp(t0, 0), "b"))).toBe("HLC_WALL_CLOCK_OUT_OF_RANGE");
    }
    expect(clock.last).toBe(first);
    reading = t0;
    expect(clock.now()).toBe(timestamp(t0, 1));
  });

  it("refuses to go past the latest timestamp, rather than wrap", () => {
    const wall = new ManualWallClock(wallMsMax);
    const clock = new HybridLogicalClock({ wall, node: "a", maxOffsetMs: Number.POSITIVE_INFINITY });
    expect(clock.receive(timestamp(wallMsMax, logicalMax - 1), "b")).toBe(timestampMax);
    expect(codeOf(() => clock.now())).toBe("HLC_TIMESTAMP_OVERFLOW");
    expect(codeOf(() => clock.receive(timestampMax, "b"))).toBe("HLC_TIMESTAMP_OVERFLOW");
    expect(clock.last).toBe(timestampMax);
  });
});

describe("input checks", () => {
  it("refuses bad options with TypeError or RangeError", () => {
    const wall = new ManualWallClock(t0);
    const build = (options: Record<string, unknown>) => () =>
      new HybridLogicalClock({ wall, node: "a", ...options } as unknown as HybridLogicalClockOptions);
    expect(build({ wall: { kind: "monotonic", now: () => 0 } })).toThrow(TypeError);
    expect(build({ wall: undefined })).toThrow(TypeError);
    expect(build({ node: "" })).toThrow(TypeError);
    expect(build({ node: 7 })).toThrow(TypeError);
    expect(build({ onEvent: "yes" })).toThrow(TypeError);
    expect(build({ maxOffsetMs: -1 })).toThrow(RangeError);
    expect(build({ maxOffsetMs: Number.NaN })).toThrow(RangeError);
  });

  it("names the argument whatever was passed, even a value whose conversion to text throws", () => {
    const { clock } = setup();
    const wall = new ManualWallClock(t0);
    const build = (options: Record<string, unknown>) => () =>
      new HybridLogicalClock({ wall, node: "a", ...options } as unknown as HybridLogicalClockOptions);
    for (const [bad, shown] of [
      [{ toString: 0 }, "an object"],
      [Object.create(null), "an object"],
      [Symbol(), "a symbol"],
    ]) {
      expect(() => clock.receive(bad as Timestamp, "b")).toThrow(
        new TypeError(
          `HybridLogicalClock.receive: expected a timestamp (an integer in [0, ${timestampMax}]), got ${shown}`,
        ),
      );
      expect(() => clock.tryReceive(timestamp(t0, 0), bad as string)).toThrow(
        new TypeError(`HybridLogicalClock.tryReceive: expected a node id (a non-empty string), got ${shown}`),
      );
      expect(build({ node: bad })).toThrow(/^HybridLogicalClock: options.node: expected a node id/);
      expect(build({ maxOffsetMs: bad })).toThrow(
        new TypeError(`HybridLogicalClock: maxOffsetMs must be a number, got ${shown}`),
      );
      expect(build({ upperBound: { persist: () => {}, windowMs: bad } })).toThrow(/upperBound.windowMs .*, got an? /);
      expect(build({ upperBound: { persist: () => {}, restoredMs: bad } })).toThrow(
        /upperBound.restoredMs .*, got an? /,
      );
      expect(() => timestamp(bad as number)).toThrow(
        new RangeError(`timestamp: wallMs must be an integer in [0, ${wallMsMax}], got ${shown}`),
      );
      expect(() => timestamp(0, bad as number)).toThrow(/^timestamp: logical must be an integer .*, got an? /);
    }
  });

  it("refuses a received value that is not a timestamp, or a peer that is not a node id", () => {
    const { clock } = setup();
    for (const bad of [-1, 0.5, Number.NaN, 2 ** 53, "1"]) {
      expect(() => clock.receive(bad as Timestamp, "b")).toThrow(TypeError);
      expect(() => clock.tryReceive(bad as Timestamp, "b")).toThrow(TypeError);
      expect(() => clock.receiveAll([timestamp(t0, 0), bad as Timestamp], "b")).toThrow(TypeError);
    }
    expect(() => clock.receive(timestamp(t0, 0), "")).toThrow(TypeError);
    expect(() => clock.receiveAll("nope" as unknown as Timestamp[], "b")).toThrow(TypeError);
    expect(clock.last).toBe(timestamp(0, 0));
  });

  it("keeps the node id it was given", () => {
    expect(setup({ node: "replica-7" }).clock.node).toBe("replica-7");
    expect(logicalOf(setup().clock.now())).toBe(0);
  });
});
