/**
 * Timers as an input: the core asks to be called back after a delay measured
 * on the monotonic clock, and whoever drives it decides what "after" means
 * (a real `setTimeout`, or a simulated event queue).
 */
import { checkNumber } from "./check-number.js";

export interface TimerHandle {
  readonly id: number;
}

export interface Timers {
  /** Calls `callback` once, no earlier than `delayMs` monotonic milliseconds from now. */
  schedule(delayMs: number, callback: () => void): TimerHandle;
  /** Cancels a pending timer. Cancelling a fired or cancelled timer does nothing. */
  cancel(handle: TimerHandle): void;
}

/**
 * The part of the standard `AbortSignal` that Skew uses, declared here so
 * that cores compile without DOM or Node typings. A real `AbortSignal`
 * satisfies it.
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  throwIfAborted(): void;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/** Raised (as the rejection of `sleep`) when its signal aborts. */
export class AbortedError extends Error {
  override readonly name = "AbortError";
  readonly code = "ABORTED";
}

/**
 * Resolves after `delayMs` on `timers`; rejects with `AbortedError` (or the
 * signal's reason) if `signal` aborts first. The only timer the Promise world
 * needs; everything else is built on it.
 */
export function sleep(timers: Timers, delayMs: number, signal?: AbortSignalLike): Promise<void> {
  checkNumber("sleep: delayMs", delayMs);
  if (!(delayMs >= 0)) throw new RangeError(`sleep: delayMs must be a number >= 0, got ${String(delayMs)}`);
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason ?? new AbortedError("sleep aborted"));
      return;
    }
    const onAbort = (): void => {
      timers.cancel(handle);
      reject(signal?.reason ?? new AbortedError("sleep aborted"));
    };
    const handle = timers.schedule(delayMs, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
