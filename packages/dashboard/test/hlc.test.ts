import { logicalMax } from "@skew/hlc";
import { describe, expect, it } from "vitest";
import { hlcText, stampText, timeOfDay } from "../app/lib/format.js";
import { decodeHlc } from "../app/lib/hlc.js";

describe("decodeHlc: the packing of @skew/hlc (wallMs * 2^11 + logical)", () => {
  it("splits a packed timestamp into its wall part and logical counter", () => {
    const wallMs = 1_764_161_234_100;
    expect(logicalMax).toBe(2047);
    expect(decodeHlc(wallMs * 2048 + 5)).toEqual({ wallMs, logical: 5 });
    expect(decodeHlc(wallMs * 2048)).toEqual({ wallMs, logical: 0 });
    expect(decodeHlc(wallMs * 2048 + 2047)).toEqual({ wallMs, logical: 2047 });
    expect(decodeHlc(0)).toEqual({ wallMs: 0, logical: 0 });
  });

  it("keeps the largest timestamp exact (the packing uses every safe integer)", () => {
    expect(decodeHlc(Number.MAX_SAFE_INTEGER)).toEqual({ wallMs: 2 ** 42 - 1, logical: 2047 });
  });

  it("refuses what is not a timestamp", () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) expect(decodeHlc(bad)).toBeUndefined();
  });
});

describe("stamps in each mode's units", () => {
  const wallMs = Date.UTC(2026, 10, 26, 12, 34, 56, 789);

  it("prints wall ms as UTC time of day, HLC stamps with their counter, Lamport counters as counters", () => {
    expect(timeOfDay(wallMs)).toBe("12:34:56.789");
    expect(stampText("lww-wall", wallMs)).toBe("12:34:56.789");
    expect(stampText("lww-truetime", wallMs)).toBe("12:34:56.789");
    expect(stampText("lww-hlc", wallMs * 2048 + 3)).toBe("12:34:56.789 +3");
    expect(stampText("causal", wallMs * 2048)).toBe("12:34:56.789");
    expect(hlcText(wallMs * 2048 + 1)).toBe("12:34:56.789 +1");
    expect(stampText("lww-lamport", 42)).toBe("counter 42");
  });
});
