/**
 * Section 3.4's lease broken by a GC pause: the zombie's write lands after
 * the lease passed to another client, unless the storage checks fencing
 * tokens.
 */
import { leaseProcessPause } from "@skew/bench";
import { describe, expect, test } from "vitest";
import { forEachSeed } from "./support.js";

const file = "lease-process-pause.test.ts";
const scenario = leaseProcessPause.name;

describe("a lease broken by a process pause (3.4)", () => {
  const name = "the paused leaseholder writes after its lease passed on; fencing tokens make the storage refuse it";
  test(name, async () => {
    await forEachSeed({ test: name, file, scenario }, async (seed) => {
      const result = await leaseProcessPause.run({ seed });
      const without = result.withoutRemedy.facts;
      expect(without.pauseMs).toBeGreaterThan(without.leaseMs);
      expect(without.secondClientAcquired).toBe(true);
      // The zombie acted on a lease that had run out, and nothing stopped it.
      expect(without.zombieWroteAfterExpiryMs).toBeGreaterThan(0);
      expect(without.zombieWriteAccepted).toBe(true);
      expect(without.newHolderWriteOverwritten).toBe(true);

      const remedy = result.withRemedy.facts;
      expect(remedy.pauseMs).toBe(without.pauseMs); // the same pause, the same story
      expect(remedy.newHolderToken).toBeGreaterThan(remedy.zombieToken);
      expect(remedy.zombieWriteAccepted).toBe(false);
      expect(remedy.zombieWriteRejected).toBe(true);
      expect(remedy.newHolderWriteKept).toBe(true);
    });
  });
});
