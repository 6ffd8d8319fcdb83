import { describe, expect, it } from "vitest";
import { runTour } from "../tour.js";

describe("the tour (npm start)", () => {
  it("runs every scene, asserting each claim, and prints the same story every time", async () => {
    const first: string[] = [];
    const second: string[] = [];
    await runTour((line) => first.push(line));
    await runTour((line) => second.push(line));
    expect(first).toEqual(second);
    const text = first.join("\n");
    for (const scene of ["1.", "2.", "3.", "4.", "5.", "6."]) expect(text).toContain(`== ${scene}`);
    expect(text).toContain("B's write is lost");
    expect(text).toContain("HLC_CLOCK_OFFSET_EXCEEDED");
    expect(text).toContain("real-time order kept");
  });
});
