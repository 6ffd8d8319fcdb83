/**
 * The HLC's persisted upper bound (CockroachDB's `wallTimeUpperBound`): the
 * clock never issues a timestamp whose wall part reaches the last bound it
 * persisted, and persists a higher one before it would, so a restarted node
 * starts at the bound and never issues a timestamp below one it issued before
 * it crashed, even if its wall clock went back meanwhile.
 *
 * Its bytes are @skew/kv's metadata counter (a float64 and its CRC-32C,
 * `encodeCount`), as kv stores its incarnation and Lamport counter.
 */
import { describeValue } from "@skew/env";
import { decodeCount, encodeCount } from "@skew/kv";
import { StorageError } from "./errors.js";

export const hlcUpperBoundKey = "m/hlc-upper-bound";

export function encodeHlcUpperBound(boundMs: number): Uint8Array {
  if (!Number.isSafeInteger(boundMs) || boundMs < 0) {
    throw new RangeError(
      `encodeHlcUpperBound: the bound must be a non-negative safe integer of ms, got ${describeValue(boundMs)}`,
    );
  }
  return encodeCount(boundMs);
}

/**
 * The bound in `bytes`. Throws `STORAGE_CORRUPT` when they are not one: a
 * silent fallback (to the wall clock, say) could let the restarted clock
 * issue timestamps below ones issued before the crash, so the driver has to
 * decide that knowingly.
 */
export function decodeHlcUpperBound(bytes: Uint8Array): number {
  const value = decodeCount(bytes);
  if (value !== undefined) return value;
  throw new StorageError(
    "STORAGE_CORRUPT",
    `${hlcUpperBoundKey} holds ${bytes.length} bytes that are not an intact upper bound (checksum or length)`,
  );
}
