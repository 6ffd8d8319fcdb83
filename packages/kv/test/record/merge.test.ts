import { DottedVersionVectorSet } from "@skew/vector";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CausalRecord,
  compareLwwRecords,
  type KvRecord,
  type LwwRecord,
  mergeRecords,
  recordsEqual,
  type Value,
} from "../../src/record/index.js";
import { causalStepsArb, lwwRecordArb, runCausal, undominated, writeOfValue } from "../support/arbitraries.js";

const sameRecord = (a: KvRecord, b: KvRecord): boolean => recordsEqual(a, b);

/** The three join laws, for any generator of versions of one key. */
function joinLaws(name: string, triple: fc.Arbitrary<readonly [KvRecord, KvRecord, KvRecord]>): void {
  describe(`${name}: merge is a join`, () => {
    it("commutative: a ⊔ b = b ⊔ a", () => {
      fc.assert(fc.property(triple, ([a, b]) => sameRecord(mergeRecords(a, b), mergeRecords(b, a))));
    });
    it("associative: (a ⊔ b) ⊔ c = a ⊔ (b ⊔ c)", () => {
      fc.assert(
        fc.property(triple, ([a, b, c]) =>
          sameRecord(mergeRecords(mergeRecords(a, b), c), mergeRecords(a, mergeRecords(b, c))),
        ),
      );
    });
    it("idempotent: a ⊔ a = a, and (a ⊔ b) ⊔ b = a ⊔ b", () => {
      fc.assert(
        fc.property(triple, ([a, b]) => {
          const ab = mergeRecords(a, b);
          return sameRecord(mergeRecords(a, a), a) && sameRecord(mergeRecords(ab, b), ab);
        }),
      );
    });
  });
}

joinLaws("last-write-wins", fc.tuple(lwwRecordArb, lwwRecordArb, lwwRecordArb));

/** Three versions of one causal key: the states of replicas A, B and C after a random history. */
const causalTriple = causalStepsArb.map((steps) => {
  const { records } = runCausal(steps, { tombstones: true });
  return [records[0], records[1], records[2]] as readonly [KvRecord, KvRecord, KvRecord];
});
joinLaws("causal", causalTriple);

describe("last-write-wins keeps the greatest record", () => {
  it("merging any versions in any order gives the maximum in (fence, time, node, tombstone, value) order", () => {
    fc.assert(
      fc.property(fc.array(lwwRecordArb, { minLength: 1, maxLength: 8 }), fc.nat(), (records, rotation) => {
        const max = records.reduce((a, b) => (compareLwwRecords(a, b) >= 0 ? a : b));
        const k = rotation % records.length;
        const rotated = [...records.slice(k), ...records.slice(0, k)];
        const merged = rotated.reduce((a, b) => mergeRecords(a, b) as LwwRecord);
        return compareLwwRecords(merged, max) === 0 && records.every((r) => compareLwwRecords(merged, r) >= 0);
      }),
    );
  });

  it("the fencing token outranks time: a zombie's later write loses to the new leaseholder's", () => {
    const newLeaseholder: LwwRecord = {
      kind: "lww",
      stamp: { fence: 34, time: 1_000, node: "n1" },
      value: new Uint8Array([34]),
    };
    const zombie: LwwRecord = {
      kind: "lww",
      stamp: { fence: 33, time: 9_000, node: "n3" },
      value: new Uint8Array([33]),
    };
    expect(mergeRecords(zombie, newLeaseholder)).toBe(newLeaseholder);
    expect(mergeRecords(newLeaseholder, zombie)).toBe(newLeaseholder);
  });

  it("on equal stamps a tombstone wins, then the larger value", () => {
    const stamp = { fence: 0, time: 5, node: "n1" };
    const small: LwwRecord = { kind: "lww", stamp, value: new Uint8Array([1]) };
    const large: LwwRecord = { kind: "lww", stamp, value: new Uint8Array([1, 0]) };
    const tombstone: LwwRecord = { kind: "lww", stamp, value: null };
    expect(mergeRecords(small, large)).toBe(large);
    expect(mergeRecords(large, tombstone)).toBe(tombstone);
  });
});

describe("causal keeps exactly the undominated siblings", () => {
  it("after any history, the merge of every replica holds the writes no known write has in its past", () => {
    fc.assert(
      fc.property(causalStepsArb, (steps) => {
        const { records, known, past } = runCausal(steps);
        const merged = records.reduce((a, b) => mergeRecords(a, b) as CausalRecord);
        const everything = new Set(known.flatMap((k) => [...k]));
        const kept = merged.set
          .values()
          .map((v) => writeOfValue(v as Uint8Array))
          .sort((a, b) => a - b);
        expect(kept).toEqual(undominated(everything, past));
        // Each replica alone holds exactly what it knows of, too.
        records.forEach((record, i) => {
          const own = record.set
            .values()
            .map((v) => writeOfValue(v as Uint8Array))
            .sort((a, b) => a - b);
          expect(own).toEqual(undominated(known[i] as Set<number>, past));
        });
      }),
    );
  });

  it("the fence of a merge is the highest fence of its inputs", () => {
    const at = (fence: number): CausalRecord => ({ kind: "causal", fence, set: DottedVersionVectorSet.empty<Value>() });
    expect(mergeRecords(at(3), at(7))).toEqual(at(7));
    expect(mergeRecords(at(7), at(3))).toEqual(at(7));
  });
});
