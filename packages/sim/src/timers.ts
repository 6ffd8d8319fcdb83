/**
 * Timers on the virtual-time queue: a node's `env.timers`. A delay is
 * measured on the node's own monotonic clock (the `@skew/env` contract), so a
 * node whose oscillator runs fast sees its timers fire early in true time,
 * as a real machine would. A timer belongs to one process: after a crash it
 * never fires, and a dead process's new timers are never scheduled.
 */
import type { TimerHandle, Timers } from "@skew/env";
import { runForMaxMs } from "./constants.js";
import { checkDurationMs } from "./validate.js";

/** The part of the kernel that timers need (internal). */
export interface TimerScheduler {
  scheduleTimer(node: number, incarnation: number, delayMs: number, callback: () => void): TimerHandle;
  cancelTimer(node: number, handle: TimerHandle): void;
}

export class ProcessTimers implements Timers {
  readonly #scheduler: TimerScheduler;
  readonly #node: number;
  readonly #incarnation: number;

  constructor(scheduler: TimerScheduler, node: number, incarnation: number) {
    this.#scheduler = scheduler;
    this.#node = node;
    this.#incarnation = incarnation;
  }

  schedule(delayMs: number, callback: () => void): TimerHandle {
    checkDurationMs("Timers.schedule", delayMs, runForMaxMs);
    if (typeof callback !== "function") throw new TypeError("Timers.schedule: callback must be a function");
    return this.#scheduler.scheduleTimer(this.#node, this.#incarnation, delayMs, callback);
  }

  cancel(handle: TimerHandle): void {
    if (typeof handle?.id !== "number") throw new TypeError("Timers.cancel: expected a handle from schedule()");
    this.#scheduler.cancelTimer(this.#node, handle);
  }
}
