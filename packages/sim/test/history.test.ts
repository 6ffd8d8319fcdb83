import { Simulation } from "@skew/sim";
import { expect, test } from "vitest";

test("the history records Jepsen's invoke/ok/fail/info with true time, one outstanding op per process", () => {
  const sim = new Simulation({ seed: 1 });
  const h = sim.history;
  h.invoke(0, "write", 3);
  sim.run({ forMs: 10 });
  h.ok(0);
  h.invoke(1, "read");
  h.invoke(0, "cas", [3, 4]);
  sim.run({ forMs: 5 });
  h.ok(1, 3);
  h.fail(0);
  h.invoke("c2", "write", 9);
  expect(() => h.invoke("c2", "write", 10)).toThrow(TypeError);
  expect(() => h.ok(5)).toThrow(TypeError);
  h.closePending();
  expect(() => h.invoke("c2", "read")).toThrow(/ended with info/);
  expect(h.ops.map((op) => [op.index, op.type, op.process, op.f, op.value, op.timeUs])).toEqual([
    [0, "invoke", 0, "write", 3, 0],
    [1, "ok", 0, "write", 3, 10_000],
    [2, "invoke", 1, "read", undefined, 10_000],
    [3, "invoke", 0, "cas", [3, 4], 10_000],
    [4, "ok", 1, "read", 3, 15_000],
    [5, "fail", 0, "cas", [3, 4], 15_000],
    [6, "invoke", "c2", "write", 9, 15_000],
    [7, "info", "c2", "write", 9, 15_000],
  ]);
  expect(h.toJsonLines().split("\n")[4]).toBe('{"index":4,"type":"ok","process":1,"f":"read","value":3,"time":15000}');
});
