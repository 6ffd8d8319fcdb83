/**
 * The stale-reads checker (src/checkers/stale-reads.ts): each node's r = 1
 * read against what the history acknowledged and against the merged final
 * read, for the set, the counter and the registers (the fenced one too).
 * Hand-made histories, and a fast-check law for the set.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkStaleReads,
  counterCodec,
  describeStaleReads,
  type Op,
  registerCodec,
  setCodec,
} from "../../src/index.js";
import { handHistory } from "./support.js";

const set = (...elements: number[]) => [setCodec.encode(new Set(elements))];
const ids = (...written: number[]) => written.map((id) => registerCodec.encode(id));
const counter = (entries: Record<string, number>) => [counterCodec.encode(new Map(Object.entries(entries)))];

describe("checkStaleReads: the set", () => {
  function history(): readonly Op[] {
    const { history, at } = handHistory();
    at(0).invoke("c1", "add", 1);
    at(10).ok("c1", { element: 1, siblings: 1 });
    at(20).invoke("c1", "add", 2);
    at(30).ok("c1", { element: 2, siblings: 1 });
    at(40).invoke("c2", "add", 3);
    at(50).ok("c2", { element: 3, siblings: 1 });
    at(60).invoke("c3", "add", 4);
    at(70).info("c3", { code: "NO_REPLY" }); // landed after all: in the final read
    at(80).invoke("c1", "add", 5);
    at(90).fail("c1", { code: "UNAVAILABLE" });
    return history.ops;
  }

  it("a node with everything is fresh; one missing an acknowledged add and one that could not be read are not", () => {
    const report = checkStaleReads("set", history(), set(1, 2, 3, 4), [
      { node: "n1", values: set(1, 2, 3, 4) },
      { node: "n2", values: [...set(1, 2), ...set(2, 4)] }, // two siblings, merged by union
      { node: "n3", values: undefined },
    ]);
    expect(report.acknowledged).toEqual([1, 2, 3]);
    expect(report.final).toEqual([1, 2, 3, 4]);
    expect(report.nodes[0]).toMatchObject({ node: "n1", read: true, stale: false, shown: [1, 2, 3, 4] });
    expect(report.nodes[1]).toMatchObject({
      node: "n2",
      stale: true,
      shown: [1, 2, 4],
      missedAcknowledged: [3],
      missedFinal: [3],
      beyondFinal: [],
    });
    expect(report.nodes[2]).toEqual({ node: "n3", read: false, stale: true });
    expect(report.staleNodes).toEqual(["n2"]);
    expect(report.unread).toEqual(["n3"]);
    expect(report.fresh).toBe(false);
    expect(describeStaleReads(report)).toEqual([
      "n2: missed acknowledged [3]; missed of the final read [3]",
      "n3: the read failed",
    ]);
  });

  it("a node missing only an add of unknown outcome misses the final read, not the history", () => {
    const report = checkStaleReads("set", history(), set(1, 2, 3, 4), [{ node: "n1", values: set(1, 2, 3) }]);
    expect(report.nodes[0]).toMatchObject({ missedAcknowledged: [], missedFinal: [4], stale: true });
  });

  it("law: a node that read exactly the final read is fresh; one that lacks one element of it misses that one", () => {
    const adds = fc.array(fc.constantFrom("ok", "fail", "info"), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(adds, fc.nat(), fc.array(fc.boolean(), { maxLength: 30 }), (outcomes, pick, landed) => {
        const { history, at } = handHistory();
        const final = new Set<number>();
        outcomes.forEach((outcome, i) => {
          const element = i + 1;
          at(i * 10).invoke(`c${element}`, "add", element);
          if (outcome === "ok") at(i * 10 + 5).ok(`c${element}`, { element, siblings: 1 });
          else if (outcome === "fail") at(i * 10 + 5).fail(`c${element}`, { code: "UNAVAILABLE" });
          else at(i * 10 + 5).info(`c${element}`, { code: "NO_REPLY" });
          if (outcome === "ok" || (outcome === "info" && landed[i] === true)) final.add(element);
        });
        const fresh = checkStaleReads(
          "set",
          history.ops,
          [setCodec.encode(final)],
          [{ node: "n1", values: [setCodec.encode(final)] }],
        );
        expect(fresh.fresh).toBe(true);
        if (final.size === 0) return;
        const missing = [...final][pick % final.size] as number;
        const lacking = new Set([...final].filter((e) => e !== missing));
        const stale = checkStaleReads(
          "set",
          history.ops,
          [setCodec.encode(final)],
          [{ node: "n1", values: [setCodec.encode(lacking)] }],
        );
        expect(stale.nodes[0]).toMatchObject({
          missedFinal: [missing],
          missedAcknowledged: outcomes[missing - 1] === "ok" ? [missing] : [],
          beyondFinal: [],
          stale: true,
        });
      }),
    );
  });
});

describe("checkStaleReads: the counter", () => {
  it("counts: below the acknowledged increments, below the final read, above it", () => {
    const { history, at } = handHistory();
    for (let i = 0; i < 5; i++) {
      at(i * 10).invoke("c1", "incr", 1);
      at(i * 10 + 5).ok("c1", { delta: 1, siblings: 1 });
    }
    at(100).invoke("c2", "incr", 1);
    at(110).info("c2", { code: "NO_REPLY" }); // landed: the final read counts 6
    const report = checkStaleReads("counter", history.ops, counter({ c1: 5, c2: 1 }), [
      { node: "n1", values: counter({ c1: 5, c2: 1 }) },
      { node: "n2", values: counter({ c1: 3 }) },
      { node: "n3", values: counter({ c1: 5, c2: 2 }) },
    ]);
    expect(report.acknowledged).toBe(5);
    expect(report.final).toBe(6);
    expect(report.nodes).toEqual([
      {
        node: "n1",
        read: true,
        measure: "count",
        shown: 6,
        missedAcknowledged: 0,
        missedFinal: 0,
        beyondFinal: 0,
        stale: false,
      },
      {
        node: "n2",
        read: true,
        measure: "count",
        shown: 3,
        missedAcknowledged: 2,
        missedFinal: 3,
        beyondFinal: 0,
        stale: true,
      },
      {
        node: "n3",
        read: true,
        measure: "count",
        shown: 7,
        missedAcknowledged: 0,
        missedFinal: 0,
        beyondFinal: 1,
        stale: true,
      },
    ]);
    expect(report.staleNodes).toEqual(["n2", "n3"]);
  });
});

describe("checkStaleReads: registers", () => {
  it("sequential writes: only the last must show; a node still showing the older one misses it and shows one too many", () => {
    const { history, at } = handHistory();
    at(0).invoke("w1", "write", 1);
    at(10).ok("w1", 1);
    at(20).invoke("w2", "write", 2);
    at(30).ok("w2", 2);
    const report = checkStaleReads("sequential", history.ops, ids(2), [
      { node: "n1", values: ids(2) },
      { node: "n2", values: ids(1) },
    ]);
    expect(report.acknowledged).toEqual([2]);
    expect(report.nodes[0]).toMatchObject({ stale: false });
    expect(report.nodes[1]).toMatchObject({ missedAcknowledged: [2], missedFinal: [2], beyondFinal: [1], stale: true });
  });

  it("concurrent blind writes both acknowledged: both must show (a causal store keeps both as siblings)", () => {
    const { history, at } = handHistory();
    at(0).invoke("w1", "write", 1);
    at(5).invoke("w2", "write", 2);
    at(10).ok("w1", 1);
    at(15).ok("w2", 2);
    const report = checkStaleReads("blind", history.ops, ids(1, 2), [{ node: "n1", values: ids(2) }]);
    expect(report.acknowledged).toEqual([1, 2]);
    expect(report.nodes[0]).toMatchObject({ missedAcknowledged: [1], missedFinal: [1] });
  });

  it("fenced: a newer token's write that raced an older one replaces it; the node need not show the older", () => {
    const { history, at } = handHistory();
    at(0).invoke("f1", "write", { id: 1, fence: 1 });
    at(5).invoke("f2", "write", { id: 2, fence: 2 });
    at(10).ok("f1", { id: 1, fence: 1 });
    at(15).ok("f2", { id: 2, fence: 2 });
    const reads = [{ node: "n1", values: ids(2) }];
    expect(checkStaleReads("fenced", history.ops, ids(2), reads)).toMatchObject({ acknowledged: [2], fresh: true });
    // Judged as blind writes, the same history owes both: the token is what excuses the first.
    expect(checkStaleReads("blind", history.ops, ids(2), reads).nodes[0]).toMatchObject({ missedAcknowledged: [1] });
  });

  it("without a final read, only the history judges", () => {
    const { history, at } = handHistory();
    at(0).invoke("w1", "write", 1);
    at(10).ok("w1", 1);
    const report = checkStaleReads("sequential", history.ops, undefined, [
      { node: "n1", values: ids(1) },
      { node: "n2", values: [] },
    ]);
    expect(report.final).toBeUndefined();
    expect(report.nodes[1]).toMatchObject({ missedAcknowledged: [1], missedFinal: [], beyondFinal: [] });
  });

  it("refuses a node read twice", () => {
    expect(() =>
      checkStaleReads("set", [], undefined, [
        { node: "n1", values: [] },
        { node: "n1", values: [] },
      ]),
    ).toThrow(TypeError);
  });
});
