/**
 * What the two histories (version-history.ts, sibling-history.ts) share:
 * their argument checks, the resolution of their common limits, and the
 * round-robin key order that bounds one `collect` call's work. Every message
 * names the class it came from (`where`), so a caller sees which history
 * refused it.
 */
import { describeValue } from "@skew/env";
import {
  historyCollectKeysPerCallDefault,
  historyMaxAgeMsDefault,
  historyVersionsPerKeyDefault,
  historyVersionsPerKeyMax,
} from "../constants.js";

export function checkKey(where: string, key: unknown): asserts key is string {
  if (typeof key !== "string") throw new TypeError(`${where}: a key must be a string, got ${typeof key}`);
}

/** Any number but NaN (±∞ compare fine against a history's times). */
export function checkNumber(where: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(`${where}: ${name} must be a number, got ${describeValue(value)}`);
  }
}

/** A number that is neither NaN nor ±∞. */
export function checkFiniteNumber(where: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(`${where}: ${name} must be a finite number, got ${describeValue(value)}`);
  }
}

export function checkCount(where: string, name: string, value: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new RangeError(`${where}: ${name} must be an integer from 1 to ${max}, got ${describeValue(value)}`);
  }
}

/** The limits both histories take; each is optional and defaults to its constant. */
export interface HistoryLimitOptions {
  readonly maxAge?: number;
  readonly versionsPerKey?: number;
  readonly collectKeysPerCall?: number;
}

export interface HistoryLimits {
  readonly maxAge: number;
  readonly versionsPerKey: number;
  readonly collectKeysPerCall: number;
}

/** The limits with their defaults filled in, each checked (a RangeError naming `where` on a bad one). */
export function resolveLimits(where: string, options: HistoryLimitOptions): HistoryLimits {
  const maxAge = options.maxAge ?? historyMaxAgeMsDefault;
  if (typeof maxAge !== "number" || !(maxAge >= 0)) {
    throw new RangeError(`${where}: maxAge must be a number >= 0, got ${describeValue(maxAge)}`);
  }
  const versionsPerKey = options.versionsPerKey ?? historyVersionsPerKeyDefault;
  checkCount(where, "versionsPerKey", versionsPerKey, historyVersionsPerKeyMax);
  const collectKeysPerCall = options.collectKeysPerCall ?? historyCollectKeysPerCallDefault;
  checkCount(where, "collectKeysPerCall", collectKeysPerCall, Number.MAX_SAFE_INTEGER);
  return { maxAge, versionsPerKey, collectKeysPerCall };
}

/**
 * Keys in insertion order, handed out round robin: `next(n)` returns the
 * next `min(n, size)` keys after the last call's, wrapping around, so that
 * one `collect` call's work is bounded and a sweep of every key takes
 * ceil(size / n) calls. Keys are never removed (a history never forgets a
 * key), which keeps the cursor meaningful.
 */
export class RoundRobinKeys {
  readonly #order: string[] = [];
  #cursor = 0;

  get size(): number {
    return this.#order.length;
  }

  /** Appends a key; the caller adds each key once, when it first sees it. */
  add(key: string): void {
    this.#order.push(key);
  }

  next(n: number): string[] {
    const keys = this.#order.length;
    const visits = Math.min(keys, n);
    const out: string[] = [];
    for (let i = 0; i < visits; i++) {
      out.push(this.#order[this.#cursor] as string);
      this.#cursor = (this.#cursor + 1) % keys;
    }
    return out;
  }
}
