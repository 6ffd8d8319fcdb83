/**
 * Every limit of @skew/lamport, each with its unit and its reason, checked
 * against one another when the module loads (TigerBeetle's habit: a limit
 * that is not written down is a bug waiting for its input).
 */
import { assert } from "@skew/env";

/**
 * The largest counter a clock reaches: 2^53 - 1. Past it a JavaScript number
 * stops counting by one (2^53 + 1 rounds to 2^53), two events would share a
 * counter and the clock condition would break without a sound. Reaching it is
 * an error (`LAMPORT_COUNTER_OVERFLOW`), never a rounding. Counting a million
 * events a second takes 285 years to get there; a peer that sends a counter
 * near it gets there at once.
 */
export const counterMax = Number.MAX_SAFE_INTEGER;

/** Decimal digits of `counterMax`: the text form pads every counter to this width, so that text order is stamp order. */
export const counterDigits = 16;

/**
 * The characters a node id may use. ASCII only, so that the order of node ids
 * as JavaScript strings (UTF-16 code units), as UTF-8 bytes (what an ordered
 * store such as LevelDB compares) and as stamps are one and the same order;
 * and a small set, so that an id needs no escaping in a URL, a header or a
 * file name, and no Unicode normalisation can make two ids look alike.
 */
export const nodeIdAlphabet = "-.0123456789:ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

/** `nodeIdAlphabet` as a regular-expression class, for messages and documentation. */
export const nodeIdCharacterClass = "[A-Za-z0-9._:-]";

/** The longest node id, in bytes (one byte per character of `nodeIdAlphabet`). A stamp rides in every message and every stored version. */
export const nodeIdBytesMax = 64;

/** Between the counter and the node id in the text form. Not in `nodeIdAlphabet`, so that the text parses one way only. */
export const stampSeparator = "@";

/** The most characters of a rejected text that an error message quotes: the text may come from anyone, at any length. */
export const quotedCharsMax = 100;

/** The longest text form of a stamp, in bytes. */
export const stampBytesMax = counterDigits + stampSeparator.length + nodeIdBytesMax;

/** The shortest text form of a stamp (a one-character node id), in bytes. */
export const stampBytesMin = counterDigits + stampSeparator.length + 1;

assert(
  Number.isSafeInteger(counterMax) && !Number.isSafeInteger(counterMax + 1),
  "counterMax: the largest safe integer",
);
assert(String(counterMax).length === counterDigits, "counterDigits: the width of counterMax in decimal");
assert(!nodeIdAlphabet.includes(stampSeparator), "stampSeparator: never part of a node id");
assert(/^[\x21-\x7e]+$/.test(nodeIdAlphabet), "nodeIdAlphabet: visible ASCII only");
assert(
  Array.from({ length: 0x80 }, (_, code) => String.fromCharCode(code)).every(
    (char) => new RegExp(`^${nodeIdCharacterClass}$`).test(char) === nodeIdAlphabet.includes(char),
  ),
  "nodeIdCharacterClass: exactly the characters of nodeIdAlphabet",
);
assert(quotedCharsMax >= stampBytesMax, "quotedCharsMax: quotes any stamp-sized text in full");
assert(stampBytesMin <= stampBytesMax, "stampBytesMin <= stampBytesMax");
