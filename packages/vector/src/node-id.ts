/**
 * Node ids are the names a clock counts events under: replica ids in a
 * version vector, process ids in a vector clock. They are strings, compared
 * by UTF-16 code units (JavaScript's `<`), which is the order entries are
 * kept and encoded in. An id must survive a round trip through UTF-8, so a
 * lone surrogate, which UTF-8 cannot carry, is refused rather than silently
 * replaced by U+FFFD (which would turn two ids into one).
 */
import { hasLoneSurrogate, utf8Length } from "@skew/env";
import { nodeIdBytesMax } from "./constants.js";

/** Throws `TypeError` or `RangeError` unless `id` is a usable node id; `role` names the argument in the message. */
export function checkNodeId(id: unknown, role: string): asserts id is string {
  if (typeof id !== "string") throw new TypeError(`${role} must be a string, got ${typeof id}`);
  if (id.length === 0) throw new TypeError(`${role} must not be empty`);
  if (hasLoneSurrogate(id)) throw new TypeError(`${role} contains a lone surrogate, which UTF-8 cannot encode`);
  const bytes = utf8Length(id);
  if (bytes > nodeIdBytesMax) {
    throw new RangeError(`${role} takes ${bytes} UTF-8 bytes, more than nodeIdBytesMax (${nodeIdBytesMax})`);
  }
}

/**
 * The engine's shared copy of `id`. JavaScript engines keep one internalized
 * string per property-key spelling, and two internalized strings are equal
 * exactly when they are the same object, so V8 compiles `===` between them
 * into one pointer comparison instead of a call that compares characters.
 * `VectorClock.from` and `increment` intern the ids they store, which keeps
 * the merge-walk of `compare` and `merge` cheap. Decoding does not: it would
 * cost more per id (~100 ns, measured) than it saves in the one or two
 * comparisons a decoded clock usually takes part in. Only speed depends on
 * this, never a result.
 */
export function internNodeId(id: string): string {
  const probe: Record<string, number> = {};
  probe[id] = 0;
  for (const key in probe) return key;
  return id;
}
