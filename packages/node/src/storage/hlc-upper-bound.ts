/**
 * The HLC's persisted upper bound (CockroachDB's `wallTimeUpperBound`): the
 * clock never issues a timestamp whose wall part reaches the last bound it
 * persisted, and persists a higher one before it would, so a restarted node
 * starts at the bound and never issues a timestamp below one it issued before
 * it crashed, even if its wall clock went back meanwhile.
 *
 * Its bytes are those of @skew/kv's metadata counters (a float64 and its
 * CRC-32C, kv node/storage.ts `encodeCount`), which kv does not export.
 */
import { crc32c } from "@skew/kv";
import { StorageError } from "./errors.js";

export const hlcUpperBoundKey = "m/hlc-upper-bound";

const countBytes = 8;
const encodedBytes = countBytes + 4;

export function encodeHlcUpperBound(boundMs: number): Uint8Array {
  if (!Number.isSafeInteger(boundMs) || boundMs < 0) {
    throw new RangeError(`encodeHlcUpperBound: the bound must be a non-negative safe integer of ms, got ${boundMs}`);
  }
  const bytes = new Uint8Array(encodedBytes);
  const view = new DataView(bytes.buffer);
  view.setFloat64(0, boundMs);
  view.setUint32(countBytes, crc32c(bytes.subarray(0, countBytes)));
  return bytes;
}

/**
 * The bound in `bytes`. Throws `STORAGE_CORRUPT` when they are not one: a
 * silent fallback (to the wall clock, say) could let the restarted clock
 * issue timestamps below ones issued before the crash, so the driver has to
 * decide that knowingly.
 */
export function decodeHlcUpperBound(bytes: Uint8Array): number {
  if (bytes.length === encodedBytes) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, encodedBytes);
    const value = view.getFloat64(0);
    const intact = view.getUint32(countBytes) === crc32c(bytes.subarray(0, countBytes));
    if (intact && Number.isSafeInteger(value) && value >= 0) return value;
  }
  throw new StorageError(
    "STORAGE_CORRUPT",
    `${hlcUpperBoundKey} holds ${bytes.length} bytes that are not an intact upper bound (checksum or length)`,
  );
}
