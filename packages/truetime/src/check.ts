/**
 * Argument checks shared by the public entry points. Public methods validate
 * and normalise (abstract-level's habit): a wrong type is a `TypeError`, a
 * number out of range a `RangeError`, and the message names the argument.
 */
import { describeValue } from "@skew/env";
import { maxDriftLimitPpm } from "./constants.js";

export function checkFinite(what: string, value: unknown): asserts value is number {
  if (typeof value !== "number") throw new TypeError(`${what} must be a number, got ${typeof value}`);
  if (!Number.isFinite(value)) throw new RangeError(`${what} must be finite, got ${String(value)}`);
}

export function checkDrift(where: string, maxDriftPpm: unknown): asserts maxDriftPpm is number {
  checkFinite(`${where}: maxDriftPpm`, maxDriftPpm);
  if (maxDriftPpm < 0 || maxDriftPpm > maxDriftLimitPpm) {
    throw new RangeError(`${where}: maxDriftPpm must be in [0, ${maxDriftLimitPpm}], got ${maxDriftPpm}`);
  }
}

export function checkSourceName(where: string, source: unknown): asserts source is string {
  if (typeof source !== "string" || source === "") {
    throw new TypeError(`${where}: source must be a non-empty string, got ${describeValue(source)}`);
  }
}
