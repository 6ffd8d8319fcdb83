/**
 * Checks on public inputs, shared by every entry point ("public methods
 * validate and normalise; private ones trust their arguments", as
 * abstract-level). Each throws `RangeError`/`TypeError` naming the method and
 * the bad value.
 */
import { describeValue } from "@skew/env";

export function checkDurationMs(where: string, value: number, maxMs: number): void {
  if (typeof value !== "number" || !(value >= 0 && value <= maxMs)) {
    throw new RangeError(`${where}: expected a duration in [0, ${maxMs}] ms, got ${describeValue(value)}`);
  }
}

export function checkFiniteMs(where: string, value: number, maxAbsMs: number): void {
  if (typeof value !== "number" || !(Math.abs(value) <= maxAbsMs)) {
    throw new RangeError(`${where}: expected a finite number of ms within +-${maxAbsMs}, got ${describeValue(value)}`);
  }
}

export function checkProbability(where: string, value: number): void {
  if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
    throw new RangeError(`${where}: expected a probability in [0, 1], got ${describeValue(value)}`);
  }
}

export function checkInteger(where: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${where}: expected an integer in [${min}, ${max}], got ${describeValue(value)}`);
  }
}
