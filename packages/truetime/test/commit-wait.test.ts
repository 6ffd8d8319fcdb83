import { AbortedError, type TimerHandle, type Timers } from "@skew/env";
import { ManualEnvironment } from "@skew/env/manual";
import { TrueTimeClock, TrueTimeError } from "@skew/truetime";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { World } from "./support/world.js";

/** A clock synced at monotonic 0 to [1000, 1010]. */
function synced(options: { timers?: (env: ManualEnvironment) => Timers; maxDriftPpm?: number } = {}) {
  const env = new ManualEnvironment();
  const timers = options.timers?.(env) ?? env.timers;
  const clock = new TrueTimeClock({ monotonic: env.monotonic, timers, maxDriftPpm: options.maxDriftPpm ?? 200 });
  clock.sync([{ source: "gps", monotonicMs: 0, earliest: 1_000, latest: 1_010 }]);
  return { env, clock };
}

/** Watches a promise: when (on the monotonic clock) it settled, and how. */
function watch<T>(env: ManualEnvironment, promise: Promise<T>) {
  const state: { settledAtMs?: number; value?: T; error?: unknown } = {};
  promise.then(
    (value) => {
      state.settledAtMs = env.monotonic.now();
      state.value = value;
    },
    (error: unknown) => {
      state.settledAtMs = env.monotonic.now();
      state.error = error;
    },
  );
  return state;
}

/** Timers that fire after `fraction` of the delay asked: a paused VM's catch-up, or a wrong estimate. */
class EarlyTimers implements Timers {
  wakes = 0;
  constructor(
    private readonly inner: Timers,
    private readonly fraction: number,
  ) {}
  schedule(delayMs: number, callback: () => void): TimerHandle {
    return this.inner.schedule(delayMs * this.fraction, () => {
      this.wakes++;
      callback();
    });
  }
  cancel(handle: TimerHandle): void {
    this.inner.cancel(handle);
  }
}

describe("commitWait", () => {
  it("resolves at once, without a timer, when the timestamp has certainly passed", async () => {
    const { env, clock } = synced();
    await expect(clock.commitWait(999)).resolves.toEqual({ waitedMs: 0 });
    expect(env.timers.pendingCount).toBe(0);
  });

  it("resolves once after(t) holds, which takes the width of the interval, and little more", async () => {
    const { env, clock } = synced({ maxDriftPpm: 200 });
    const timestamp = clock.now().latest; // Spanner: s = TT.now().latest
    const wait = watch(env, clock.commitWait(timestamp));
    // The earliest bound rises 0.9998 ms per local ms from 1,000: it passes 1,010 after 10 / 0.9998 ms.
    const neededMs = 10 / (1 - 200e-6);
    await env.advanceAsync(neededMs - 0.001);
    expect(wait.settledAtMs).toBeUndefined();
    expect(clock.after(timestamp)).toBe(false);
    await env.advanceAsync(1);
    expect(wait.error).toBeUndefined();
    expect(wait.value?.waitedMs).toBe(wait.settledAtMs);
    expect(wait.settledAtMs).toBeGreaterThan(neededMs);
    expect(wait.settledAtMs).toBeLessThan(neededMs + 0.01);
  });

  it("checks again after waking, so a timer that fires early cannot end the wait early", async () => {
    let early: EarlyTimers | undefined;
    const { env, clock } = synced({
      timers: (e) => {
        early = new EarlyTimers(e.timers, 0.5);
        return early;
      },
    });
    const timestamp = clock.now().latest;
    const wait = watch(env, clock.commitWait(timestamp));
    for (let i = 0; i < 20 && wait.settledAtMs === undefined; i++) {
      expect(clock.after(timestamp)).toBe(false);
      await env.advanceAsync(1);
    }
    expect(wait.value).toBeDefined();
    expect(clock.after(timestamp)).toBe(true);
    expect(early?.wakes).toBeGreaterThan(1);
  });

  it("keeps waiting when a sync moves the interval back during the wait", async () => {
    const { env, clock } = synced();
    const timestamp = 1_010;
    const wait = watch(env, clock.commitWait(timestamp));
    await env.advanceAsync(5);
    // New sources put true time five milliseconds earlier than the old ones did.
    clock.sync([{ source: "gps", monotonicMs: 5, earliest: 1_000, latest: 1_001 }]);
    await env.advanceAsync(6);
    expect(wait.settledAtMs).toBeUndefined();
    await env.advanceAsync(10);
    expect(wait.settledAtMs).toBeGreaterThan(15);
    expect(clock.after(timestamp)).toBe(true);
  });

  it("stops when its signal aborts, cancelling its timer", async () => {
    const { env, clock } = synced();
    const controller = new AbortController();
    const reason = new AbortedError("transaction cancelled");
    const wait = watch(env, clock.commitWait(1_010, { signal: controller.signal }));
    await env.advanceAsync(3);
    controller.abort(reason);
    await env.advanceAsync(0);
    expect(wait.error).toBe(reason);
    expect(env.timers.pendingCount).toBe(0);
    await expect(clock.commitWait(0, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it("rejects on a clock that was never synchronized, and on a timestamp that is not a finite number", async () => {
    const env = new ManualEnvironment();
    const clock = new TrueTimeClock({ monotonic: env.monotonic, timers: env.timers });
    await expect(clock.commitWait(0)).rejects.toThrow(TrueTimeError);
    await expect(clock.commitWait(0)).rejects.toMatchObject({ code: "TRUETIME_UNSYNCHRONIZED" });
    await expect(synced().clock.commitWait(Number.NaN)).rejects.toThrow(RangeError);
  });
});

/**
 * Two transactions on two nodes, in one world with one true timeline: T1 on
 * node A takes s1 = now().latest and (with commit wait) waits until after(s1)
 * before it reports its commit; `gapMs` of true time later, T2 on node B takes
 * s2 = now().latest. Each node was synced once to an interval that held true
 * time, and each node's oscillator runs within its drift bound.
 */
interface TwoNodes {
  readonly maxDriftPpm: number;
  /** Each node's rate error, as a fraction of half the bound (so -1..1). */
  readonly rateA: number;
  readonly rateB: number;
  /** Where true time sat in each node's sync interval: ms below and above it. */
  readonly syncA: { readonly belowMs: number; readonly aboveMs: number; readonly delayMs: number };
  readonly syncB: { readonly belowMs: number; readonly aboveMs: number; readonly delayMs: number };
  readonly t1DelayMs: number;
  readonly gapMs: number;
}

async function twoTransactions(scenario: TwoNodes, options: { commitWait: boolean }) {
  const rho = scenario.maxDriftPpm / 1e6;
  const world = new World(1_000_000);
  const a = world.addNode(1 + (scenario.rateA * rho) / 2, 17);
  const b = world.addNode(1 + (scenario.rateB * rho) / 2, 4_242);
  const clockA = new TrueTimeClock({ monotonic: a, timers: a, maxDriftPpm: scenario.maxDriftPpm });
  const clockB = new TrueTimeClock({ monotonic: b, timers: b, maxDriftPpm: scenario.maxDriftPpm });
  for (const [node, clock, sync] of [
    [a, clockA, scenario.syncA],
    [b, clockB, scenario.syncB],
  ] as const) {
    world.advance(sync.delayMs);
    const sample = {
      source: "time-server",
      monotonicMs: node.now(),
      earliest: world.trueMs - sync.belowMs,
      latest: world.trueMs + sync.aboveMs,
    };
    expect(clock.sync([sample]).ok).toBe(true);
  }
  world.advance(scenario.t1DelayMs);
  const s1 = clockA.now().latest;
  if (options.commitWait) await world.run(clockA.commitWait(s1));
  const trueAtCommitMs = world.trueMs;
  world.advance(scenario.gapMs);
  const s2 = clockB.now().latest;
  return { s1, s2, trueAtCommitMs };
}

const syncArb = fc.record({
  belowMs: fc.double({ min: 0, max: 20, noNaN: true }),
  aboveMs: fc.double({ min: 0, max: 20, noNaN: true }),
  delayMs: fc.double({ min: 0, max: 1_000, noNaN: true }),
});

const twoNodesArb: fc.Arbitrary<TwoNodes> = fc.record({
  maxDriftPpm: fc.oneof(fc.constant(200), fc.integer({ min: 0, max: 1_000 })),
  rateA: fc.double({ min: -1, max: 1, noNaN: true }),
  rateB: fc.double({ min: -1, max: 1, noNaN: true }),
  syncA: syncArb,
  syncB: syncArb,
  t1DelayMs: fc.double({ min: 0, max: 100_000, noNaN: true }),
  gapMs: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 50, noNaN: true })),
});

describe("external consistency (Spanner's commit wait)", () => {
  it("gives a transaction that starts after another's commit, on any node, a larger timestamp", async () => {
    await fc.assert(
      fc.asyncProperty(twoNodesArb, async (scenario) => {
        const { s1, s2, trueAtCommitMs } = await twoTransactions(scenario, { commitWait: true });
        expect(trueAtCommitMs).toBeGreaterThan(s1);
        expect(s1).toBeLessThan(s2);
      }),
      { numRuns: 200 },
    );
  });

  it("is violated by the same schedule without commit wait, with both clocks within their bounds", async () => {
    // Node A's interval has true time at its bottom, node B's at its top: both correct, ten ms apart.
    const scenario: TwoNodes = {
      maxDriftPpm: 200,
      rateA: 0,
      rateB: 0,
      syncA: { belowMs: 0, aboveMs: 10, delayMs: 0 },
      syncB: { belowMs: 10, aboveMs: 0, delayMs: 0 },
      t1DelayMs: 0,
      gapMs: 1,
    };
    const without = await twoTransactions(scenario, { commitWait: false });
    expect(without.s2).toBeLessThan(without.s1); // T2 came after T1, yet is ordered before it.
    const withWait = await twoTransactions(scenario, { commitWait: true });
    expect(withWait.s1).toBeLessThan(withWait.s2);
  });
});
