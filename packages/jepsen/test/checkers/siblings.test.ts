import { describe, expect, it } from "vitest";
import { checkSiblings } from "../../src/index.js";
import { handHistory } from "./support.js";

describe("checkSiblings: reads that came back with more than one value", () => {
  it("counts register reads and the read halves of read-modify-writes; failed reads returned nothing", () => {
    const { history, at } = handHistory();
    at(0).invoke("a", "read", null);
    at(1).ok("a", [1]);
    at(2).invoke("a", "read", null);
    at(3).ok("a", [1, 2]);
    at(4).invoke("b", "add", 7);
    at(5).ok("b", { element: 7, siblings: 3 });
    at(6).invoke("b", "add", 8);
    at(7).fail("b", { code: "TIMEOUT" }); // its read failed: no siblings known
    at(8).invoke("c", "incr", 1);
    at(9).info("c", { code: "NO_REPLY", siblings: 2 }); // its read succeeded, its write's outcome is unknown
    at(10).invoke("d", "read", null);
    at(11).fail("d", { code: "UNAVAILABLE" });
    expect(checkSiblings(history.ops)).toEqual({ reads: 4, surfaced: 3, max: 3 });
  });

  it("a history of single values surfaces none", () => {
    const { history, at } = handHistory();
    at(0).invoke("a", "read", null);
    at(1).ok("a", []);
    at(2).invoke("a", "add", 1);
    at(3).ok("a", { element: 1, siblings: 1 });
    expect(checkSiblings(history.ops)).toEqual({ reads: 2, surfaced: 0, max: 1 });
  });
});
