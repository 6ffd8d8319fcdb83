/**
 * Anti-entropy's convergence law, without a network: replicas that receive
 * the same versions in any order, with duplicates, hold the same record and
 * the same Merkle root (so equal roots mean equal data and an exchange can
 * stop). The same law on the simulator, after a partition, is in
 * @skew/jepsen's test/sim/anti-entropy.test.ts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MerkleTree } from "../../src/merkle/index.js";
import { encodeRecord, type KvRecord, recordDigest, recordsEqual } from "../../src/record/index.js";
import { Replica } from "../../src/replica/replica.js";
import { causalStepsArb, lwwRecordArb, runCausal } from "../support/arbitraries.js";

describe("merging in any order converges", () => {
  /**
   * Merges `versions` into an empty replica in `order`, each with its bytes
   * (as received) or without (as from a hint), keeping the replica's tree in
   * step as a node does; the record held and the tree's root.
   */
  function replay(versions: readonly KvRecord[], order: readonly number[]): { record: KvRecord; root: number } {
    const replica = new Replica();
    const key = "b\u0000k";
    const tree = new MerkleTree({ depth: 4, digestOf: (keyId) => replica.digest(keyId) });
    for (const [n, i] of order.entries()) {
      const v = versions[i] as KvRecord;
      const outcome = replica.merge(key, v, n % 2 === 0 ? encodeRecord(v) : undefined);
      if (!outcome.changed) continue;
      expect(outcome.digest).toBe(recordDigest(encodeRecord(outcome.record)));
      tree.change(key, outcome.beforeDigest, outcome.digest);
    }
    const record = replica.get(key) as KvRecord;
    expect(replica.digest(key)).toBe(recordDigest(encodeRecord(record)));
    expect(tree.segmentEntries(tree.segmentOf(key))).toEqual(new Map([[key, replica.digest(key)]]));
    return { record, root: tree.root() };
  }

  /** Two delivery orders of the same versions, each with repeats, every version delivered at least once. */
  const ordersOf = (n: number) =>
    fc.tuple(
      fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
      fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
      fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: 6 }),
    );

  it("last-write-wins: any two orders, with duplicates, leave the same record and the same Merkle root", () => {
    fc.assert(
      fc.property(
        fc
          .array(lwwRecordArb, { minLength: 1, maxLength: 6 })
          .chain((versions) => fc.tuple(fc.constant(versions), ordersOf(versions.length))),
        ([versions, [a, b, repeats]]) => {
          const x = replay(versions, [...a, ...repeats]);
          const y = replay(versions, [...repeats, ...b]);
          return recordsEqual(x.record, y.record) && x.root === y.root;
        },
      ),
    );
  });

  it("causal: replicas' divergent sets, merged in any order with duplicates, leave equal sets and roots", () => {
    fc.assert(
      fc.property(
        causalStepsArb.chain((steps) =>
          fc.tuple(fc.constant(runCausal(steps, { tombstones: true }).records), ordersOf(3)),
        ),
        ([versions, [a, b, repeats]]) => {
          const x = replay(versions, [...a, ...repeats]);
          const y = replay(versions, [...repeats, ...b]);
          return recordsEqual(x.record, y.record) && x.root === y.root;
        },
      ),
    );
  });
});
