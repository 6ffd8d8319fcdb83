/**
 * A timestamp as a JSON object, `{ "wallMs": 1732500000000, "logical": 3 }`:
 * the two parts by name, readable by people and by programs in any language
 * without knowing how this package packs them. (For a JSON field that must
 * sort as text, use the sortable string instead.)
 */
import { describeValue } from "@skew/env";
import { logicalMax, wallMsMax } from "../constants.js";
import { HlcError } from "../errors.js";
import { checkTimestamp, logicalOf, pack, type Timestamp, wallOf } from "../timestamp.js";

export interface TimestampJson {
  /** The wall part, in ms since the Unix epoch. */
  readonly wallMs: number;
  /** The logical counter. */
  readonly logical: number;
}

/** The JSON form of `ts`, ready for `JSON.stringify`. */
export function encodeJson(ts: Timestamp): TimestampJson {
  checkTimestamp(ts, "encodeJson");
  return { wallMs: wallOf(ts), logical: logicalOf(ts) };
}

/**
 * Reads the JSON form (a parsed value, not text); `HLC_MALFORMED_TIMESTAMP`
 * unless it is an object with exactly `wallMs` and `logical`, integers in range.
 */
export function decodeJson(value: unknown): Timestamp {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw malformed(`expected an object, got ${describeValue(value)}`);
  }
  const keys = Object.keys(value);
  if (keys.length !== 2 || !keys.includes("wallMs") || !keys.includes("logical")) {
    throw malformed(`expected exactly the keys "wallMs" and "logical", got ${JSON.stringify(keys)}`);
  }
  const { wallMs, logical } = value as Record<string, unknown>;
  if (!isIntegerIn(wallMs, wallMsMax))
    throw malformed(`wallMs must be an integer in [0, ${wallMsMax}], got ${describeValue(wallMs)}`);
  if (!isIntegerIn(logical, logicalMax)) {
    throw malformed(`logical must be an integer in [0, ${logicalMax}], got ${describeValue(logical)}`);
  }
  return pack(wallMs, logical);
}

function isIntegerIn(value: unknown, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= max;
}

function malformed(detail: string): HlcError {
  return new HlcError("HLC_MALFORMED_TIMESTAMP", `malformed JSON timestamp: ${detail}`);
}
