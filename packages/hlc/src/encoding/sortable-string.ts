/**
 * A timestamp as 16 lowercase hexadecimal digits: the binary encoding
 * (binary.ts), spelled out. Every timestamp has exactly 16 digits and the
 * digits sort in ASCII order, so comparing two strings (`<`, a database
 * index, `sort()`) gives the timestamp order.
 *
 * Built with one `String.fromCharCode` over a digit table, not
 * `toString(16).padStart(...)`: about ten times faster (BENCHMARKING.md).
 */
import { describeValue } from "@skew/env";
import { encodedStringLength, logicalMax, wallMsMax } from "../constants.js";
import { HlcError } from "../errors.js";
import { checkTimestamp, logicalOf, pack, type Timestamp, wallOf } from "../timestamp.js";
import { wallHalf } from "./binary.js";

/** Char code of each hexadecimal digit value (a plain array of small integers: the fastest lookup here). */
const digitCodes: readonly number[] = Array.from("0123456789abcdef", (digit) => digit.charCodeAt(0));

/** Digit value of each char code below 128; -1 for a char that is not a lowercase hexadecimal digit. */
const digitValues = new Int8Array(128).fill(-1);
for (const [value, code] of digitCodes.entries()) digitValues[code] = value;

function digit(value: number): number {
  return digitCodes[value] as number;
}

/** The 16-digit sortable string of `ts`. */
export function encodeString(ts: Timestamp): string {
  checkTimestamp(ts, "encodeString");
  const wallMs = wallOf(ts);
  const logical = logicalOf(ts);
  const high = Math.floor(wallMs / wallHalf);
  const low = wallMs - high * wallHalf;
  return String.fromCharCode(
    digit(high >>> 20),
    digit((high >>> 16) & 15),
    digit((high >>> 12) & 15),
    digit((high >>> 8) & 15),
    digit((high >>> 4) & 15),
    digit(high & 15),
    digit(low >>> 20),
    digit((low >>> 16) & 15),
    digit((low >>> 12) & 15),
    digit((low >>> 8) & 15),
    digit((low >>> 4) & 15),
    digit(low & 15),
    digit(logical >>> 12),
    digit((logical >>> 8) & 15),
    digit((logical >>> 4) & 15),
    digit(logical & 15),
  );
}

/** Reads a sortable string; `HLC_MALFORMED_TIMESTAMP` unless it is 16 lowercase hex digits of a timestamp in range. */
export function decodeString(text: string): Timestamp {
  if (typeof text !== "string") throw new TypeError("decodeString: expected a string");
  if (text.length !== encodedStringLength) throw malformed(text);
  // Unrolled: sixteen independent lookups the processor can overlap. An
  // invalid digit is -1, which the OR of all of them carries to the check.
  const d0 = digitAt(text, 0);
  const d1 = digitAt(text, 1);
  const d2 = digitAt(text, 2);
  const d3 = digitAt(text, 3);
  const d4 = digitAt(text, 4);
  const d5 = digitAt(text, 5);
  const d6 = digitAt(text, 6);
  const d7 = digitAt(text, 7);
  const d8 = digitAt(text, 8);
  const d9 = digitAt(text, 9);
  const d10 = digitAt(text, 10);
  const d11 = digitAt(text, 11);
  const d12 = digitAt(text, 12);
  const d13 = digitAt(text, 13);
  const d14 = digitAt(text, 14);
  const d15 = digitAt(text, 15);
  if ((d0 | d1 | d2 | d3 | d4 | d5 | d6 | d7 | d8 | d9 | d10 | d11 | d12 | d13 | d14 | d15) < 0) throw malformed(text);
  const high = (d0 << 20) | (d1 << 16) | (d2 << 12) | (d3 << 8) | (d4 << 4) | d5;
  const low = (d6 << 20) | (d7 << 16) | (d8 << 12) | (d9 << 8) | (d10 << 4) | d11;
  const logical = (d12 << 12) | (d13 << 8) | (d14 << 4) | d15;
  const wallMs = high * wallHalf + low;
  if (wallMs > wallMsMax || logical > logicalMax) throw malformed(text);
  return pack(wallMs, logical);
}

function digitAt(text: string, index: number): number {
  return digitValues[text.charCodeAt(index)] ?? -1;
}

function malformed(text: string): HlcError {
  return new HlcError(
    "HLC_MALFORMED_TIMESTAMP",
    `expected ${encodedStringLength} lowercase hexadecimal digits of a timestamp ` +
      `(wall <= ${wallMsMax} ms, logical <= ${logicalMax}), got ${describeValue(text)}`,
  );
}
