/**
 * fast-check generators. Ids come from a small pool (with non-ASCII ones, so
 * UTF-16 and UTF-8 orders and lengths are exercised) and counters are mostly
 * small, so that generated clocks often share entries and are ordered, not
 * only concurrent; a few counters are huge, near the 2^53 limit.
 */
import { counterMax, VectorClock } from "@skew/vector";
import fc from "fast-check";

export const nodeIds = ["a", "b", "c", "d", "é", "日本", "😀", "replica-10"] as const;

export const nodeIdArb = fc.constantFrom(...nodeIds);

export const counterArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: counterMax - 3, max: counterMax }) },
);

export const entriesArb = fc.uniqueArray(fc.tuple(nodeIdArb, counterArb), {
  selector: ([id]) => id,
  maxLength: nodeIds.length,
});

export const clockArb = entriesArb.map((entries) => VectorClock.from(entries));

/** The definition of the order, entry by entry over the union of ids: the oracle `compare` must agree with. */
export function naiveCompare(a: VectorClock, b: VectorClock): "before" | "after" | "equal" | "concurrent" {
  let less = false;
  let greater = false;
  for (const id of new Set([...a.nodes(), ...b.nodes()])) {
    if (a.get(id) < b.get(id)) less = true;
    if (a.get(id) > b.get(id)) greater = true;
  }
  return less && greater ? "concurrent" : less ? "before" : greater ? "after" : "equal";
}

/** The entrywise maximum, computed with plain objects. */
export function naiveMerge(a: VectorClock, b: VectorClock): Record<string, number> {
  const out: Record<string, number> = {};
  for (const id of new Set([...a.nodes(), ...b.nodes()])) out[id] = Math.max(a.get(id), b.get(id));
  return out;
}

/** `clock` after one event at each of `ids` in turn, skipping nodes already at counterMax. */
export function advance(clock: VectorClock, ids: readonly string[]): VectorClock {
  return ids.reduce((c, id) => (c.get(id) < counterMax ? c.increment(id) : c), clock);
}
