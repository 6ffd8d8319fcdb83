import { reverseOrdering } from "@skew/env";
import { compareLamportStamps, counterMax, LamportStamp, nodeIdBytesMax } from "@skew/lamport";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stampArbitrary } from "./arbitraries.js";

describe("LamportStamp.of", () => {
  it("keeps the counter and the node id it is given", () => {
    const stamp = LamportStamp.of(42, "node-a");
    expect(stamp.counter).toBe(42);
    expect(stamp.nodeId).toBe("node-a");
    expect(LamportStamp.of(counterMax, "z".repeat(nodeIdBytesMax)).counter).toBe(counterMax);
  });

  it("normalises -0 to 0", () => {
    expect(Object.is(LamportStamp.of(-0, "a").counter, 0)).toBe(true);
    expect(LamportStamp.of(-0, "a").toString()).toBe("0000000000000000@a");
  });

  it("rejects a counter that is not an integer in [0, counterMax] with a RangeError", () => {
    for (const counter of [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, counterMax + 1, 2 ** 60]) {
      expect(() => LamportStamp.of(counter, "a"), String(counter)).toThrow(RangeError);
    }
  });

  it("rejects a node id that is empty, too long or uses a character outside [A-Za-z0-9._:-] with a RangeError", () => {
    for (const nodeId of ["", "a".repeat(nodeIdBytesMax + 1), "a b", "a@b", "a/b", "é", "a\n", "🦆"]) {
      expect(() => LamportStamp.of(1, nodeId), JSON.stringify(nodeId)).toThrow(RangeError);
    }
  });

  it("rejects arguments of the wrong type with a TypeError", () => {
    expect(() => LamportStamp.of("1" as unknown as number, "a")).toThrow(TypeError);
    expect(() => LamportStamp.of(1n as unknown as number, "a")).toThrow(TypeError);
    expect(() => LamportStamp.of(1, 7 as unknown as string)).toThrow(TypeError);
  });

  it("is immutable", () => {
    const stamp = LamportStamp.of(1, "a");
    expect(() => {
      (stamp as { counter: number }).counter = 2;
    }).toThrow(TypeError);
    expect(() => {
      (stamp as { nodeId: string }).nodeId = "b";
    }).toThrow(TypeError);
    expect(stamp.counter).toBe(1);
    expect(stamp.nodeId).toBe("a");
  });

  it("cannot be forged from its prototype", () => {
    const forged = Object.create(LamportStamp.prototype) as LamportStamp;
    expect(() => forged.counter).toThrow(TypeError);
    expect(() => LamportStamp.of(1, "a").compare(forged)).toThrow(TypeError);
  });
});

describe("the total order of stamps", () => {
  it("orders by counter first, whatever the node ids", () => {
    fc.assert(
      fc.property(stampArbitrary, stampArbitrary, (a, b) => {
        fc.pre(a.counter !== b.counter);
        expect(a.compare(b)).toBe(a.counter < b.counter ? "before" : "after");
      }),
    );
  });

  it("breaks a tie on the counter by the node id, in code-unit order", () => {
    expect(LamportStamp.of(5, "a").compare(LamportStamp.of(5, "b"))).toBe("before");
    expect(LamportStamp.of(5, "b").compare(LamportStamp.of(5, "a"))).toBe("after");
    expect(LamportStamp.of(5, "a").compare(LamportStamp.of(5, "a-"))).toBe("before"); // a prefix comes first
    expect(LamportStamp.of(5, "Z").compare(LamportStamp.of(5, "a"))).toBe("before"); // upper case before lower
    expect(LamportStamp.of(4, "z").compare(LamportStamp.of(5, "a"))).toBe("before");
  });

  it("is antisymmetric and never says concurrent", () => {
    fc.assert(
      fc.property(stampArbitrary, stampArbitrary, (a, b) => {
        expect(a.compare(b)).not.toBe("concurrent");
        expect(b.compare(a)).toBe(reverseOrdering(a.compare(b)));
      }),
    );
  });

  it("says equal exactly when the counters and the node ids are equal", () => {
    fc.assert(
      fc.property(stampArbitrary, stampArbitrary, (a, b) => {
        const same = a.counter === b.counter && a.nodeId === b.nodeId;
        expect(a.compare(b) === "equal").toBe(same);
        expect(a.equals(b)).toBe(same);
        expect(a.compare(LamportStamp.of(a.counter, a.nodeId))).toBe("equal");
      }),
    );
  });

  it("is transitive", () => {
    fc.assert(
      fc.property(stampArbitrary, stampArbitrary, stampArbitrary, (a, b, c) => {
        for (const [x, y, z] of [
          [a, b, c],
          [a, c, b],
          [b, a, c],
          [b, c, a],
          [c, a, b],
          [c, b, a],
        ] as const) {
          if (x.compare(y) !== "after" && y.compare(z) !== "after") expect(x.compare(z)).not.toBe("after");
          if (x.compare(y) === "before" && y.compare(z) !== "after") expect(x.compare(z)).toBe("before");
        }
      }),
    );
  });

  it("has a comparator for sort that agrees with compare", () => {
    fc.assert(
      fc.property(stampArbitrary, stampArbitrary, (a, b) => {
        const sign = Math.sign(compareLamportStamps(a, b));
        expect(sign === -1 ? "before" : sign === 1 ? "after" : "equal").toBe(a.compare(b));
      }),
    );
  });

  it("rejects what is not a stamp with a TypeError", () => {
    const stamp = LamportStamp.of(1, "a");
    const lookalike = { counter: 1, nodeId: "a" } as unknown as LamportStamp;
    expect(() => stamp.compare(lookalike)).toThrow(TypeError);
    expect(() => stamp.equals(lookalike)).toThrow(TypeError);
    expect(() => compareLamportStamps(lookalike, stamp)).toThrow(TypeError);
    expect(() => compareLamportStamps(stamp, lookalike)).toThrow(TypeError);
  });
});
