/**
 * Every limit of @skew/hlc, with its unit at the end of its name, checked
 * against the others when the module loads (TigerBeetle's constants.zig).
 *
 * A timestamp is one JavaScript number (see timestamp.ts): the wall part in
 * the high bits, the logical counter in the low `logicalBits`. A double holds
 * integers exactly up to 2^53, so the two parts share 53 bits: 42 bits of
 * milliseconds since the Unix epoch (until 2109-05-15) and 11 bits of
 * counter (2048 timestamps per millisecond before the counter carries).
 */
import { assert } from "@skew/env";

/** Bits of the logical counter in a timestamp. */
export const logicalBits = 11;

/** Timestamps per millisecond of wall time: a timestamp is `wallMs * timestampsPerMs + logical`. */
export const timestampsPerMs = 2 ** logicalBits;

/** The largest logical counter; one more carries into the wall part (see clock.ts). */
export const logicalMax = timestampsPerMs - 1;

/** The latest wall time a timestamp can carry, in ms since the Unix epoch (2109-05-15T07:35:11.103Z). */
export const wallMsMax = 2 ** (53 - logicalBits) - 1;

/**
 * How far ahead of the local wall clock a received timestamp may be before it
 * is refused: CockroachDB's default `--max-offset`. It must exceed the real
 * skew between honest nodes, or their messages are refused too.
 */
export const defaultMaxOffsetMs = 500;

/**
 * How far ahead of the latest timestamp the persisted upper bound is set when
 * it must move. A larger window means fewer writes to durable storage; a
 * smaller one means a restarted node leads its wall clock by less (it starts
 * at the bound). Half the default max offset: a restarted node stays well
 * inside what its peers accept.
 */
export const defaultUpperBoundWindowMs = 250;

/** Size of the binary encoding: 6 bytes of wall milliseconds, 2 of logical counter, big-endian. */
export const encodedBytes = 8;

/** Length of the sortable string encoding: the binary encoding as lowercase hexadecimal. */
export const encodedStringLength = 2 * encodedBytes;

/** 2100-01-01T00:00:00Z, in ms since the Unix epoch. */
const year2100Ms = 4_102_444_800_000;

assert(logicalMax >= 1, "a counter must be able to tick at least once per millisecond");
assert(
  wallMsMax * timestampsPerMs + logicalMax === Number.MAX_SAFE_INTEGER,
  "the packing uses every exact integer a double holds, and no more",
);
assert(wallMsMax >= year2100Ms, "timestamps must reach past the year 2100");
assert(wallMsMax < 2 ** 48 && logicalMax < 2 ** 16, "the binary encoding has 48 bits of wall time and 16 of counter");
assert(defaultMaxOffsetMs > 0, "a max offset of zero refuses any skew at all");
assert(
  defaultUpperBoundWindowMs > 0 && defaultUpperBoundWindowMs <= defaultMaxOffsetMs,
  "a restarted node leads its wall clock by up to the window; peers accept a lead up to the max offset",
);
