/**
 * Clocks and timers that a test moves by hand (Effect's `TestClock`):
 * `advance` moves time forward and fires the timers that fall due, in order;
 * `jump` moves only the wall clock, backward too, as an NTP step would.
 */
import { checkNumber } from "../check-number.js";
import type { MonotonicClock, WallClock } from "../clock.js";
import { describeValue } from "../describe-value.js";
import type { Environment } from "../environment.js";
import { Random } from "../random.js";
import type { TimerHandle, Timers } from "../timers.js";

function checkFinite(name: string, value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`${name}: expected a finite number, got ${describeValue(value)}`);
}

/** A wall clock you set: it returns what you last told it, and may be moved backward. */
export class ManualWallClock implements WallClock {
  readonly kind = "wall" as const;
  #ms: number;

  constructor(startMs = 0) {
    checkFinite("ManualWallClock", startMs);
    this.#ms = startMs;
  }

  now(): number {
    return this.#ms;
  }

  set(ms: number): void {
    checkFinite("ManualWallClock.set", ms);
    this.#ms = ms;
  }

  /** Moves the clock by `deltaMs`, which may be negative (a backward step). */
  jump(deltaMs: number): void {
    checkFinite("ManualWallClock.jump", deltaMs);
    this.#ms += deltaMs;
  }
}

/** A monotonic clock you advance; it refuses to go backward. */
export class ManualMonotonicClock implements MonotonicClock {
  readonly kind = "monotonic" as const;
  #ms: number;

  constructor(startMs = 0) {
    checkFinite("ManualMonotonicClock", startMs);
    this.#ms = startMs;
  }

  now(): number {
    return this.#ms;
  }

  advance(deltaMs: number): void {
    checkNumber("ManualMonotonicClock.advance: delta", deltaMs);
    if (!(deltaMs >= 0) || !Number.isFinite(deltaMs)) {
      throw new RangeError(`ManualMonotonicClock.advance: delta must be finite and >= 0, got ${String(deltaMs)}`);
    }
    this.#ms += deltaMs;
  }
}

interface PendingTimer {
  readonly id: number;
  readonly dueMs: number;
  readonly callback: () => void;
}

/** Timers that fire only when the manual monotonic clock is advanced past their due time. */
export class ManualTimers implements Timers {
  readonly #clock: ManualMonotonicClock;
  readonly #pending = new Map<number, PendingTimer>();
  #nextId = 1;

  constructor(clock: ManualMonotonicClock) {
    this.#clock = clock;
  }

  schedule(delayMs: number, callback: () => void): TimerHandle {
    checkNumber("Timers.schedule: delayMs", delayMs);
    if (!(delayMs >= 0)) throw new RangeError(`Timers.schedule: delayMs must be >= 0, got ${String(delayMs)}`);
    const id = this.#nextId++;
    this.#pending.set(id, { id, dueMs: this.#clock.now() + delayMs, callback });
    return { id };
  }

  cancel(handle: TimerHandle): void {
    this.#pending.delete(handle.id);
  }

  /** How many timers have not fired yet. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** The earliest pending timer due at or before `ms`, in (due time, creation) order. */
  takeDue(ms: number): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const timer of this.#pending.values()) {
      if (timer.dueMs > ms) continue;
      if (best === undefined || timer.dueMs < best.dueMs || (timer.dueMs === best.dueMs && timer.id < best.id)) {
        best = timer;
      }
    }
    if (best !== undefined) this.#pending.delete(best.id);
    return best;
  }
}

/**
 * A whole environment under a test's control. Wall and monotonic time move
 * together on `advance`; `wall.jump` moves the wall clock alone.
 */
export class ManualEnvironment implements Environment {
  readonly wall: ManualWallClock;
  readonly monotonic: ManualMonotonicClock;
  readonly timers: ManualTimers;
  readonly random: Random;

  constructor(options: { wallStartMs?: number; seed?: number } = {}) {
    this.wall = new ManualWallClock(options.wallStartMs ?? 0);
    this.monotonic = new ManualMonotonicClock(0);
    this.timers = new ManualTimers(this.monotonic);
    this.random = Random.seeded(options.seed ?? 1);
  }

  /**
   * Moves time forward by `deltaMs`, stopping at each due timer to fire it
   * (timers that fire schedule more; those falling inside the window fire too).
   */
  advance(deltaMs: number): void {
    checkNumber("ManualEnvironment.advance: delta", deltaMs);
    if (!(deltaMs >= 0) || !Number.isFinite(deltaMs)) {
      throw new RangeError(`ManualEnvironment.advance: delta must be finite and >= 0, got ${String(deltaMs)}`);
    }
    const targetMs = this.monotonic.now() + deltaMs;
    for (let timer = this.timers.takeDue(targetMs); timer !== undefined; timer = this.timers.takeDue(targetMs)) {
      this.#moveTo(timer.dueMs);
      timer.callback();
    }
    this.#moveTo(targetMs);
  }

  /**
   * As `advance`, but lets promise callbacks settle after each timer, so that
   * `await sleep(...)` chains inside the code under test run as they would in
   * real time.
   */
  async advanceAsync(deltaMs: number): Promise<void> {
    checkNumber("ManualEnvironment.advanceAsync: delta", deltaMs);
    if (!(deltaMs >= 0) || !Number.isFinite(deltaMs)) {
      throw new RangeError(`ManualEnvironment.advanceAsync: delta must be finite and >= 0, got ${String(deltaMs)}`);
    }
    const targetMs = this.monotonic.now() + deltaMs;
    await settle();
    for (let timer = this.timers.takeDue(targetMs); timer !== undefined; timer = this.timers.takeDue(targetMs)) {
      this.#moveTo(timer.dueMs);
      timer.callback();
      await settle();
    }
    this.#moveTo(targetMs);
    await settle();
  }

  #moveTo(ms: number): void {
    const delta = ms - this.monotonic.now();
    if (delta <= 0) return;
    this.monotonic.advance(delta);
    this.wall.jump(delta);
  }
}

/** Lets every queued promise callback run (a macrotask boundary drains the microtask queue). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
