import { counterMax, entriesMax, nodeIdBytesMax, VectorClock, VectorError } from "@skew/vector";
import { describe, expect, it } from "vitest";

const clock = (entries: Record<string, number>): VectorClock => VectorClock.from(entries);

describe("VectorClock", () => {
  it("counts events per node, in id order, dropping zero counters", () => {
    const c = VectorClock.from([
      ["b", 2],
      ["a", 1],
      ["c", 0],
    ]);
    expect(c.entries()).toEqual([
      ["a", 1],
      ["b", 2],
    ]);
    expect(c.size).toBe(2);
    expect(c.get("a")).toBe(1);
    expect(c.get("c")).toBe(0);
    expect(c.nodes()).toEqual(["a", "b"]);
    expect(VectorClock.from(new Map([["x", 3]])).get("x")).toBe(3);
    expect(VectorClock.empty.size).toBe(0);
  });

  it("increments one node and leaves the original unchanged", () => {
    const a = clock({ a: 1 });
    const b = a.increment("b").increment("a");
    expect(b.entries()).toEqual([
      ["a", 2],
      ["b", 1],
    ]);
    expect(a.entries()).toEqual([["a", 1]]);
    expect(b.compare(a)).toBe("after");
  });

  it("compares with the four orderings", () => {
    expect(clock({ a: 1 }).compare(clock({ a: 1 }))).toBe("equal");
    expect(clock({ a: 1 }).compare(clock({ a: 2 }))).toBe("before");
    expect(clock({ a: 1 }).compare(clock({ a: 1, b: 1 }))).toBe("before");
    expect(clock({ a: 2, b: 1 }).compare(clock({ a: 1 }))).toBe("after");
    expect(clock({ a: 2 }).compare(clock({ b: 1 }))).toBe("concurrent");
    expect(clock({ a: 2, b: 1 }).compare(clock({ a: 1, b: 2 }))).toBe("concurrent");
    expect(VectorClock.empty.compare(clock({ a: 1 }))).toBe("before");
    expect(clock({ a: 1 }).descends(clock({ a: 1 }))).toBe(true);
    expect(clock({ a: 1 }).descends(clock({ b: 1 }))).toBe(false);
  });

  it("merges to the entrywise maximum, returning an input when it already descends from the other", () => {
    const a = clock({ a: 3, b: 1 });
    const b = clock({ b: 2, c: 1 });
    expect(a.merge(b).entries()).toEqual([
      ["a", 3],
      ["b", 2],
      ["c", 1],
    ]);
    const newer = a.increment("b");
    expect(a.merge(newer)).toBe(newer);
    expect(newer.merge(a)).toBe(newer);
    expect(a.merge(a)).toBe(a);
  });

  it("refuses an increment past 2^53 - 1 instead of losing precision", () => {
    const top = clock({ a: counterMax });
    expect(() => top.increment("a")).toThrow(VectorError);
    expect(() => top.increment("a")).toThrow(expect.objectContaining({ code: "VECTOR_COUNTER_OVERFLOW" }));
    expect(top.increment("b").get("a")).toBe(counterMax);
  });

  it("refuses more than entriesMax entries", () => {
    const full = VectorClock.from(Array.from({ length: entriesMax }, (_, i) => [`n${i}`, 1] as const));
    expect(() => full.increment("another")).toThrow(expect.objectContaining({ code: "VECTOR_LIMIT_EXCEEDED" }));
    expect(() => full.merge(clock({ another: 1 }))).toThrow(expect.objectContaining({ code: "VECTOR_LIMIT_EXCEEDED" }));
    expect(() => VectorClock.from(Array.from({ length: entriesMax + 1 }, (_, i) => [`n${i}`, 1] as const))).toThrow(
      expect.objectContaining({ code: "VECTOR_LIMIT_EXCEEDED" }),
    );
  });

  it("rejects programming mistakes with TypeError or RangeError", () => {
    expect(() => VectorClock.from({ a: -1 })).toThrow(RangeError);
    expect(() => VectorClock.from({ a: 1.5 })).toThrow(RangeError);
    expect(() => VectorClock.from({ a: counterMax + 1 })).toThrow(RangeError);
    expect(() => VectorClock.from({ "": 1 })).toThrow(TypeError);
    expect(() => VectorClock.from([["\ud800", 1]])).toThrow(TypeError);
    expect(() => VectorClock.from({ ["x".repeat(nodeIdBytesMax + 1)]: 1 })).toThrow(RangeError);
    expect(() => VectorClock.from({ ["é".repeat(Math.floor(nodeIdBytesMax / 2) + 1)]: 1 })).toThrow(RangeError);
    expect(VectorClock.from({ ["x".repeat(nodeIdBytesMax)]: 1 }).size).toBe(1);
    expect(() =>
      VectorClock.from([
        ["a", 1],
        ["a", 2],
      ]),
    ).toThrow(TypeError);
    expect(() => VectorClock.from(null as never)).toThrow(TypeError);
    expect(() => VectorClock.from([["a"]] as never)).toThrow(TypeError);
    expect(() => clock({ a: 1 }).increment(7 as never)).toThrow(TypeError);
    expect(() => clock({ a: 1 }).increment("")).toThrow(TypeError);
    expect(() => clock({ a: 1 }).get(7 as never)).toThrow(TypeError);
    expect(() => clock({ a: 1 }).compare({} as never)).toThrow(TypeError);
    expect(() => clock({ a: 1 }).merge({} as never)).toThrow(TypeError);
    expect(() => clock({ a: 1 }).prune(-1)).toThrow(RangeError);
    for (const bad of [{ toString: 0 }, Object.create(null), Symbol()] as never[]) {
      expect(() => clock({ a: 1 }).prune(bad)).toThrow(/^VectorClock.prune: entriesMax must be .*, got an? \w+$/);
    }
  });

  it("prints itself for people", () => {
    expect(clock({ b: 2, a: 1 }).toString()).toBe('{"a":1,"b":2}');
    expect(clock({ a: 1, b: 2 }).prune(1).toString()).toBe('{"b":2} (pruned)');
  });

  describe("prune", () => {
    it("keeps the entries with the greatest counters, ties to the smaller id, and says so", () => {
      const c = clock({ a: 5, b: 1, c: 5, d: 2 });
      const pruned = c.prune(2);
      expect(pruned.entries()).toEqual([
        ["a", 5],
        ["c", 5],
      ]);
      expect(pruned.pruned).toBe(true);
      expect(c.prune(3).entries()).toEqual([
        ["a", 5],
        ["c", 5],
        ["d", 2],
      ]);
      expect(c.prune(4)).toBe(c);
      expect(c.prune(0).size).toBe(0);
    });

    it("answers concurrent rather than a false before, after or equal", () => {
      // The true clocks: a saw everything b did, and also x:1.
      const a = clock({ x: 1, y: 3 });
      const b = clock({ y: 3 });
      const aPruned = a.prune(1); // {y:3} and the mark
      expect(aPruned.entries()).toEqual([["y", 3]]);
      expect(a.compare(b)).toBe("after");
      expect(aPruned.compare(b)).toBe("concurrent"); // not "equal": it cannot tell
      expect(b.compare(aPruned)).toBe("concurrent");
      expect(aPruned.compare(aPruned)).toBe("concurrent");
      expect(aPruned.descends(b)).toBe(false);
      // What the kept entries prove is still reported.
      expect(aPruned.increment("y").compare(b)).toBe("after");
      expect(b.compare(aPruned.increment("y"))).toBe("before");
    });

    it("is contagious: merging or incrementing a pruned clock gives a pruned clock", () => {
      const pruned = clock({ x: 3, y: 1 }).prune(1);
      expect(pruned.merge(clock({ z: 1 })).pruned).toBe(true);
      expect(clock({ z: 1 }).merge(pruned).pruned).toBe(true);
      expect(clock({ y: 5 }).merge(pruned).pruned).toBe(true); // even though {y:5} "descends" from what is left
      expect(pruned.increment("y").pruned).toBe(true);
      expect(pruned.equals(clock({ y: 1 }))).toBe(false);
    });
  });
});
