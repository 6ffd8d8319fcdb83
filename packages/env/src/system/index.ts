/**
 * The real machine behind the `@skew/env` interfaces. Only drivers (a node, a
 * CLI, a benchmark) import this entry point; a core never does, and the
 * determinism test checks it.
 */
import { AssertionError } from "../assert.js";
import { checkNumber } from "../check-number.js";
import type { MonotonicClock, WallClock } from "../clock.js";
import type { Environment } from "../environment.js";
import { Random } from "../random.js";
import type { TimerHandle, Timers } from "../timers.js";

/** `Date.now()`: the machine's time of day, which NTP may step backward. */
export class SystemWallClock implements WallClock {
  readonly kind = "wall" as const;
  now(): number {
    return Date.now();
  }
}

/**
 * `performance.now()`, checked: if the platform ever hands back a smaller
 * reading than the last one, this throws rather than let a duration go
 * negative (TigerBeetle panics in the same place).
 */
export class SystemMonotonicClock implements MonotonicClock {
  readonly kind = "monotonic" as const;
  #last = Number.NEGATIVE_INFINITY;

  now(): number {
    const reading = performance.now();
    if (reading < this.#last) {
      throw new AssertionError(`monotonic clock went backward: ${reading} < ${this.#last}`);
    }
    this.#last = reading;
    return reading;
  }
}

interface SystemTimerHandle extends TimerHandle {
  readonly timeout: ReturnType<typeof setTimeout>;
}

/**
 * `setTimeout` behind the `Timers` interface. With `unref: true` a pending
 * timer does not keep the process alive (for background work such as
 * heartbeats).
 */
export class SystemTimers implements Timers {
  readonly #unref: boolean;
  #nextId = 1;

  constructor(options: { unref?: boolean } = {}) {
    this.#unref = options.unref ?? false;
  }

  schedule(delayMs: number, callback: () => void): TimerHandle {
    checkNumber("Timers.schedule: delayMs", delayMs);
    if (!(delayMs >= 0)) throw new RangeError(`Timers.schedule: delayMs must be >= 0, got ${String(delayMs)}`);
    const timeout = setTimeout(callback, delayMs);
    if (this.#unref) timeout.unref();
    const handle: SystemTimerHandle = { id: this.#nextId++, timeout };
    return handle;
  }

  cancel(handle: TimerHandle): void {
    const timeout = (handle as Partial<SystemTimerHandle>).timeout;
    if (timeout === undefined) throw new TypeError("SystemTimers.cancel: not a handle from SystemTimers");
    clearTimeout(timeout);
  }
}

/** A `Random` seeded from the platform's cryptographic source. */
export function systemRandom(): Random {
  const [seed] = crypto.getRandomValues(new Uint32Array(1));
  return Random.seeded(seed ?? 0);
}

/** The real environment: system clocks, `setTimeout`, a randomly seeded `Random`. */
export function systemEnvironment(options: { random?: Random; unrefTimers?: boolean } = {}): Environment {
  return {
    wall: new SystemWallClock(),
    monotonic: new SystemMonotonicClock(),
    timers: new SystemTimers({ unref: options.unrefTimers ?? false }),
    random: options.random ?? systemRandom(),
  };
}
