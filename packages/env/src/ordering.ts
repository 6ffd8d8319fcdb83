/**
 * How two events, clocks or timestamps relate. Every clock in Skew answers
 * `compare` with this one vocabulary, so a reader can put a Lamport clock, a
 * vector clock and an HLC side by side.
 *
 * - `before`: the left one happened before (or is dominated by) the right one.
 * - `after`: the converse.
 * - `equal`: the same event or the same clock state.
 * - `concurrent`: neither happened before the other. Only clocks that track
 *   causality exactly (vector clocks) can say this; a total order (Lamport,
 *   HLC) never does.
 */
export type Ordering = "before" | "after" | "equal" | "concurrent";

/** The ordering seen from the other side: `before` <-> `after`. */
export function reverseOrdering(ordering: Ordering): Ordering {
  switch (ordering) {
    case "before":
      return "after";
    case "after":
      return "before";
    default:
      return ordering;
  }
}

/** Maps a numeric comparison (negative, zero, positive) to an ordering of a total order. */
export function orderingOfSign(sign: number): Ordering {
  return sign < 0 ? "before" : sign > 0 ? "after" : "equal";
}
