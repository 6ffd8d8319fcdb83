import { describe, expect, it } from "vitest";
import { checkCounter } from "../../src/index.js";
import { handHistory } from "./support.js";

/** Three acknowledged increments, one that failed definitely, one of unknown outcome. */
function increments() {
  const { history, at } = handHistory();
  for (let i = 0; i < 3; i++) {
    at(i * 10).invoke("a", "incr", 1);
    at(i * 10 + 5).ok("a", { delta: 1, siblings: 1 });
  }
  at(40).invoke("b", "incr", 1);
  at(45).fail("b", { code: "UNAVAILABLE" });
  at(50).invoke("c", "incr", 1);
  at(55).info("c", { code: "TIMEOUT" });
  return { history, at };
}

describe("checkCounter: reads within the bounds the history fixes", () => {
  it("bounds: acknowledged below, acknowledged plus unknown above; a definite failure counts in neither", () => {
    const report = checkCounter(increments().history.ops, 3);
    expect(report).toMatchObject({ attempted: 5, acknowledged: 3, definite: 1, indefinite: 1 });
    expect(report).toMatchObject({ lowerBound: 3, upperBound: 4, lost: 0, excess: 0 });
    expect(checkCounter(increments().history.ops, 4)).toMatchObject({ lost: 0, excess: 0 });
  });

  it("a final read below the acknowledged count lost that many at least; above the possible, counted a failure", () => {
    expect(checkCounter(increments().history.ops, 1)).toMatchObject({ lost: 2, excess: 0 });
    expect(checkCounter(increments().history.ops, 5)).toMatchObject({ lost: 0, excess: 1 });
    expect(checkCounter(increments().history.ops)).toMatchObject({ final: undefined, lost: 0, excess: 0 });
  });

  it("reads in the history are judged against the bounds at their own time", () => {
    const { history, at } = increments();
    at(60).invoke("r", "read", null);
    at(70).ok("r", 2); // three were acknowledged before it began
    at(80).invoke("r", "read", null);
    at(90).ok("r", 4);
    const report = checkCounter(history.ops, 3);
    expect(report.readViolations).toEqual(["read 2 at 60us, bounds [3, 4]"]);
  });

  it("an increment that is not a positive integer is a malformed history", () => {
    const { history, at } = handHistory();
    at(0).invoke("a", "incr", -1);
    at(1).ok("a");
    expect(() => checkCounter(history.ops, 0)).toThrow(/positive integer/);
  });
});
