/**
 * The check of an argument that must be an unsigned 32-bit integer (a hash,
 * a seed, a digest): a TypeError for a value that is not a number, so that
 * `>>>` never runs on a symbol or an object, and a RangeError for a number
 * out of range. `what` names the function and the argument ("crc32c: seed").
 */
import { checkNumber } from "@skew/env";

export function checkUint32(what: string, value: unknown): asserts value is number {
  checkNumber(what, value);
  if (value >>> 0 !== value) throw new RangeError(`${what} must be an unsigned 32-bit integer, got ${value}`);
}
