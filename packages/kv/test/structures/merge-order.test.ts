/**
 * Anti-entropy's convergence law, without a network: replicas that receive
 * the same versions in any order, with duplicates, hold the same record and
 * the same Merkle root (so equal roots mean equal data and an exchange can
 * stop). The same law on the simulator, after a partition, is in
 * @skew/jepsen's test/sim/anti-entropy.test.ts.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { MerkleTree } from "../../src/merkle/index.js";
import { recordDigest } from "../../src/node/anti-entropy.js";
import { encodeRecord, type KvRecord, mergeRecords, recordsEqual } from "../../src/record/index.js";
import { causalStepsArb, lwwRecordArb, runCausal } from "../support/arbitraries.js";

describe("merging in any order converges", () => {
  /** Merges `versions` into nothing in `order`; the stored record and its tree's root. */
  function replay(versions: readonly KvRecord[], order: readonly number[]): { record: KvRecord; root: number } {
    let record: KvRecord | undefined;
    for (const i of order) {
      const v = versions[i] as KvRecord;
      record = record === undefined ? v : mergeRecords(record, v);
    }
    const tree = new MerkleTree({ depth: 4 });
    tree.set("b\u0000k", recordDigest(encodeRecord(record as KvRecord)));
    return { record: record as KvRecord, root: tree.root() };
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
