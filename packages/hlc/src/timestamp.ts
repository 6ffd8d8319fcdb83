/**
 * An HLC timestamp, the pair (l, c) of Kulkarni et al. 2014: `l` the largest
 * wall time the clock has heard of, `c` a logical counter that orders events
 * sharing one `l`. Timestamps compare by `l`, then `c`; between two nodes an
 * equal pair is broken by node id, which makes the order total.
 *
 * The pair is packed into one number, `l * 2^11 + c`, rather than kept in an
 * object: a number is compared with one machine instruction, needs no
 * allocation, and the lexicographic order of (l, c) is the numeric order of
 * the packed value. The price is 53 bits in all (see constants.ts).
 */
import { describeValue, type Ordering } from "@skew/env";
import { logicalMax, timestampsPerMs, wallMsMax } from "./constants.js";

declare const timestampBrand: unique symbol;

/**
 * A hybrid logical timestamp. At run time a non-negative safe integer; the
 * brand keeps arbitrary numbers out. Make one with a clock, `timestamp()` or
 * a decoder.
 */
export type Timestamp = number & { readonly [timestampBrand]: true };

/** The name of a node, the final tiebreak between equal timestamps. Compared by UTF-16 code units. */
export type NodeId = string;

/** The latest representable timestamp. */
export const timestampMax = (wallMsMax * timestampsPerMs + logicalMax) as Timestamp;

/** Builds a timestamp from its parts; a `RangeError` if either is not an integer in range. */
export function timestamp(wallMs: number, logical = 0): Timestamp {
  if (!(Number.isInteger(wallMs) && wallMs >= 0 && wallMs <= wallMsMax)) {
    throw new RangeError(`timestamp: wallMs must be an integer in [0, ${wallMsMax}], got ${describeValue(wallMs)}`);
  }
  if (!(Number.isInteger(logical) && logical >= 0 && logical <= logicalMax)) {
    throw new RangeError(`timestamp: logical must be an integer in [0, ${logicalMax}], got ${describeValue(logical)}`);
  }
  return pack(wallMs, logical);
}

/** Packs parts already known to be in range. */
export function pack(wallMs: number, logical: number): Timestamp {
  return (wallMs * timestampsPerMs + logical) as Timestamp;
}

/** True for a number that is a timestamp: an integer in [0, `timestampMax`]. */
export function isTimestamp(value: unknown): value is Timestamp {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** The wall part `l`: milliseconds since the Unix epoch. */
export function wallOf(ts: Timestamp): number {
  return Math.floor(ts / timestampsPerMs);
}

/** The logical part `c`: which event of those sharing `wallOf(ts)` this is. */
export function logicalOf(ts: Timestamp): number {
  return ts - Math.floor(ts / timestampsPerMs) * timestampsPerMs;
}

/** How two timestamps relate: `before`, `after` or `equal` (a total order never says `concurrent`). */
export function compare(a: Timestamp, b: Timestamp): Ordering {
  return a < b ? "before" : a > b ? "after" : "equal";
}

/** A numeric comparator for `Array.prototype.sort`: earlier timestamps first. */
export function ascending(a: Timestamp, b: Timestamp): number {
  return a - b;
}

/**
 * The total order of events across nodes: by timestamp, then by node id (by
 * UTF-16 code units, as `<` compares strings, never by locale). Two events
 * compare `equal` only when both timestamp and node agree, that is, when they
 * are the same event.
 */
export function compareWithNode(a: Timestamp, aNode: NodeId, b: Timestamp, bNode: NodeId): Ordering {
  if (a !== b) return a < b ? "before" : "after";
  return aNode < bNode ? "before" : aNode > bNode ? "after" : "equal";
}

/** A `TypeError` unless `value` is a timestamp; `where` names the caller in the message. */
export function checkTimestamp(value: unknown, where: string): asserts value is Timestamp {
  if (!isTimestamp(value)) throw notATimestamp(value, where);
}

// The messages are built out of line, so that the checks stay small enough to inline on the clock's hot paths.
function notATimestamp(value: unknown, where: string): TypeError {
  return new TypeError(
    `${where}: expected a timestamp (an integer in [0, ${timestampMax}]), got ${describeValue(value)}`,
  );
}

function notANodeId(value: unknown, where: string): TypeError {
  return new TypeError(`${where}: expected a node id (a non-empty string), got ${describeValue(value)}`);
}

/** A `TypeError` unless `value` is a non-empty string. */
export function checkNodeId(value: unknown, where: string): asserts value is NodeId {
  if (typeof value !== "string" || value.length === 0) throw notANodeId(value, where);
}
