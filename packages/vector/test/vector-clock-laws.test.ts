/**
 * The laws of vector clocks, as properties. Merge is the join of a
 * semilattice (commutative, associative, idempotent); compare is the partial
 * order that join induces (a <= b exactly when merge(a, b) = b); and both
 * agree with the definitions written out entry by entry.
 */
import { reverseOrdering } from "@skew/env";
import { counterMax, VectorClock } from "@skew/vector";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { advance, clockArb, naiveCompare, naiveMerge, nodeIdArb } from "./support/arbitraries.js";

const same = (a: VectorClock, b: VectorClock): void => {
  expect(a.entries()).toEqual(b.entries());
};

/** Clocks built along different paths (increments from a common ancestor, merges, decoding) so that ids arrays are and are not shared. */
const derivedPairArb = fc
  .tuple(clockArb, fc.array(nodeIdArb, { maxLength: 4 }), fc.array(nodeIdArb, { maxLength: 4 }), fc.boolean())
  .map(([base, left, right, decode]) => {
    const a = advance(base, left);
    const b = advance(base, right);
    return [a, decode ? VectorClock.decode(b.encode()) : b] as const;
  });

const pairArb = fc.oneof(fc.tuple(clockArb, clockArb), derivedPairArb);

describe("vector clock laws", () => {
  it("merge is commutative, associative and idempotent", () => {
    fc.assert(
      fc.property(clockArb, clockArb, clockArb, (a, b, c) => {
        same(a.merge(b), b.merge(a));
        same(a.merge(b).merge(c), a.merge(b.merge(c)));
        same(a.merge(a), a);
      }),
    );
  });

  it("merge is the entrywise maximum and descends from both inputs", () => {
    fc.assert(
      fc.property(pairArb, ([a, b]) => {
        const m = a.merge(b);
        expect(Object.fromEntries(m.entries())).toEqual(naiveMerge(a, b));
        expect(m.descends(a) && m.descends(b)).toBe(true);
      }),
    );
  });

  it("compare agrees with the entrywise definition", () => {
    fc.assert(
      fc.property(pairArb, ([a, b]) => {
        expect(a.compare(b)).toBe(naiveCompare(a, b));
      }),
    );
  });

  it("compare agrees with merge: a <= b iff merge(a, b) = b; concurrent iff neither a <= b nor b <= a", () => {
    fc.assert(
      fc.property(pairArb, ([a, b]) => {
        const ordering = a.compare(b);
        const aUpToB = a.merge(b).equals(b);
        const bUpToA = b.merge(a).equals(a);
        expect(aUpToB).toBe(ordering === "before" || ordering === "equal");
        expect(bUpToA).toBe(ordering === "after" || ordering === "equal");
        expect(ordering === "concurrent").toBe(!aUpToB && !bUpToA);
        expect(ordering === "equal").toBe(a.equals(b));
      }),
    );
  });

  it("compare is antisymmetric: swapping the sides reverses the answer", () => {
    fc.assert(
      fc.property(pairArb, ([a, b]) => {
        expect(b.compare(a)).toBe(reverseOrdering(a.compare(b)));
      }),
    );
  });

  it("descends means compare says after or equal", () => {
    fc.assert(
      fc.property(pairArb, ([a, b]) => {
        expect(a.descends(b)).toBe(["after", "equal"].includes(a.compare(b)));
      }),
    );
  });

  it("the order is transitive", () => {
    fc.assert(
      fc.property(clockArb, fc.array(nodeIdArb, { maxLength: 3 }), fc.array(nodeIdArb, { maxLength: 3 }), (a, x, y) => {
        const b = advance(a, x);
        const c = advance(b, y);
        expect(b.descends(a)).toBe(true);
        expect(c.descends(b)).toBe(true);
        expect(c.descends(a)).toBe(true);
        expect(a.compare(c)).toBe(a.equals(c) ? "equal" : "before");
      }),
    );
  });

  it("an increment happens after what it started from, and after nothing the clock had not seen", () => {
    fc.assert(
      fc.property(pairArb, nodeIdArb, ([a, b], id) => {
        fc.pre(a.get(id) < counterMax);
        const next = a.increment(id);
        expect(next.compare(a)).toBe("after");
        expect(next.get(id)).toBe(a.get(id) + 1);
        // If b was concurrent with a, the new event does not make it ordered the other way round.
        if (a.compare(b) === "concurrent") expect(b.compare(next)).not.toBe("after");
      }),
    );
  });
});
