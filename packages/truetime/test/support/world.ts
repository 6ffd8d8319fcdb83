/**
 * A small simulated world for testing clocks against the truth: one true
 * timeline, and nodes whose monotonic clocks each run at their own constant
 * rate against it (a quartz oscillator that is a little fast or slow). Timers
 * fire when a node's own monotonic clock reaches their due time, so a node
 * that runs slow also wakes late in true time, as it would on real hardware.
 *
 * Tests keep each node's rate within half the drift bound its TrueTime clock
 * assumes, which leaves a margin that floating-point rounding in this helper
 * can never eat (and keep true time near 1e6 ms rather than today's epoch, so
 * that a nanosecond is still resolvable); the single-node containment test
 * uses exact integer arithmetic instead, to probe the bound itself.
 */
import type { MonotonicClock, TimerHandle, Timers } from "@skew/env";

interface PendingTimer {
  readonly id: number;
  readonly dueLocalMs: number;
  readonly callback: () => void;
}

export class SimNode implements MonotonicClock, Timers {
  readonly kind = "monotonic" as const;
  readonly #world: World;
  /** Local ms per true ms. */
  readonly rate: number;
  readonly #originTrueMs: number;
  readonly #originLocalMs: number;
  readonly #pending = new Map<number, PendingTimer>();
  #nextId = 1;

  constructor(world: World, rate: number, localStartMs: number) {
    this.#world = world;
    this.rate = rate;
    this.#originTrueMs = world.trueMs;
    this.#originLocalMs = localStartMs;
  }

  now(): number {
    return this.#originLocalMs + (this.#world.trueMs - this.#originTrueMs) * this.rate;
  }

  schedule(delayMs: number, callback: () => void): TimerHandle {
    if (!(delayMs >= 0)) throw new RangeError(`schedule: delay must be >= 0, got ${delayMs}`);
    const id = this.#nextId++;
    this.#pending.set(id, { id, dueLocalMs: this.now() + delayMs, callback });
    return { id };
  }

  cancel(handle: TimerHandle): void {
    this.#pending.delete(handle.id);
  }

  /** The true instant at which the next timer falls due, or undefined if none is pending. */
  nextDueTrueMs(): number | undefined {
    let due: number | undefined;
    for (const timer of this.#pending.values()) {
      // A nanosecond late, so that rounding can never make a timer fire before its local due time.
      const trueMs = this.#originTrueMs + (timer.dueLocalMs - this.#originLocalMs) / this.rate + 1e-6;
      if (due === undefined || trueMs < due) due = trueMs;
    }
    return due;
  }

  /** Fires every timer due by now on this node's clock, earliest first, and says how many. */
  fireDue(): number {
    for (let fired = 0; ; fired++) {
      let next: PendingTimer | undefined;
      for (const timer of this.#pending.values()) {
        if (timer.dueLocalMs <= this.now() && (next === undefined || timer.dueLocalMs < next.dueLocalMs)) next = timer;
      }
      if (next === undefined) return fired;
      this.#pending.delete(next.id);
      next.callback();
    }
  }
}

export class World {
  #trueMs: number;
  readonly #nodes: SimNode[] = [];

  constructor(startTrueMs: number) {
    this.#trueMs = startTrueMs;
  }

  /** True time, as no node can read it. */
  get trueMs(): number {
    return this.#trueMs;
  }

  /** A node whose monotonic clock reads `localStartMs` now and runs `rate` local ms per true ms. */
  addNode(rate: number, localStartMs = 0): SimNode {
    const node = new SimNode(this, rate, localStartMs);
    this.#nodes.push(node);
    return node;
  }

  /** Moves true time forward by `deltaMs`, firing the timers that fall due on the way. */
  advance(deltaMs: number): void {
    if (!(deltaMs >= 0)) throw new RangeError(`advance: delta must be >= 0, got ${deltaMs}`);
    const targetMs = this.#trueMs + deltaMs;
    for (let due = this.#nextDue(); due !== undefined && due <= targetMs; due = this.#nextDue()) {
      this.#trueMs = Math.max(this.#trueMs, due);
      let fired = 0;
      for (const node of this.#nodes) fired += node.fireDue();
      if (fired === 0)
        throw new Error(
          `World: a timer due at true ${due} did not fire; keep true time small enough to resolve 1e-6 ms`,
        );
    }
    this.#trueMs = targetMs;
  }

  /**
   * Runs the world, timer by timer, until `promise` settles, and returns its
   * value. Fails if the promise is still pending once no timer is left, or
   * after `limitMs` of true time.
   */
  async run<T>(promise: Promise<T>, limitMs = 60_000): Promise<T> {
    let settled = false;
    const observed = promise.finally(() => {
      settled = true;
    });
    observed.catch(() => {});
    const deadlineMs = this.#trueMs + limitMs;
    for (;;) {
      await settle();
      if (settled) return observed;
      const due = this.#nextDue();
      if (due === undefined) throw new Error("World.run: the promise is pending and no timer is left to wake it");
      if (due > deadlineMs) throw new Error(`World.run: still pending after ${limitMs} ms of true time`);
      this.advance(due - this.#trueMs);
    }
  }

  #nextDue(): number | undefined {
    let due: number | undefined;
    for (const node of this.#nodes) {
      const nodeDue = node.nextDueTrueMs();
      if (nodeDue !== undefined && (due === undefined || nodeDue < due)) due = nodeDue;
    }
    return due;
  }
}

/** Lets every queued promise callback run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
