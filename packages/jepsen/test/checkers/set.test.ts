import { describe, expect, it } from "vitest";
import { checkSet, operations } from "../../src/index.js";
import { handHistory } from "./support.js";

describe("checkSet: Jepsen's set checker", () => {
  it("acknowledged adds must survive, definite failures must not appear, unknown ones may go either way", () => {
    const { history, at } = handHistory();
    at(0).invoke("a", "add", 1);
    at(1).ok("a", { element: 1, siblings: 1 });
    at(2).invoke("a", "add", 2);
    at(3).ok("a", { element: 2, siblings: 2 });
    at(4).invoke("b", "add", 3);
    at(5).fail("b", { code: "UNAVAILABLE" });
    at(6).invoke("c", "add", 4);
    at(7).info("c", { code: "TIMEOUT" });
    at(8).invoke("d", "add", 5); // still pending when the test ends: unknown
    const report = checkSet(history.ops, new Set([1, 3, 4, 42]));
    expect(report).toMatchObject({ attempted: 5, acknowledged: 2, survived: 1, indefinite: 2, indefiniteAppeared: 1 });
    expect(report.lost).toEqual([2]);
    expect(report.definite).toBe(1);
    expect(report.definiteAppeared).toEqual([3]);
    expect(report.unexpected).toEqual([42]);
  });

  it("pairs operations in invocation order; a pending one counts as info, completing at infinity", () => {
    const { history, at } = handHistory();
    at(0).invoke("a", "add", 1);
    at(1).invoke("b", "add", 2);
    at(2).ok("b");
    const [first, second] = operations(history.ops);
    expect(first).toMatchObject({ process: "a", type: "info", invokeUs: 0, completeUs: Number.POSITIVE_INFINITY });
    expect(second).toMatchObject({ process: "b", type: "ok", value: 2, invokeUs: 1, completeUs: 2 });
  });
});
