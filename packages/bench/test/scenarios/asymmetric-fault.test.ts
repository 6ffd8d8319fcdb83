/**
 * Section 4.1's node with an asymmetric fault: declared dead while it
 * works; trusting itself it leads beside the new leader, counting a
 * majority's acknowledgements it steps down before the new one is elected.
 */
import { asymmetricFault } from "@skew/bench";
import { describe, expect, test } from "vitest";
import { forEachSeed } from "./support.js";

const file = "asymmetric-fault.test.ts";
const scenario = asymmetricFault.name;

describe("the node with an asymmetric fault (4.1)", () => {
  const name =
    "the muted leader is declared dead while it works; with check quorum it steps down before a new leader exists";
  test(name, async () => {
    await forEachSeed({ test: name, file, scenario }, async (seed) => {
      const result = await asymmetricFault.run({ seed });
      for (const facts of [result.withoutRemedy.facts, result.withRemedy.facts]) {
        // Both ways, every other node declared n1 dead and elected another leader, while n1 kept handling requests.
        expect(facts.declaredDeadBy).toBe(4);
        expect(facts.newLeaderElected).toBe(true);
        expect(facts.oldLeaderStillWorking).toBe(true);
      }
      const without = result.withoutRemedy.facts;
      expect(without.oldLeaderStillLeaderAtEnd).toBe(true);
      expect(without.oldLeaderSteppedDownBeforeNewLeader).toBe(false);
      expect(without.twoLeadersMs).toBeGreaterThan(0);
      expect(without.writesAcceptedByOldLeaderAfterNewLeader).toBeGreaterThanOrEqual(1);

      const remedy = result.withRemedy.facts;
      expect(remedy.oldLeaderStillLeaderAtEnd).toBe(false);
      expect(remedy.oldLeaderSteppedDownBeforeNewLeader).toBe(true);
      expect(remedy.twoLeadersMs).toBe(0);
      expect(remedy.writesAcceptedByOldLeaderAfterNewLeader).toBe(0);
    });
  });
});
