/**
 * Section 3.3's commit wait, on @skew/truetime: without it a transaction
 * that begins after another was reported committed can take a smaller
 * timestamp (by less than the interval's width); with it, never, and each
 * commit waits about 2 x epsilon.
 */
import { commitWaitScenario } from "@skew/bench";
import { defaultMaxDriftPpm } from "@skew/truetime";
import { describe, expect, test } from "vitest";
import { forEachSeed } from "./support.js";

const file = "commit-wait.test.ts";
const scenario = commitWaitScenario.name;

describe("commit wait giving external consistency (3.3)", () => {
  const name = "without commit wait a later transaction can take a smaller timestamp; with it never";
  test(name, async () => {
    await forEachSeed({ test: name, file, scenario }, async (seed) => {
      const result = await commitWaitScenario.run({ seed });
      const without = result.withoutRemedy.facts;
      expect(without.transactionPairs).toBeGreaterThan(0);
      expect(without.inversions).toBeGreaterThanOrEqual(1);
      // s1 <= t1 + 2 epsilon and s2 >= t2 > t1: an inversion is always smaller than the interval's width.
      expect(without.largestInversionMs).toBeGreaterThan(0);
      expect(without.largestInversionMs).toBeLessThan(2 * without.epsilonMs);

      const remedy = result.withRemedy.facts;
      expect(remedy.transactionPairs).toBe(without.transactionPairs);
      expect(remedy.inversions).toBe(0);
      // The wait lasts the interval's width (2 epsilon at the sync), timed on a clock that may run
      // 200 ppm slow, rounded outward by a few microseconds: never less than 2 epsilon, barely more.
      expect(remedy.twoEpsilonMs).toBe(2 * remedy.epsilonMs);
      expect(remedy.commitWaitMinMs).toBeGreaterThanOrEqual(remedy.twoEpsilonMs);
      const slackMs = 0.01;
      expect(remedy.commitWaitMaxMs).toBeLessThanOrEqual(
        remedy.twoEpsilonMs / (1 - defaultMaxDriftPpm / 1e6) + slackMs,
      );
      expect(remedy.commitWaitMeanMs).toBeGreaterThanOrEqual(remedy.commitWaitMinMs);
      expect(remedy.commitWaitMeanMs).toBeLessThanOrEqual(remedy.commitWaitMaxMs);
    });
  });
});
