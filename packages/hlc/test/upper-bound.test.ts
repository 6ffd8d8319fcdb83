/**
 * Monotonic across restarts: the persisted upper bound (CockroachDB's
 * `wallTimeUpperBound`). A restarted node must never issue a timestamp at or
 * below one it issued before it crashed, even when its wall clock came back
 * earlier than it was.
 */
import { assert } from "@skew/env";
import { ManualWallClock } from "@skew/env/manual";
import {
  defaultUpperBoundWindowMs,
  HlcError,
  HybridLogicalClock,
  logicalOf,
  type Timestamp,
  timestamp,
  wallMsMax,
  wallOf,
} from "@skew/hlc";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const t0 = 1_700_000_000_000;

/** Durable storage as a test sees it: what survived, and every write. */
class Disk {
  boundMs: number | undefined;
  readonly writes: number[] = [];
  failing = false;

  readonly persist = (boundMs: number): void => {
    if (this.failing) throw new Error("disk full");
    this.boundMs = boundMs;
    this.writes.push(boundMs);
  };
}

function start(wall: ManualWallClock, disk: Disk, windowMs?: number): HybridLogicalClock {
  return new HybridLogicalClock({
    wall,
    node: "a",
    upperBound: {
      persist: disk.persist,
      ...(disk.boundMs === undefined ? {} : { restoredMs: disk.boundMs }),
      ...(windowMs === undefined ? {} : { windowMs }),
    },
  });
}

describe("the persisted upper bound", () => {
  it("is persisted a window ahead before the first timestamp, then only when the clock reaches it", () => {
    const wall = new ManualWallClock(t0);
    const disk = new Disk();
    const clock = start(wall, disk, 100);
    expect(clock.upperBoundMs).toBe(0);
    expect(clock.now()).toBe(timestamp(t0, 0));
    expect(disk.writes).toEqual([t0 + 100]);
    expect(clock.upperBoundMs).toBe(t0 + 100);
    wall.set(t0 + 99);
    clock.now();
    expect(disk.writes).toEqual([t0 + 100]);
    wall.set(t0 + 100);
    expect(clock.now()).toBe(timestamp(t0 + 100, 0));
    expect(disk.writes).toEqual([t0 + 100, t0 + 200]);
  });

  it("defaults to a 250 ms window", () => {
    const disk = new Disk();
    start(new ManualWallClock(t0), disk).now();
    expect(disk.writes).toEqual([t0 + 250]);
    expect(defaultUpperBoundWindowMs).toBe(250);
  });

  it("is persisted before a receive that moves the clock past it", () => {
    const wall = new ManualWallClock(t0);
    const disk = new Disk();
    const clock = start(wall, disk, 100);
    clock.now();
    expect(clock.receive(timestamp(t0 + 400, 2), "b")).toBe(timestamp(t0 + 400, 3));
    expect(disk.writes).toEqual([t0 + 100, t0 + 500]);
  });

  it("starts a restarted clock above everything issued before the crash, though its wall clock went back", () => {
    const wall = new ManualWallClock(t0);
    const disk = new Disk();
    const before = start(wall, disk, 100);
    let last = before.now();
    for (let i = 0; i < 5; i++) last = before.receive(timestamp(t0 + 90, 7), "b");
    expect(wallOf(last)).toBe(t0 + 90);

    wall.set(t0 - 60_000); // The machine comes back with its clock a minute behind.
    const after = start(wall, disk, 100);
    expect(after.last).toBe(timestamp(t0 + 100, 0));
    const first = after.now();
    expect(first).toBeGreaterThan(last);
    expect(first).toBe(timestamp(t0 + 100, 1));
    expect(disk.boundMs).toBe(t0 + 200);
  });

  it("issues nothing and changes nothing when persisting fails, and recovers once it succeeds", () => {
    const wall = new ManualWallClock(t0);
    const disk = new Disk();
    const clock = start(wall, disk, 100);
    const first = clock.now();
    wall.set(t0 + 150);
    disk.failing = true;
    let thrown: unknown;
    try {
      clock.now();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(HlcError);
    expect((thrown as HlcError).code).toBe("HLC_UPPER_BOUND_PERSIST_FAILED");
    expect(((thrown as HlcError).cause as Error).message).toBe("disk full");
    expect(clock.last).toBe(first);
    expect(clock.upperBoundMs).toBe(t0 + 100);
    disk.failing = false;
    expect(clock.now()).toBe(timestamp(t0 + 150, 0));
    expect(disk.writes).toEqual([t0 + 100, t0 + 250]);
  });

  it("refuses a persist callback that uses the clock", () => {
    const wall = new ManualWallClock(t0);
    const clock: HybridLogicalClock = new HybridLogicalClock({
      wall,
      node: "a",
      upperBound: { persist: () => void clock.now() },
    });
    let thrown: unknown;
    try {
      clock.now();
    } catch (error) {
      thrown = error;
    }
    expect((thrown as HlcError).code).toBe("HLC_UPPER_BOUND_PERSIST_FAILED");
    expect((thrown as HlcError).cause).toBeInstanceOf(TypeError);
    expect(clock.last).toBe(timestamp(0, 0));
  });

  it("has no bound when not configured", () => {
    expect(new HybridLogicalClock({ wall: new ManualWallClock(t0), node: "a" }).upperBoundMs).toBeUndefined();
  });

  it("refuses bad options", () => {
    const wall = new ManualWallClock(t0);
    const persist = (): void => {};
    const build = (upperBound: Record<string, unknown>) => () =>
      new HybridLogicalClock({ wall, node: "a", upperBound: upperBound as never });
    expect(build({ persist: "no" })).toThrow(TypeError);
    for (const windowMs of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(build({ persist, windowMs })).toThrow(RangeError);
    }
    for (const restoredMs of [-1, 0.5, wallMsMax + 1, Number.NaN]) {
      expect(build({ persist, restoredMs })).toThrow(RangeError);
    }
  });
});

describe("monotonic across any crashes and wall clocks", () => {
  it("never issues a timestamp at or below one issued before, in any incarnation, nor past the durable bound", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("set" as const), ms: fc.integer({ min: t0 - 10_000, max: t0 + 10_000 }) }),
      fc.record({ kind: fc.constant("now" as const), times: fc.integer({ min: 1, max: 50 }) }),
      fc.record({ kind: fc.constant("receive" as const), aheadMs: fc.integer({ min: -1_000, max: 500 }) }),
      fc.record({ kind: fc.constant("crash" as const) }),
      fc.record({ kind: fc.constant("disk" as const), failing: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000 }), fc.array(op, { maxLength: 60 }), (windowMs, ops) => {
        const wall = new ManualWallClock(t0);
        const disk = new Disk();
        let clock = start(wall, disk, windowMs);
        let last = timestamp(0, 0);
        const issue = (run: () => Timestamp): void => {
          let ts: Timestamp;
          try {
            ts = run();
          } catch (error) {
            assert(error instanceof HlcError && error.code === "HLC_UPPER_BOUND_PERSIST_FAILED", String(error));
            assert(disk.failing, "a persist failure only when the disk fails");
            return;
          }
          assert(ts > last, `(${wallOf(ts)}, ${logicalOf(ts)}) not after (${wallOf(last)}, ${logicalOf(last)})`);
          assert(disk.boundMs !== undefined && wallOf(ts) < disk.boundMs, "issued at or past the durable bound");
          last = ts;
        };
        for (const o of ops) {
          if (o.kind === "set") wall.set(o.ms);
          else if (o.kind === "disk") disk.failing = o.failing;
          else if (o.kind === "crash") clock = start(wall, disk, windowMs);
          else if (o.kind === "now") for (let k = 0; k < o.times; k++) issue(() => clock.now());
          else issue(() => clock.receive(timestamp(wall.now() + o.aheadMs, 0), "b"));
        }
      }),
      { numRuns: 200 },
    );
  });
});
