import { describe, expect, it } from "vitest";
import { checkRegister, JepsenError } from "../../src/index.js";
import { handHistory } from "./support.js";

describe("checkRegister: lost writes and real-time order, from the history alone", () => {
  it("a read after a write was acknowledged that shows the older write instead: lost, in the wrong order", () => {
    const { history, at } = handHistory();
    at(0).invoke("a", "write", 1);
    at(10).ok("a");
    at(20).invoke("b", "read", null);
    at(30).ok("b", [1]);
    at(40).invoke("b", "write", 2);
    at(50).ok("b");
    at(60).invoke("a", "read", null);
    at(70).ok("a", [1]);
    const report = checkRegister(history.ops, [1]);
    expect(report.lost).toEqual([2]);
    expect(report.wrongOrder).toEqual([2]);
    expect(report.acknowledged).toBe(2);
    expect(report.readsChecked).toBe(3);
  });

  it("a later write excuses an earlier one; the newest acknowledged one must be there", () => {
    const { history, at } = handHistory();
    at(0).invoke("a", "write", 1);
    at(10).ok("a");
    at(20).invoke("b", "write", 2);
    at(30).ok("b");
    const healthy = checkRegister(history.ops, [2]);
    expect(healthy.lost).toEqual([]);
    expect(healthy.wrongOrder).toEqual([]);
    const empty = checkRegister(history.ops, []);
    expect(empty.lost).toEqual([2]);
    expect(empty.wrongOrder).toEqual([]); // nothing older was shown in its place
  });

  it("concurrent writes do not excuse each other: one dropped without a sibling is lost, but not out of order", () => {
    const { history, at } = handHistory();
    at(0).invoke("a", "write", 1);
    at(5).invoke("b", "write", 2);
    at(10).ok("a");
    at(15).ok("b");
    const lww = checkRegister(history.ops, [2]);
    expect(lww.lost).toEqual([1]);
    expect(lww.wrongOrder).toEqual([]);
    const siblings = checkRegister(history.ops, [1, 2]);
    expect(siblings.lost).toEqual([]);
  });

  it("a write of unknown outcome may land at any time: it excuses what came before it, and is never required", () => {
    const { history, at } = handHistory();
    at(0).invoke("a", "write", 1);
    at(10).ok("a");
    at(20).invoke("b", "write", 2);
    at(30).info("b", { code: "TIMEOUT" });
    expect(checkRegister(history.ops, [2]).lost).toEqual([]);
    expect(checkRegister(history.ops, [1]).lost).toEqual([]);
    // Shown after a newer write was acknowledged, an info write invoked before it is not "older": it may have landed last.
    at(40).invoke("c", "write", 3);
    at(50).ok("c");
    const report = checkRegister(history.ops, [2]);
    expect(report.lost).toEqual([3]);
    expect(report.wrongOrder).toEqual([]);
  });

  it("reads during a write judge only what was settled when they began", () => {
    const { history, at } = handHistory();
    at(0).invoke("a", "write", 1);
    at(10).ok("a");
    at(20).invoke("r", "read", null);
    at(25).invoke("a", "write", 2); // invoked before the read ended: it may have replaced 1 under the read
    at(30).ok("r", []);
    at(35).ok("a");
    const report = checkRegister(history.ops);
    expect(report.lost).toEqual([]);
    expect(report.readsChecked).toBe(1);
  });

  it("a definitely failed write that shows up, and an id nobody wrote, are reported", () => {
    const { history, at } = handHistory();
    at(0).invoke("a", "write", 1);
    at(10).fail("a", { code: "UNAVAILABLE" });
    at(20).invoke("a", "read", null);
    at(30).ok("a", [1, 99]);
    const report = checkRegister(history.ops, [1]);
    expect(report.definiteAppeared).toEqual([1]);
    expect(report.unexpected).toEqual([99]);
    expect(report.acknowledged).toBe(0);
    expect(report.attempted).toBe(1);
  });

  it("a malformed history is a JepsenError, not a verdict", () => {
    const { history, at } = handHistory();
    at(0).invoke("a", "write", 1);
    at(1).ok("a");
    at(2).invoke("b", "write", 1);
    at(3).ok("b");
    expect(() => checkRegister(history.ops)).toThrow(JepsenError);
    expect(() => checkRegister(history.ops)).toThrow(/written twice/);
    const completionOnly = [{ index: 0, type: "ok" as const, process: "a", f: "write", value: 1, timeUs: 0 }];
    const error = (() => {
      try {
        checkRegister(completionOnly);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(JepsenError);
    expect((error as JepsenError).code).toBe("HISTORY_MALFORMED");
    const { history: bad, at: badAt } = handHistory();
    badAt(0).invoke("a", "read", null);
    badAt(1).ok("a", "not ids");
    expect(() => checkRegister(bad.ops)).toThrow(/array of integer ids/);
    for (const process of [{ toString: 0 }, Object.create(null), Symbol()] as never[]) {
      const twice = [0, 1].map((index) => ({
        index,
        type: "invoke" as const,
        process,
        f: "write",
        value: 1,
        timeUs: 0,
      }));
      expect(() => checkRegister(twice)).toThrow(/^history: process an? \w+ invoked twice \(index 1\)$/);
    }
  });
});
