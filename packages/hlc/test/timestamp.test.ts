import {
  ascending,
  compare,
  compareWithNode,
  isTimestamp,
  logicalMax,
  logicalOf,
  timestamp,
  timestampMax,
  wallMsMax,
  wallOf,
} from "@skew/hlc";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const wallMs = fc.integer({ min: 0, max: wallMsMax });
const logical = fc.integer({ min: 0, max: logicalMax });
const parts = fc.tuple(wallMs, logical);
const node = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
  minLength: 1,
  maxLength: 4,
});

/** The order the paper defines on (l, c) pairs: by l, then by c. */
function lexicographic([aWall, aLogical]: [number, number], [bWall, bLogical]: [number, number]): number {
  return aWall !== bWall ? Math.sign(aWall - bWall) : Math.sign(aLogical - bLogical);
}

const orderingOf = { "-1": "before", "0": "equal", "1": "after" } as const;

describe("a timestamp", () => {
  it("gives back the parts it was built from", () => {
    fc.assert(
      fc.property(parts, ([w, l]) => {
        const ts = timestamp(w, l);
        expect(wallOf(ts)).toBe(w);
        expect(logicalOf(ts)).toBe(l);
        expect(isTimestamp(ts)).toBe(true);
      }),
    );
  });

  it("compares as its (wall, logical) pair does, lexicographically", () => {
    fc.assert(
      fc.property(parts, parts, (a, b) => {
        const sign = lexicographic(a, b);
        const [x, y] = [timestamp(...a), timestamp(...b)];
        expect(compare(x, y)).toBe(orderingOf[String(sign) as keyof typeof orderingOf]);
        expect(Math.sign(ascending(x, y))).toBe(sign);
      }),
    );
  });

  it("sorts with `ascending` into the (wall, logical) order", () => {
    fc.assert(
      fc.property(fc.array(parts, { maxLength: 30 }), (list) => {
        const sorted = list.map(([w, l]) => timestamp(w, l)).sort(ascending);
        const expected = [...list].sort(lexicographic).map(([w, l]) => timestamp(w, l));
        expect(sorted).toEqual(expected);
      }),
    );
  });

  it("spans 1970 to 2109 with 2048 logical values per millisecond", () => {
    expect(timestamp(0, 0)).toBe(0);
    expect(timestampMax).toBe(timestamp(wallMsMax, logicalMax));
    expect(timestampMax).toBe(Number.MAX_SAFE_INTEGER);
    expect(logicalMax).toBe(2047);
    expect(new Date(wallMsMax).toISOString()).toBe("2109-05-15T07:35:11.103Z");
  });

  it("refuses parts out of range with a RangeError", () => {
    for (const [w, l] of [
      [-1, 0],
      [wallMsMax + 1, 0],
      [1.5, 0],
      [Number.NaN, 0],
      [0, -1],
      [0, logicalMax + 1],
      [0, 0.5],
      [0, Number.POSITIVE_INFINITY],
    ] as const) {
      expect(() => timestamp(w, l)).toThrow(RangeError);
    }
  });

  it("is recognised only as a non-negative safe integer", () => {
    for (const value of [0, 1, timestampMax]) expect(isTimestamp(value)).toBe(true);
    for (const value of [-1, 0.5, Number.NaN, 2 ** 53, "1", 1n, null, undefined, {}]) {
      expect(isTimestamp(value)).toBe(false);
    }
  });
});

describe("the total order of events across nodes", () => {
  it("orders by timestamp, then by node id, and is equal only for the same (timestamp, node)", () => {
    fc.assert(
      fc.property(parts, node, parts, node, (a, aNode, b, bNode) => {
        const [x, y] = [timestamp(...a), timestamp(...b)];
        const byTimestamp = lexicographic(a, b);
        const byNode = aNode < bNode ? -1 : aNode > bNode ? 1 : 0;
        const sign = byTimestamp !== 0 ? byTimestamp : byNode;
        expect(compareWithNode(x, aNode, y, bNode)).toBe(orderingOf[String(sign) as keyof typeof orderingOf]);
      }),
    );
  });

  it("breaks a tie between equal timestamps by node id in UTF-16 code-unit order, not by locale", () => {
    const ts = timestamp(1_700_000_000_000, 3);
    expect(compareWithNode(ts, "n1", ts, "n2")).toBe("before");
    expect(compareWithNode(ts, "b", ts, "B")).toBe("after");
    expect(compareWithNode(ts, "n1", ts, "n1")).toBe("equal");
    expect(compareWithNode(timestamp(1, 0), "z", timestamp(1, 1), "a")).toBe("before");
  });
});
