import type { DemoWrite, LostUpdateRun } from "@skew/client/api";
import { describe, expect, it } from "vitest";
import { signedMs, stampGap } from "../app/lib/format.js";
import { linearScale, niceTicks } from "../app/lib/ticks.js";
import { barWidthPxMin, defaultGeometry, layoutTimeline, outcomeOf } from "../app/lib/timeline.js";

function write(index: number, via: string, startedAtMs: number, ackedAtMs: number, kept: boolean): DemoWrite {
  return {
    index,
    item: `${index}@${via}`,
    via,
    startedAtMs,
    ackedAtMs,
    stamp: 1_000 + index,
    context: `c${index}`,
    kept,
    beatenBy: kept ? null : index - 1,
    reason: kept ? null : "stamped below the write before it",
    error: null,
  };
}

function runOf(writes: DemoWrite[]): LostUpdateRun {
  return {
    bucket: "lww-wall",
    mode: "lww-wall",
    key: "list",
    skewed: "n3",
    skewMs: -400,
    offsets: { n1: 0, n2: 1, n3: -399 },
    writes,
    acknowledged: writes.length,
    kept: writes.filter((w) => w.kept).length,
    lost: writes.filter((w) => !w.kept).length,
    tookMs: 100,
  };
}

describe("the lost-update timeline's layout", () => {
  const run = runOf([write(0, "n1", 0, 10, true), write(1, "n2", 10, 20, true), write(2, "n3", 20, 100, false)]);

  it("puts each write in its coordinator's lane, in the cluster's order, on one time scale", () => {
    const layout = layoutTimeline(run, ["n1", "n2", "n3"]);
    expect(layout.lanes).toEqual(["n1", "n2", "n3"]);
    expect(layout.bars.map((b) => b.lane)).toEqual([0, 1, 2]);
    const [first, , last] = layout.bars;
    expect(first?.x).toBe(defaultGeometry.left);
    // The last acknowledgement ends at the right edge.
    expect((last?.x ?? 0) + (last?.width ?? 0)).toBeCloseTo(defaultGeometry.width - defaultGeometry.right);
    // Lanes stack downwards; bars sit inside their lane.
    for (const bar of layout.bars) {
      expect(bar.y).toBeGreaterThanOrEqual(defaultGeometry.top + bar.lane * defaultGeometry.laneHeight);
      expect(bar.y + bar.height).toBeLessThanOrEqual(defaultGeometry.top + (bar.lane + 1) * defaultGeometry.laneHeight);
    }
    expect(layout.axisY).toBe(defaultGeometry.top + 3 * defaultGeometry.laneHeight);
    expect(layout.ticks.map((t) => t.ms)).toEqual([0, 20, 40, 60, 80, 100]);
  });

  it("adds a lane for a coordinator that is not a member, and widens bars too thin to point at", () => {
    const fast = runOf([write(0, "n1", 0, 1000, true), write(1, "n9", 500, 500.1, true)]);
    const layout = layoutTimeline(fast, ["n1", "n2"]);
    expect(layout.lanes).toEqual(["n1", "n2", "n9"]);
    expect(layout.bars[1]?.lane).toBe(2);
    expect(layout.bars[1]?.width).toBe(barWidthPxMin);
  });

  it("leaves out the run's wait before the first write: the scale starts at the first write", () => {
    const late = runOf([write(0, "n1", 1_000, 1_010, true), write(1, "n2", 1_010, 1_100, true)]);
    const layout = layoutTimeline(late, ["n1", "n2"]);
    expect(layout.bars[0]?.x).toBe(defaultGeometry.left);
    expect(layout.ticks[0]?.ms).toBe(1_000);
    expect(layout.ticks.at(-1)?.ms).toBe(1_100);
  });

  it("tells a lost write (acknowledged, then missing) from a failed one (never acknowledged)", () => {
    expect(outcomeOf(write(0, "n1", 0, 1, true))).toBe("kept");
    expect(outcomeOf(write(1, "n3", 0, 1, false))).toBe("lost");
    expect(outcomeOf({ ...write(2, "n3", 0, 1, false), error: { code: "TIMEOUT", message: "no quorum" } })).toBe(
      "failed",
    );
  });
});

describe("axes", () => {
  it("niceTicks: round steps across the range, ends included when round", () => {
    expect(niceTicks(0, 100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(-23, 23, 10)).toEqual([-20, -15, -10, -5, 0, 5, 10, 15, 20]);
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.5, 1]);
    expect(niceTicks(5, 5)).toEqual([5]);
    expect(niceTicks(1, 0)).toEqual([]);
  });

  it("linearScale maps the domain onto the range, a point domain to the middle", () => {
    const x = linearScale(0, 10, 100, 200);
    expect(x(0)).toBe(100);
    expect(x(5)).toBe(150);
    expect(x(10)).toBe(200);
    expect(linearScale(3, 3, 0, 10)(3)).toBe(5);
  });

  it("stampGap measures how far one stamp is past another in the mode's units", () => {
    expect(stampGap("lww-wall", 1_500, 1_116)).toBe("384 ms later");
    expect(stampGap("lww-hlc", 1_500 * 2048 + 1, 1_116 * 2048 + 7)).toBe("384 ms later");
    expect(stampGap("causal", 1_500 * 2048 + 9, 1_500 * 2048 + 2)).toBe("7 ticks later, same ms");
    expect(stampGap("lww-lamport", 12, 9)).toBe("3 ticks later");
  });

  it("signedMs prints offsets with their sign", () => {
    expect(signedMs(250)).toBe("+250 ms");
    expect(signedMs(-4.56)).toBe("−4.6 ms");
    expect(signedMs(0)).toBe("0 ms");
    expect(signedMs(null)).toBe("—");
  });
});
