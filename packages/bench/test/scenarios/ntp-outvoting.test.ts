/**
 * Section 4.4's NTP client: one server that is seconds off is followed by a
 * client that knows only it, and outvoted by a client that asks four.
 */
import { ntpOutvoting } from "@skew/bench";
import { describe, expect, test } from "vitest";
import { forEachSeed } from "./support.js";

const file = "ntp-outvoting.test.ts";
const scenario = ntpOutvoting.name;

describe("an NTP client with several servers outvoting a wrong one (4.4)", () => {
  const name =
    "a one-server client follows the wrong server; a four-server client outvotes it and lands within the agreed range";
  test(name, async () => {
    await forEachSeed({ test: name, file, scenario }, async (seed) => {
      const result = await ntpOutvoting.run({ seed });
      const without = result.withoutRemedy.facts;
      expect(Math.abs(without.wrongServerOffMs)).toBeGreaterThanOrEqual(1_000);
      expect(without.clientErrorBeforeMs).toBeGreaterThan(0);
      expect(without.followedWrongServer).toBe(true);
      expect(without.clientErrorAfterMs).toBeGreaterThanOrEqual(1_000);

      const remedy = result.withRemedy.facts;
      expect(remedy.clientErrorBeforeMs).toBe(without.clientErrorBeforeMs); // the same client, as badly off
      expect(remedy.serversAsked).toBe(4);
      expect(remedy.serversAgreeing).toBe(3);
      expect(remedy.wrongServerOutvoted).toBe(true);
      // With a majority right, true time is in the agreed range, and the client stepped to its middle.
      expect(remedy.clientErrorAfterMs).toBeLessThanOrEqual(remedy.clientErrorBoundMs);
      expect(remedy.clientErrorAfterMs).toBeLessThan(without.clientErrorAfterMs);
    });
  });
});
