import { describe, expect, it } from "vitest";
import { checkFencing } from "../../src/index.js";
import { handHistory } from "./support.js";

describe("checkFencing: no older token after a newer one was acknowledged (chapter 4.3)", () => {
  it("a zombie's write of token 33, acknowledged after token 34's was, and read back: two violations", () => {
    const { history, at } = handHistory();
    at(0).invoke("old", "write", { id: 1, fence: 33 });
    at(10).ok("old");
    at(20).invoke("new", "write", { id: 2, fence: 34 });
    at(30).ok("new");
    at(40).invoke("zombie", "write", { id: 3, fence: 33 });
    at(50).ok("zombie");
    at(60).invoke("r", "read", null);
    at(70).ok("r", [3]);
    const report = checkFencing(history.ops, [3]);
    expect(report.staleAccepted).toEqual([3]);
    expect(report.staleRead).toEqual([3]);
    expect(report.violations).toHaveLength(2);
    expect(report.acknowledged).toBe(3);
  });

  it("the zombie refused, or racing the newer token before it was acknowledged, is no violation", () => {
    const { history, at } = handHistory();
    at(0).invoke("new", "write", { id: 2, fence: 34 });
    at(5).invoke("zombie", "write", { id: 3, fence: 33 });
    at(10).ok("zombie"); // accepted before 34 was acknowledged: allowed
    at(20).ok("new");
    at(30).invoke("zombie2", "write", { id: 4, fence: 33 });
    at(40).fail("zombie2", { code: "FENCED" });
    at(50).invoke("late", "write", { id: 5, fence: 33 });
    at(60).info("late", { code: "FENCED" }); // stored at a replica that missed 34, not acknowledged
    const report = checkFencing(history.ops, [2]);
    expect(report.violations).toEqual([]);
    expect(report.staleAccepted).toEqual([]);
  });

  it("a write without a token is a malformed history", () => {
    const { history, at } = handHistory();
    at(0).invoke("a", "write", 1);
    at(1).ok("a");
    expect(() => checkFencing(history.ops)).toThrow(/\{ id, fence \}/);
  });
});
