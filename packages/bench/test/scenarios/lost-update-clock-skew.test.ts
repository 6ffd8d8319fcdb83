/**
 * Section 3.3's lost update, on the real store: the same sequential
 * increments, through a fast (+10 ms) and a slow (-10 ms) coordinator,
 * lose acknowledged writes under lww-wall and none under lww-hlc or causal.
 */
import { lostUpdateClockSkew } from "@skew/bench";
import { describe, expect, test } from "vitest";
import { forEachSeed } from "./support.js";

const file = "lost-update-clock-skew.test.ts";
const scenario = lostUpdateClockSkew.name;

describe("lost update by clock skew (3.3)", () => {
  const name = "lww-wall loses acknowledged increments; lww-hlc and causal lose none";
  test(name, async () => {
    await forEachSeed({ test: name, file, scenario }, async (seed) => {
      const result = await lostUpdateClockSkew.run({ seed });
      const without = result.withoutRemedy.facts;
      expect(without.skewBetweenCoordinatorsMs).toBe(20);
      expect(without.incrementsAcknowledged).toBeGreaterThan(0);
      // Every increment was acknowledged, yet some are not in the final value.
      expect(without.incrementsLost).toBeGreaterThanOrEqual(1);
      expect(without.finalValue).toBe(without.incrementsAcknowledged - without.incrementsLost);
      // The narration shows the replicas discarding an acknowledged write.
      expect(result.withoutRemedy.timeline.some((e) => e.kind === "decide" && e.text.includes("discarded"))).toBe(true);

      const remedy = result.withRemedy.facts;
      expect(remedy.incrementsAcknowledged).toBe(without.incrementsAcknowledged);
      expect(remedy.hlcIncrementsLost).toBe(0);
      expect(remedy.hlcFinalValue).toBe(remedy.incrementsAcknowledged);
      expect(remedy.causalIncrementsLost).toBe(0);
      expect(remedy.causalFinalValue).toBe(remedy.incrementsAcknowledged);
      // Each causal write carried the context of the one before, so it superseded it: one value, no siblings.
      expect(remedy.causalSiblings).toBe(1);
    });
  });
});
