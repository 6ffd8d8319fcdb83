/**
 * The 8-byte binary encoding of a timestamp: 6 bytes of wall milliseconds,
 * then 2 bytes of logical counter, both big-endian. Comparing two encodings
 * byte by byte (memcmp, a key-value store's key order) gives the timestamp
 * order.
 *
 * The fields are wider than the in-memory packing (48 and 16 bits against 42
 * and 11), so the wire format can outlive it; a decoder refuses what this
 * version cannot represent rather than truncate it.
 */
import { describeValue } from "@skew/env";
import { encodedBytes, logicalMax, wallMsMax } from "../constants.js";
import { HlcError } from "../errors.js";
import { checkTimestamp, logicalOf, pack, type Timestamp, wallOf } from "../timestamp.js";

/** 2^24: the 48-bit wall field is handled as two 24-bit halves, each exact in 32-bit integer arithmetic. */
export const wallHalf = 2 ** 24;

/** The 8 bytes of `ts`, in a new array. */
export function encodeBinary(ts: Timestamp): Uint8Array {
  const bytes = new Uint8Array(encodedBytes);
  encodeBinaryInto(ts, bytes, 0);
  return bytes;
}

/** Writes the 8 bytes of `ts` into `target` at `offset`, for callers that assemble a larger buffer. */
export function encodeBinaryInto(ts: Timestamp, target: Uint8Array, offset = 0): void {
  checkTimestamp(ts, "encodeBinaryInto");
  checkRoom(target, offset, "encodeBinaryInto");
  const wallMs = wallOf(ts);
  const logical = logicalOf(ts);
  const high = Math.floor(wallMs / wallHalf);
  const low = wallMs - high * wallHalf;
  target[offset] = high >>> 16;
  target[offset + 1] = (high >>> 8) & 0xff;
  target[offset + 2] = high & 0xff;
  target[offset + 3] = low >>> 16;
  target[offset + 4] = (low >>> 8) & 0xff;
  target[offset + 5] = low & 0xff;
  target[offset + 6] = logical >>> 8;
  target[offset + 7] = logical & 0xff;
}

/** Reads a timestamp from the 8 bytes of `bytes` at `offset`; `HLC_MALFORMED_TIMESTAMP` if they are missing or out of range. */
export function decodeBinary(bytes: Uint8Array, offset = 0): Timestamp {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("decodeBinary: expected a Uint8Array");
  if (!(Number.isSafeInteger(offset) && offset >= 0)) {
    throw new RangeError(`decodeBinary: offset must be an integer >= 0, got ${describeValue(offset)}`);
  }
  if (bytes.length - offset < encodedBytes) {
    throw new HlcError(
      "HLC_MALFORMED_TIMESTAMP",
      `a binary timestamp takes ${encodedBytes} bytes; ${Math.max(0, bytes.length - offset)} remain at offset ${offset}`,
    );
  }
  // The length check above makes every index below defined.
  const high = ((bytes[offset] as number) << 16) | ((bytes[offset + 1] as number) << 8) | (bytes[offset + 2] as number);
  const low =
    ((bytes[offset + 3] as number) << 16) | ((bytes[offset + 4] as number) << 8) | (bytes[offset + 5] as number);
  const wallMs = high * wallHalf + low;
  const logical = ((bytes[offset + 6] as number) << 8) | (bytes[offset + 7] as number);
  if (wallMs > wallMsMax || logical > logicalMax) {
    throw new HlcError(
      "HLC_MALFORMED_TIMESTAMP",
      `binary timestamp out of range: wall ${wallMs} ms (max ${wallMsMax}), logical ${logical} (max ${logicalMax})`,
    );
  }
  return pack(wallMs, logical);
}

function checkRoom(target: Uint8Array, offset: number, where: string): void {
  if (!(target instanceof Uint8Array)) throw new TypeError(`${where}: expected a Uint8Array`);
  if (!(Number.isSafeInteger(offset) && offset >= 0 && offset + encodedBytes <= target.length)) {
    throw new RangeError(
      `${where}: ${encodedBytes} bytes do not fit at offset ${describeValue(offset)} of a ${target.length}-byte array`,
    );
  }
}
