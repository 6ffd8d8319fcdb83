/**
 * The Merkle tree's laws: its hashes depend on its contents only (not on the
 * order of writes, nor on when the root was last computed); its segments list
 * exactly the keys it holds; deleting undoes setting; one changed digest
 * changes the root and the walk down the differing children ends at exactly
 * that key's segment and that key; and the exchange between two trees finds
 * exactly the keys on which their maps differ (the oracle compares the two
 * maps directly).
 *
 * The tree keeps no digests (its owner does, merkle/tree.ts): `Owned` below
 * is an owner, a map beside the tree, as a replica keeps a digest beside
 * each record.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compareTrees,
  descendantIndexes,
  differingIndexes,
  differingKeys,
  MerkleTree,
  merkleDepthDefault,
} from "../../src/merkle/index.js";

const keyArb = fc.string({ maxLength: 8 });
const digestArb = fc.nat({ max: 0xffffffff });
const depthArb = fc.integer({ min: 0, max: 8 });
const contentsArb = fc.dictionary(keyArb, digestArb, { maxKeys: 60 });

/** A tree and the digests it stands for, told every change as (previous, next). */
class Owned {
  readonly digests = new Map<string, number>();
  readonly tree: MerkleTree;

  constructor(depth: number) {
    this.tree = new MerkleTree({ depth, digestOf: (key) => this.digests.get(key) });
  }

  set(key: string, digest: number): void {
    this.tree.change(key, this.digests.get(key), digest);
    this.digests.set(key, digest);
  }

  delete(key: string): boolean {
    const previous = this.digests.get(key);
    if (previous === undefined) return false;
    this.tree.change(key, previous, undefined);
    this.digests.delete(key);
    return true;
  }
}

const ownedOf = (depth: number, entries: Iterable<[string, number]>): Owned => {
  const owned = new Owned(depth);
  for (const [key, digest] of entries) owned.set(key, digest);
  return owned;
};
const treeOf = (depth: number, entries: Iterable<[string, number]>): MerkleTree => ownedOf(depth, entries).tree;

/** Every segment's entries, as one map, each key checked to be in its own segment. */
const allEntries = (tree: MerkleTree): Map<string, number> => {
  const all = new Map<string, number>();
  for (let segment = 0; segment < tree.segments; segment++) {
    for (const [key, digest] of tree.segmentEntries(segment)) {
      expect(tree.segmentOf(key)).toBe(segment);
      expect(all.has(key)).toBe(false);
      all.set(key, digest);
    }
  }
  return all;
};

/** Every hash of a tree, level by level: equal for trees that are the same in every observable way. */
const allHashes = (tree: MerkleTree): number[][] =>
  Array.from({ length: tree.depth + 1 }, (_, level) =>
    tree.hashesAt(
      level,
      Array.from({ length: 2 ** level }, (_, i) => i),
    ),
  );

/** The keys whose digests differ between two maps, or that only one has: the oracle. */
const mapDifference = (a: Map<string, number>, b: Map<string, number>): string[] =>
  [...new Set([...a.keys(), ...b.keys()])].filter((key) => a.get(key) !== b.get(key)).sort();

describe("MerkleTree", () => {
  it("has equal hashes for equal contents, whatever the order of the writes", () => {
    fc.assert(
      fc.property(depthArb, contentsArb, fc.infiniteStream(fc.nat()), (depth, contents, draws) => {
        const entries = Object.entries(contents);
        const shuffled = [...entries];
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = (draws.next().value as number) % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j] as [string, number], shuffled[i] as [string, number]];
        }
        const a = treeOf(depth, entries);
        const b = treeOf(depth, shuffled);
        expect(a.root()).toBe(b.root());
        expect(allHashes(a)).toEqual(allHashes(b));
        expect(a.size).toBe(entries.length);
      }),
    );
  });

  it("computes the same hashes lazily as a tree built at once, whenever the root is read, and lists what it holds", () => {
    const opArb = fc.tuple(fc.boolean(), keyArb, digestArb, fc.boolean());
    fc.assert(
      fc.property(depthArb, fc.array(opArb, { maxLength: 80 }), (depth, ops) => {
        const owned = new Owned(depth);
        const { tree } = owned;
        const model = new Map<string, number>();
        for (const [set, key, digest, readRoot] of ops) {
          if (set) {
            owned.set(key, digest);
            model.set(key, digest);
          } else {
            expect(owned.delete(key)).toBe(model.delete(key));
          }
          if (readRoot) expect(tree.root()).toBe(treeOf(depth, model).root());
        }
        expect(allHashes(tree)).toEqual(allHashes(treeOf(depth, model)));
        expect(tree.size).toBe(model.size);
        expect(allEntries(tree)).toEqual(model);
      }),
    );
  });

  it("undoes a set with a delete: overwritten or new, the tree is as before", () => {
    fc.assert(
      fc.property(depthArb, contentsArb, keyArb, digestArb, (depth, contents, key, digest) => {
        const without = ownedOf(
          depth,
          Object.entries(contents).filter(([k]) => k !== key),
        );
        const before = allHashes(without.tree);
        const entries = allEntries(without.tree);
        without.set(key, digest);
        expect(without.delete(key)).toBe(true);
        expect(without.delete(key)).toBe(false);
        expect(allHashes(without.tree)).toEqual(before);
        expect(allEntries(without.tree)).toEqual(entries);
      }),
    );
    expect(treeOf(4, [["k", 1]]).root()).not.toBe(treeOf(4, []).root());
  });

  it("changes its root when one digest changes, and the walk down differing children finds that segment and key", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        contentsArb.filter((c) => Object.keys(c).length > 0),
        fc.nat(),
        digestArb,
        (depth, contents, pick, replacement) => {
          const entries = Object.entries(contents);
          const [key, digest] = entries[pick % entries.length] as [string, number];
          fc.pre(replacement !== digest);
          const local = treeOf(depth, entries);
          const owned = ownedOf(depth, entries);
          owned.set(key, replacement);
          const remote = owned.tree;
          expect(remote.root()).not.toBe(local.root());
          // Down one level at a time: exactly one child differs at each.
          let index = 0;
          for (let level = 0; level < depth; level++) {
            const children = local.childrenOf(level, index);
            const differing = differingIndexes(local, level + 1, children, remote.hashesAt(level + 1, children));
            expect(differing.length).toBe(1);
            index = differing[0] as number;
          }
          expect(index).toBe(local.segmentOf(key));
          expect(differingKeys(local.segmentEntries(index), remote.segmentEntries(index))).toEqual([key]);
        },
      ),
    );
  });

  it("exchange: the walk finds exactly the keys on which two trees' maps differ, in every stride", () => {
    const editArb = fc.tuple(fc.constantFrom("set", "delete", "keep"), digestArb);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 }),
        contentsArb,
        fc.array(fc.tuple(keyArb, editArb), { maxLength: 20 }),
        fc.integer({ min: 1, max: 4 }),
        (depth, contents, edits, stride) => {
          const a = new Map(Object.entries(contents));
          const b = new Map(a);
          for (const [key, [kind, digest]] of edits) {
            if (kind === "set") b.set(key, digest);
            else if (kind === "delete") b.delete(key);
          }
          const expected = mapDifference(a, b);
          const local = treeOf(depth, a);
          const remote = treeOf(depth, b);
          const comparison = compareTrees(local, remote, { levelsPerRound: stride });
          expect(comparison.keys).toEqual(expected);
          expect(compareTrees(remote, local, { levelsPerRound: stride }).keys).toEqual(expected);
          expect(local.root() === remote.root()).toBe(expected.length === 0);
          if (expected.length === 0) expect(comparison.roundTrips).toBe(1);
          else expect(comparison.roundTrips).toBe(1 + Math.ceil(depth / stride) + 1);
        },
      ),
    );
  });

  it("exchanges a few hashes and one segment for one differing key among thousands", () => {
    const a = new Map(Array.from({ length: 5000 }, (_, i): [string, number] => [`key-${i}`, i]));
    const b = new Map(a).set("key-4321", 0);
    const comparison = compareTrees(treeOf(merkleDepthDefault, a), treeOf(merkleDepthDefault, b));
    expect(comparison.keys).toEqual(["key-4321"]);
    expect(comparison.roundTrips).toBe(merkleDepthDefault + 2);
    expect(comparison.hashesSent).toBe(1 + 2 * merkleDepthDefault); // the root, then two children per level
    expect(comparison.entriesSent).toBeLessThan(30); // one segment: about 5000 / 1024 entries
  });

  it("expands indexes to their descendants in order", () => {
    expect(descendantIndexes([0, 3], 1)).toEqual([0, 1, 6, 7]);
    expect(descendantIndexes([1], 2)).toEqual([4, 5, 6, 7]);
    expect(descendantIndexes([5], 0)).toEqual([5]);
  });

  it("refuses bad arguments", () => {
    const digestOf = (): undefined => undefined;
    expect(() => new MerkleTree({ depth: -1, digestOf })).toThrow(RangeError);
    expect(() => new MerkleTree({ depth: 17, digestOf })).toThrow(RangeError);
    expect(() => new MerkleTree({ depth: 3 } as never)).toThrow(
      /^MerkleTree: digestOf must be a function, got undefined$/,
    );
    const tree = new MerkleTree({ depth: 3, digestOf });
    const empty = allHashes(tree);
    expect(() => tree.change("k", undefined, -1)).toThrow(RangeError);
    expect(() => tree.change("k", undefined, 2 ** 32)).toThrow(RangeError);
    expect(() => tree.change("k", 0.5, 1)).toThrow(RangeError);
    expect(() => tree.change(1 as unknown as string, undefined, 1)).toThrow(TypeError);
    expect(() => tree.change("\udc00", undefined, 1)).toThrow(TypeError);
    // A key the tree does not hold cannot leave it, and the refusal changes nothing.
    expect(() => tree.change("k", 1, undefined)).toThrow(
      /^MerkleTree: "k" leaves the tree, but the tree does not hold it$/,
    );
    expect(allHashes(tree)).toEqual(empty);
    expect(tree.size).toBe(0);
    expect(() => tree.hashesAt(4, [0])).toThrow(RangeError);
    expect(() => tree.hashesAt(2, [4])).toThrow(RangeError);
    expect(() => tree.childrenOf(3, 0)).toThrow(RangeError);
    expect(() => tree.segmentEntries(8)).toThrow(RangeError);
    expect(() => compareTrees(tree, new MerkleTree({ depth: 4, digestOf }))).toThrow(RangeError);
    expect(() => compareTrees(tree, tree, { levelsPerRound: 0 })).toThrow(RangeError);
    expect(() => differingIndexes(tree, 0, [0], [])).toThrow(RangeError);
    for (const bad of [{ toString: 0 }, Object.create(null), Symbol()] as never[]) {
      expect(() => new MerkleTree({ depth: bad, digestOf })).toThrow(/^MerkleTree: depth must be .*, got an? \w+$/);
      expect(() => tree.change("k", undefined, bad)).toThrow(/^MerkleTree: next digest must be a number, got an? \w+$/);
      expect(() => tree.change("k", bad, 1)).toThrow(/^MerkleTree: previous digest must be a number, got an? \w+$/);
      expect(() => tree.hashesAt(bad, [0])).toThrow(/^MerkleTree: level must be .*, got an? \w+$/);
      expect(() => tree.hashesAt(2, [bad])).toThrow(/^MerkleTree: index at level 2 must be .*, got an? \w+$/);
      expect(() => compareTrees(tree, tree, { levelsPerRound: bad })).toThrow(/levelsPerRound .*, got an? \w+$/);
      expect(() => descendantIndexes([0], bad)).toThrow(/^descendantIndexes: levels .*, got an? \w+$/);
    }
  });
});
