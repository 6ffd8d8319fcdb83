/**
 * Assertions that stay on in production (TigerBeetle's habit): they state what
 * must be true. A broken invariant stops the caller with an `AssertionError`
 * instead of letting it corrupt data. Expected failures are values, not
 * assertions; assertions are for bugs.
 */
import { describeValue } from "./describe-value.js";

export class AssertionError extends Error {
  override readonly name = "AssertionError";
}

export function assert(condition: unknown, message = "assertion failed"): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Marks a branch the type system proves impossible (an exhaustive `switch`). */
export function unreachable(value: never, message = "unreachable"): never {
  throw new AssertionError(`${message}: ${describeValue(value)}`);
}
