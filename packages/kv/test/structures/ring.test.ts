/**
 * The ring's laws: every hash lies in exactly one partition, whose bounds are
 * those of the design; a preference list holds min(n, nodes) distinct nodes,
 * grows by extension as n grows, and depends only on the ring (not on the
 * order nodes were listed in); fallbacks continue it without repeating it;
 * every node owns its fair share of partitions to within one, after any
 * sequence of joins and leaves; and a join or a leave moves only the
 * partitions of the node that joined or left.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HashRing, partitionsDefault } from "../../src/ring/index.js";

const nodeArb = fc.string({ minLength: 1, maxLength: 6, unit: "grapheme-ascii" });
const partitionsArb = fc.integer({ min: 0, max: 8 }).map((log) => 2 ** log);
const hashArb = fc.nat({ max: 0xffffffff });

/** A ring of 1 to 12 nodes over at least as many partitions, as its nodes (in the order given) and partitions. */
const ringArb = fc
  .tuple(fc.uniqueArray(nodeArb, { minLength: 1, maxLength: 12 }), partitionsArb)
  .filter(([nodes, partitions]) => nodes.length <= partitions);

/** A ring reached by a random sequence of joins and leaves from a round-robin start. */
const evolvedRingArb = fc
  .tuple(ringArb, fc.array(fc.tuple(fc.boolean(), nodeArb, fc.nat()), { maxLength: 10 }))
  .map(([[nodes, partitions], changes]) => {
    let ring = new HashRing({ nodes, partitions });
    for (const [join, name, pick] of changes) {
      if (join && !ring.nodes.includes(name) && ring.nodes.length < ring.partitions) ring = ring.withNode(name);
      else if (!join && ring.nodes.length > 1) ring = ring.withoutNode(ring.nodes[pick % ring.nodes.length] as string);
    }
    return ring;
  });

const loadsOf = (ring: HashRing): Map<string, number> => {
  const loads = new Map<string, number>(ring.nodes.map((node) => [node, 0]));
  for (const owner of ring.owners) loads.set(owner, (loads.get(owner) as number) + 1);
  return loads;
};

const expectBalanced = (ring: HashRing): void => {
  const fair = ring.partitions / ring.nodes.length;
  for (const [node, load] of loadsOf(ring)) {
    expect(load, `${node} owns ${load} of ${ring.partitions}`).toBeGreaterThanOrEqual(Math.floor(fair));
    expect(load, `${node} owns ${load} of ${ring.partitions}`).toBeLessThanOrEqual(Math.ceil(fair));
  }
};

describe("HashRing placement", () => {
  it("puts every hash in exactly the partition whose range holds it", () => {
    fc.assert(
      fc.property(partitionsArb, hashArb, (partitions, hash) => {
        const ring = new HashRing({ nodes: ["a"], partitions });
        const p = ring.partitionOf(hash);
        const width = 2 ** 32 / partitions;
        expect(Number.isInteger(p) && p >= 0 && p < partitions).toBe(true);
        expect(p * width <= hash && hash < (p + 1) * width).toBe(true);
      }),
    );
    const ring = new HashRing({ nodes: ["a"] });
    expect(ring.partitions).toBe(partitionsDefault);
    expect(ring.partitionOf(0)).toBe(0);
    expect(ring.partitionOf(2 ** 32 / 64 - 1)).toBe(0);
    expect(ring.partitionOf(2 ** 32 / 64)).toBe(1);
    expect(ring.partitionOf(0xffffffff)).toBe(63);
  });

  it("gives a preference list of min(n, nodes) distinct members, starting with the partition's owner", () => {
    fc.assert(
      fc.property(evolvedRingArb, hashArb, fc.integer({ min: 1, max: 15 }), (ring, hash, n) => {
        const list = ring.preferenceList(hash, n);
        expect(list.length).toBe(Math.min(n, ring.nodes.length));
        expect(new Set(list).size).toBe(list.length);
        for (const node of list) expect(ring.nodes).toContain(node);
        expect(list[0]).toBe(ring.ownerOf(ring.partitionOf(hash)));
        expect(ring.preferenceListOfPartition(ring.partitionOf(hash), n)).toEqual(list);
      }),
    );
  });

  it("meets the preference list's nodes in clockwise order: list(n) is a prefix of list(n + 1)", () => {
    fc.assert(
      fc.property(evolvedRingArb, hashArb, fc.integer({ min: 1, max: 14 }), (ring, hash, n) => {
        expect(ring.preferenceList(hash, n + 1).slice(0, n)).toEqual(ring.preferenceList(hash, n));
      }),
    );
  });

  it("depends on the members, not on the order they were listed in", () => {
    fc.assert(
      fc.property(ringArb, hashArb, fc.integer({ min: 1, max: 5 }), ([nodes, partitions], hash, n) => {
        const one = new HashRing({ nodes, partitions });
        const other = new HashRing({ nodes: [...nodes].reverse(), partitions });
        expect(other.owners).toEqual(one.owners);
        expect(other.preferenceList(hash, n)).toEqual(one.preferenceList(hash, n));
        expect(new HashRing({ owners: one.owners }).preferenceList(hash, n)).toEqual(one.preferenceList(hash, n));
      }),
    );
  });

  it("deals a new ring round robin: with Q a multiple of the node count, a list is n consecutive partitions", () => {
    const ring = new HashRing({ nodes: ["n3", "n1", "n2", "n4"], partitions: 8 });
    expect(ring.owners).toEqual(["n1", "n2", "n3", "n4", "n1", "n2", "n3", "n4"]);
    expect(ring.preferenceListOfPartition(7, 3)).toEqual(["n4", "n1", "n2"]);
    expect(ring.fallbacks(7 * 2 ** 29, 3, 5)).toEqual(["n3"]);
  });

  it("continues the preference list with distinct fallbacks that are never in it", () => {
    fc.assert(
      fc.property(
        evolvedRingArb,
        hashArb,
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 6 }),
        (ring, hash, n, count) => {
          const list = ring.preferenceList(hash, n);
          const fallbacks = ring.fallbacks(hash, n, count);
          expect(fallbacks.length).toBe(Math.max(0, Math.min(count, ring.nodes.length - n)));
          for (const node of fallbacks) expect(list).not.toContain(node);
          expect([...list, ...fallbacks]).toEqual(ring.preferenceList(hash, n + count));
        },
      ),
    );
  });

  it("lists as owned by a node exactly the partitions whose preference lists name it", () => {
    fc.assert(
      fc.property(evolvedRingArb, fc.integer({ min: 1, max: 5 }), (ring, n) => {
        let total = 0;
        for (const node of ring.nodes) {
          const owned = ring.partitionsOwnedBy(node, n);
          total += owned.length;
          for (let p = 0; p < ring.partitions; p++) {
            expect(owned.includes(p)).toBe(ring.preferenceListOfPartition(p, n).includes(node));
          }
        }
        expect(total).toBe(ring.partitions * Math.min(n, ring.nodes.length));
        expect(ring.partitionsOwnedBy("not-a-member", n)).toEqual([]);
      }),
    );
  });
});

describe("HashRing claim", () => {
  it("keeps every node within one partition of its fair share, after any joins and leaves", () => {
    fc.assert(fc.property(evolvedRingArb, expectBalanced));
  });

  it("moves, when a node joins, only the partitions it takes: floor(Q / (k + 1)) of them", () => {
    fc.assert(
      fc.property(evolvedRingArb, nodeArb, (ring, joining) => {
        fc.pre(!ring.nodes.includes(joining) && ring.nodes.length < ring.partitions);
        const next = ring.withNode(joining);
        let moved = 0;
        for (let p = 0; p < ring.partitions; p++) {
          if (next.ownerOf(p) !== ring.ownerOf(p)) {
            expect(next.ownerOf(p)).toBe(joining);
            moved++;
          }
        }
        expect(moved).toBe(Math.floor(ring.partitions / (ring.nodes.length + 1)));
        expectBalanced(next);
      }),
    );
  });

  it("moves, when a node leaves, only the partitions it owned", () => {
    fc.assert(
      fc.property(evolvedRingArb, fc.nat(), (ring, pick) => {
        fc.pre(ring.nodes.length > 1);
        const leaving = ring.nodes[pick % ring.nodes.length] as string;
        const next = ring.withoutNode(leaving);
        expect(next.nodes).not.toContain(leaving);
        for (let p = 0; p < ring.partitions; p++) {
          if (ring.ownerOf(p) !== leaving) expect(next.ownerOf(p)).toBe(ring.ownerOf(p));
        }
        expectBalanced(next);
      }),
    );
  });

  it("keeps a node's partitions apart when it can: joining a 4-node ring of 64 keeps 4 consecutive owners distinct", () => {
    const ring = new HashRing({ nodes: ["a", "b", "c", "d"], partitions: 64 }).withNode("e");
    for (let p = 0; p < 64; p++)
      expect(new Set(ring.preferenceListOfPartition(p, 4))).toEqual(
        new Set([0, 1, 2, 3].map((d) => ring.ownerOf((p + d) % 64))),
      );
  });
});

describe("HashRing validation", () => {
  it("refuses malformed rings", () => {
    expect(() => new HashRing({ nodes: [] })).toThrow(TypeError);
    expect(() => new HashRing({ nodes: ["a", "a"] })).toThrow(TypeError);
    expect(() => new HashRing({ nodes: ["a", ""] })).toThrow(TypeError);
    expect(() => new HashRing({ nodes: ["a", 1 as unknown as string] })).toThrow(TypeError);
    expect(() => new HashRing({ nodes: ["\ud800"] })).toThrow(TypeError);
    expect(() => new HashRing({ nodes: ["x".repeat(256)] })).toThrow(RangeError);
    expect(() => new HashRing({ nodes: ["a"], partitions: 48 })).toThrow(RangeError);
    expect(() => new HashRing({ nodes: ["a"], partitions: 0 })).toThrow(RangeError);
    expect(() => new HashRing({ nodes: ["a"], partitions: 2 ** 17 })).toThrow(RangeError);
    expect(() => new HashRing({ nodes: ["a", "b", "c"], partitions: 2 })).toThrow(RangeError);
    expect(() => new HashRing({ owners: ["a", "b", "c"] })).toThrow(RangeError);
  });

  it("refuses bad arguments and impossible changes", () => {
    const ring = new HashRing({ nodes: ["a", "b"], partitions: 2 });
    expect(() => ring.partitionOf(-1)).toThrow(RangeError);
    expect(() => ring.partitionOf(2 ** 32)).toThrow(RangeError);
    expect(() => ring.partitionOf(0.5)).toThrow(RangeError);
    expect(() => ring.preferenceList(0, 0)).toThrow(RangeError);
    expect(() => ring.fallbacks(0, 1, -1)).toThrow(RangeError);
    expect(() => ring.ownerOf(2)).toThrow(RangeError);
    expect(() => ring.withNode("c")).toThrow(RangeError); // a third node would own nothing
    expect(() => ring.withNode("a")).toThrow(TypeError);
    expect(() => ring.withoutNode("z")).toThrow(TypeError);
    expect(() => new HashRing({ nodes: ["a"] }).withoutNode("a")).toThrow(RangeError);
    for (const bad of [{ toString: 0 }, Object.create(null), Symbol()] as never[]) {
      expect(() => ring.partitionOf(bad)).toThrow(/^HashRing: hash must be a number, got an? \w+$/);
      expect(() => ring.ownerOf(bad)).toThrow(/^HashRing: partition must be .*, got an? \w+$/);
      expect(() => ring.preferenceList(0, bad)).toThrow(/^HashRing: \w+ must be an integer >= 1, got an? \w+$/);
      expect(() => new HashRing({ nodes: ["a"], partitions: bad })).toThrow(/^HashRing: partitions .*, got an? \w+$/);
    }
  });
});
