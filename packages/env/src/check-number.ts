/**
 * The type check that comes before a range check. `!(delayMs >= 0)` on a
 * symbol, or on an object that will not convert to a number, throws the
 * engine's TypeError ("Cannot convert object to primitive value") before the
 * message naming the argument is built; checking the type first gives the
 * caller that message instead.
 */
import { describeValue } from "./describe-value.js";

/** A `TypeError` unless `value` is a number; `what` names the method and the argument ("sleep: delayMs"). */
export function checkNumber(what: string, value: unknown): asserts value is number {
  if (typeof value !== "number") throw new TypeError(`${what} must be a number, got ${describeValue(value)}`);
}
