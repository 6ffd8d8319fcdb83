/**
 * Section 4.1's majority quorums: two disjoint groups after a partition.
 * Counting only the nodes a side can reach, both decide (split brain); with
 * a majority of all the nodes, only the larger side can.
 */
import { majorityQuorums } from "@skew/bench";
import { describe, expect, test } from "vitest";
import { forEachSeed } from "./support.js";

const file = "majority-quorums.test.ts";
const scenario = majorityQuorums.name;

describe("majority quorums (4.1)", () => {
  const name = "both sides of a partition decide with local quorums; only one can with majority quorums";
  test(name, async () => {
    await forEachSeed({ test: name, file, scenario, count: 10 }, async (seed) => {
      const result = await majorityQuorums.run({ seed });
      const without = result.withoutRemedy.facts;
      expect(without.smallerSideNodes + without.largerSideNodes).toBe(5);
      expect(without.smallerSideNodes).toBeLessThan(without.largerSideNodes);
      expect(without.sidesThatDecided).toBe(2);
      expect(without.conflictingDecisions).toBe(true);

      const remedy = result.withRemedy.facts;
      // The same partition, the same proposers: only the rule changed.
      expect([remedy.smallerSideNodes, remedy.largerSideNodes]).toEqual([
        without.smallerSideNodes,
        without.largerSideNodes,
      ]);
      expect(remedy.sidesThatDecided).toBe(1);
      expect(remedy.largerSideDecided).toBe(true);
      expect(remedy.smallerSideDecided).toBe(false);
      expect(remedy.conflictingDecisions).toBe(false);
    });
  });
});
