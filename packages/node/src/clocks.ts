/**
 * The clocks of a real node, and the admin's control over them.
 *
 * The wall clock is the machine's (`Date.now()`) plus what the admin
 * endpoint set: an offset, a drift (ppm: the clock gains `driftPpm` µs per
 * second of real time from the moment it was set) and one-off jumps (added
 * to the offset). The machine's clock itself is never touched: this is how
 * a demo or a test gives one node a wrong clock on a machine that has one.
 * Everything that stamps or compares wall time reads this clock: the HLC's
 * physical part, `lww-wall` stamps, heartbeat clock offsets.
 *
 * TrueTime is synchronized against a reference, not against this clock: in
 * Spanner it is GPS receivers and atomic clocks, which a wrong local clock
 * does not fool. Here the reference is the machine's own clock, taken as
 * true within `trueTimeErrorMs` (set it to what your NTP or PTP daemon
 * guarantees), sampled every `trueTimeSyncIntervalMs`; between samples the
 * interval widens at `maxDriftPpm`, as the clock package prescribes. So a
 * skew applied through the admin endpoint moves `lww-wall` stamps and the
 * HLC's physical part, and not `lww-truetime` stamps: exactly the
 * difference the chapter is about.
 *
 * The HLC's upper bound is persisted through the store's metadata (the
 * bound is put in the next group write, so it is durable no later than any
 * write stamped under it: storage/level-store.ts), and restored at start: a
 * restarted node never issues a smaller timestamp.
 */
import type { MonotonicClock, TimerHandle, Timers, WallClock } from "@skew/env";
import { HybridLogicalClock } from "@skew/hlc";
import type { NodeClocks } from "@skew/kv";
import { LamportClock } from "@skew/lamport";
import { TrueTimeClock } from "@skew/truetime";

/** The admin's settings of one node's wall clock. */
export interface ClockSettings {
  /** Added to the machine's clock, ms. */
  readonly offsetMs: number;
  /** How fast this clock gains on the machine's, in parts per million (negative: loses). */
  readonly driftPpm: number;
}

/** Offsets and drifts beyond these are refused: a day either way, and 10% (a clock that wrong is broken, not skewed). */
export const clockOffsetMsMax = 24 * 60 * 60 * 1000;
export const clockDriftPpmMax = 100_000;

export class AdjustableWallClock implements WallClock {
  readonly kind = "wall" as const;
  readonly #system: WallClock;
  readonly #monotonic: MonotonicClock;
  #offsetMs = 0;
  #driftPpm = 0;
  /** Monotonic ms at which the drift was last set: it accrues from there. */
  #driftFromMs = 0;

  constructor(system: WallClock, monotonic: MonotonicClock) {
    this.#system = system;
    this.#monotonic = monotonic;
  }

  now(): number {
    return this.#system.now() + this.#offsetMs + this.#drifted();
  }

  /** What the admin set, with what the drift has accrued so far folded into the offset. */
  get settings(): ClockSettings & { readonly accruedDriftMs: number } {
    return { offsetMs: this.#offsetMs, driftPpm: this.#driftPpm, accruedDriftMs: this.#drifted() };
  }

  /**
   * Sets the offset and/or drift, and/or jumps the clock by `jumpMs` (added
   * to the offset). The drift accrued so far is kept (folded into the
   * offset), so changing the drift never makes the clock jump.
   */
  adjust(change: { readonly offsetMs?: number; readonly driftPpm?: number; readonly jumpMs?: number }): ClockSettings {
    const offsetMs = change.offsetMs ?? this.#offsetMs + this.#drifted();
    const next = offsetMs + (change.jumpMs ?? 0);
    const driftPpm = change.driftPpm ?? this.#driftPpm;
    if (!(Math.abs(next) <= clockOffsetMsMax))
      throw new RangeError(`the offset must be within ±${clockOffsetMsMax} ms`);
    if (!(Math.abs(driftPpm) <= clockDriftPpmMax)) {
      throw new RangeError(`the drift must be within ±${clockDriftPpmMax} ppm`);
    }
    this.#offsetMs = next;
    this.#driftPpm = driftPpm;
    this.#driftFromMs = this.#monotonic.now();
    return { offsetMs: this.#offsetMs, driftPpm: this.#driftPpm };
  }

  #drifted(): number {
    return this.#driftPpm === 0 ? 0 : ((this.#monotonic.now() - this.#driftFromMs) * this.#driftPpm) / 1e6;
  }
}

export interface NodeClockOptions {
  readonly id: string;
  /** The machine's clock: the reference TrueTime is synchronized against, and the base of the adjustable wall clock. */
  readonly system: WallClock;
  readonly monotonic: MonotonicClock;
  readonly timers: Timers;
  /** The HLC's max offset, ms (messages and contexts further ahead are refused). */
  readonly maxOffsetMs: number;
  /** The bound restored from storage (undefined on a first start), and how to persist a new one. */
  readonly hlcUpperBound: { readonly restoredMs: number | undefined; readonly persist: (boundMs: number) => void };
  /** How far the reference may be from true time, ms. */
  readonly trueTimeErrorMs: number;
  /** How often TrueTime samples the reference, ms. */
  readonly trueTimeSyncIntervalMs: number;
  /** Called after each TrueTime sync (commit waits may be over: the driver ticks the node). */
  readonly onTrueTimeSync?: () => void;
}

export interface RunningClocks {
  readonly clocks: NodeClocks;
  readonly wall: AdjustableWallClock;
  /** Stops the TrueTime sync timer. */
  stop(): void;
}

/** Builds a node's four clocks and starts TrueTime's synchronization (first sample at once). */
export function startNodeClocks(options: NodeClockOptions): RunningClocks {
  const { system, monotonic, timers } = options;
  const wall = new AdjustableWallClock(system, monotonic);
  const restoredMs = options.hlcUpperBound.restoredMs;
  const hlc = new HybridLogicalClock({
    wall,
    node: options.id,
    maxOffsetMs: options.maxOffsetMs,
    upperBound: {
      persist: options.hlcUpperBound.persist,
      ...(restoredMs === undefined ? {} : { restoredMs: Math.ceil(restoredMs) }),
    },
  });
  const truetime = new TrueTimeClock({ monotonic, timers });
  let timer: TimerHandle | undefined;
  let stopped = false;
  const sync = (): void => {
    timer = undefined;
    if (stopped) return;
    const trueMs = system.now();
    const error = options.trueTimeErrorMs;
    truetime.sync([
      { source: "system-clock", monotonicMs: monotonic.now(), earliest: trueMs - error, latest: trueMs + error },
    ]);
    options.onTrueTimeSync?.();
    timer = timers.schedule(options.trueTimeSyncIntervalMs, sync);
  };
  sync();
  return {
    clocks: { wall, hlc, lamport: new LamportClock(options.id), truetime },
    wall,
    stop(): void {
      stopped = true;
      if (timer !== undefined) timers.cancel(timer);
    },
  };
}
