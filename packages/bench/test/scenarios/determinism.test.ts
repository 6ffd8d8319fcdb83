/**
 * One seed, one story: every scenario run twice with the same seed prints
 * the same narration, byte for byte, and its simulations leave the same
 * trace hashes; another seed tells a different one (other delays, other
 * draws), so the narration does depend on the seed.
 */
import { formatScenario, type ScenarioResult, scenarios } from "@skew/bench";
import { describe, expect, test } from "vitest";
import { forEachSeed } from "./support.js";

const file = "determinism.test.ts";

describe.each(scenarios.map((scenario) => [scenario.name, scenario] as const))("%s", (name, scenario) => {
  const title = `${name}: the same seed gives the same narration and traces`;
  test(title, async () => {
    await forEachSeed({ test: title, file, scenario: name, count: 2 }, async (seed) => {
      const first = await scenario.run({ seed });
      const again = await scenario.run({ seed });
      expect(formatScenario(again)).toBe(formatScenario(first));
      expect(again.withoutRemedy.traceHash).toBe(first.withoutRemedy.traceHash);
      expect(again.withRemedy.traceHash).toBe(first.withRemedy.traceHash);
      expect(again).toEqual(first);
    });
  });

  test(`${name}: another seed gives another run`, async () => {
    const results: ScenarioResult[] = [await scenario.run({ seed: 1 }), await scenario.run({ seed: 2 })];
    expect(results[1]?.withoutRemedy.traceHash).not.toBe(results[0]?.withoutRemedy.traceHash);
    expect(results[1]?.seed).toBe(2);
  });
});
