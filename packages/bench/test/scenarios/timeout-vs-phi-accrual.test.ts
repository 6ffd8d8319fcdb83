/**
 * Section 2.5's timeouts: on a network that turns jittery, a fixed timeout
 * right for the quiet network declares a live peer dead, a long one is
 * slow to see a crash, and phi accrual adapts: no false suspicion, and a
 * crash seen between the two.
 */
import { timeoutVsPhiAccrual } from "@skew/bench";
import { describe, expect, test } from "vitest";
import { forEachSeed } from "./support.js";

const file = "timeout-vs-phi-accrual.test.ts";
const scenario = timeoutVsPhiAccrual.name;

describe("fixed timeout against phi accrual under a jittery network (2.5)", () => {
  const name = "a fixed timeout suspects the live peer or is slow; phi raises no false suspicion and detects the crash";
  test(name, async () => {
    await forEachSeed({ test: name, file, scenario }, async (seed) => {
      const result = await timeoutVsPhiAccrual.run({ seed });
      const without = result.withoutRemedy.facts;
      const phi = result.withRemedy.facts;
      // The same seed, the same heartbeats: both runs saw the same network.
      expect(phi.longestGapMs).toBe(without.longestGapMs);

      // The short timeout suits the quiet network and is fooled by the jittery one.
      expect(without.shortFalseSuspicionsQuiet).toBe(0);
      expect(without.shortFalseSuspicionsJittery).toBeGreaterThanOrEqual(1);
      expect(without.longestGapMs).toBeGreaterThan(without.shortTimeoutMs);
      // The long one is never fooled, and sees the crash later than the short one.
      expect(without.longFalseSuspicions).toBe(0);
      expect(without.longCrashDetectedAfterMs).toBeGreaterThan(without.shortCrashDetectedAfterMs);

      // Phi learnt the jitter: its threshold grew past the longest silence a live peer caused.
      expect(phi.phiFalseSuspicionsQuiet).toBe(0);
      expect(phi.phiFalseSuspicionsJittery).toBe(0);
      expect(phi.phiSuspectsAfterJitteryMs).toBeGreaterThan(phi.phiSuspectsAfterQuietMs);
      expect(phi.phiSuspectsAfterJitteryMs).toBeGreaterThan(phi.longestGapMs);
      // It sees the crash: later than the timeout that is fooled, sooner than the one that is slow.
      expect(phi.phiCrashDetectedAfterMs).toBeGreaterThan(without.shortCrashDetectedAfterMs);
      expect(phi.phiCrashDetectedAfterMs).toBeLessThan(without.longCrashDetectedAfterMs);
    });
  });
});
