/**
 * Section 4.3's fencing with several replicas, on the real store: the
 * zombie's write through the replica that missed token 34 is refused by the
 * other two, stored by that one, and never returned by a quorum read.
 */
import { fencingSeveralReplicas } from "@skew/bench";
import { describe, expect, test } from "vitest";
import { forEachSeed } from "./support.js";

const file = "fencing-several-replicas.test.ts";
const scenario = fencingSeveralReplicas.name;

describe("fencing tokens with several replicas (4.3)", () => {
  const name =
    "without tokens the zombie's late write wins; with them replicas refuse it and quorum reads never return it";
  test(name, async () => {
    await forEachSeed({ test: name, file, scenario }, async (seed) => {
      const result = await fencingSeveralReplicas.run({ seed });
      const without = result.withoutRemedy.facts;
      expect(without.zombieWriteAcknowledged).toBe(true);
      expect(without.quorumReadsReturnZombie).toBe(true);
      expect(without.newHolderWriteLost).toBe(true);

      const remedy = result.withRemedy.facts;
      expect(remedy.zombieWriteAcknowledged).toBe(false);
      expect(remedy.zombieRefusedFenced).toBe(true);
      // The two replicas that saw 34 refused; the one cut off from it took the write ("may succeed at Replica 3"),
      // so the client cannot be promised that nothing was written.
      expect(remedy.replicasThatRefused).toBe(2);
      expect(remedy.replicasThatStoredZombie).toBe(1);
      expect(remedy.zombieFailureDefinite).toBe(false);
      expect(remedy.quorumReadsReturnNewHolder).toBe(true);
      expect(remedy.zombieGoneAfterReadRepair).toBe(true);
    });
  });
});
