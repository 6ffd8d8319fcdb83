/**
 * Every limit of @skew/vector, with its unit at the end of its name
 * (TigerBeetle's habit). Public methods enforce them and decoders check them
 * before they allocate, so a clock or a set that this package builds always
 * encodes to bytes that it accepts again, and hostile bytes cannot make it
 * allocate more than the limits allow.
 */
import { assert } from "@skew/env";

/**
 * The largest counter: events per node. Past 2^53 - 1 a JavaScript number can
 * no longer tell n from n + 1, so an increment there is refused with
 * `VECTOR_COUNTER_OVERFLOW` instead of silently merging two events into one.
 */
export const counterMax = Number.MAX_SAFE_INTEGER;

/** The longest node (or replica) id, in UTF-8 bytes. */
export const nodeIdBytesMax = 255;

/**
 * The most entries one vector clock may hold. A version vector with one entry
 * per replica stays far below it; a clock with one entry per client is what
 * `prune` and dotted version vector sets exist to avoid.
 */
export const entriesMax = 4096;

/** The most sibling values one dotted version vector set may hold. */
export const siblingsMax = 65_536;

/** The most bytes of one encoded sibling value in a dotted version vector set. */
export const valueBytesMax = 64 * 1024 * 1024;

/** Varint (LEB128) bytes needed for the largest counter: 7 payload bits per byte. */
export const counterVarintBytesMax = varintBytes(counterMax);

/** The most bytes an encoded vector clock can take: a two-byte header, a flags byte, a count, then the entries. */
export const clockBytesMax =
  3 + varintBytes(entriesMax) + entriesMax * (varintBytes(nodeIdBytesMax) + nodeIdBytesMax + counterVarintBytesMax);

/** Bytes of the unsigned LEB128 encoding of a non-negative safe integer. */
export function varintBytes(value: number): number {
  let bytes = 1;
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 0x80)) bytes++;
  return bytes;
}

assert(Number.isSafeInteger(counterMax) && counterMax >= 1, "counterMax must be a safe integer");
assert(counterVarintBytesMax === 8, "a 53-bit counter takes 8 varint bytes");
assert(nodeIdBytesMax >= 4, "a node id must be able to hold any one code point (up to 4 UTF-8 bytes)");
assert(entriesMax >= 1 && entriesMax <= siblingsMax, "a set must be able to hold one sibling per entry");
assert(Number.isSafeInteger(clockBytesMax), "the largest encoded clock must have a safe-integer size");
assert(valueBytesMax >= 1 && Number.isSafeInteger(siblingsMax * valueBytesMax), "set sizes must stay safe integers");

/**
 * How many distinct node-id lists are shared between clocks (id-lists.ts).
 * Past it, new lists are simply not shared: only speed depends on it. Its
 * memory is bounded by this times `entriesMax` ids.
 */
export const idListsSharedMax = 4096;
