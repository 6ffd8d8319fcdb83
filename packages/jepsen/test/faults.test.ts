import { Random } from "@skew/env";
import { Simulation } from "@skew/sim";
import { describe, expect, it } from "vitest";
import { applyFaults, describeFault, type Fault, faultKinds, planFaults } from "../src/index.js";

const nodes = ["n1", "n2", "n3"];

describe("nemesis schedules", () => {
  it("are a function of the seed, inside the window, one at a time", () => {
    for (const kind of faultKinds.filter((k) => k !== "none")) {
      const plan = (seed: number) =>
        planFaults({ kind, nodes, fromMs: 100, toMs: 2_000, random: Random.seeded(seed).fork() });
      expect(plan(3)).toEqual(plan(3));
      expect(plan(4)).not.toEqual(plan(3));
      const faults = plan(3);
      expect(faults.length).toBeGreaterThan(1);
      let freeAtMs = 100;
      for (const fault of faults) {
        expect(fault.kind).toBe(kind);
        expect(fault.atMs).toBeGreaterThanOrEqual(freeAtMs);
        expect(fault.atMs + fault.durationMs).toBeLessThanOrEqual(2_000);
        expect(nodes).toContain(fault.node);
        freeAtMs = fault.atMs + fault.durationMs;
      }
    }
    expect(planFaults({ kind: "none", nodes, fromMs: 0, toMs: 1_000, random: Random.seeded(1) })).toEqual([]);
  });

  it("refuse what they cannot plan", () => {
    const random = Random.seeded(1);
    expect(() => planFaults({ kind: "meteor" as never, nodes, fromMs: 0, toMs: 1, random })).toThrow(TypeError);
    expect(() => planFaults({ kind: "pause", nodes: [], fromMs: 0, toMs: 1, random })).toThrow(RangeError);
    expect(() => planFaults({ kind: "pause", nodes, fromMs: 5, toMs: 1, random })).toThrow(RangeError);
    for (const bad of [{ toString: 0 }, Object.create(null), Symbol()] as never[]) {
      expect(() => planFaults({ kind: bad, nodes, fromMs: 0, toMs: 1, random })).toThrow(
        /^planFaults: kind .*, got an? \w+$/,
      );
      expect(() => planFaults({ kind: "pause", nodes, fromMs: bad, toMs: 1, random })).toThrow(
        new TypeError(`planFaults: fromMs must be a number, got ${typeof bad === "symbol" ? "a symbol" : "an object"}`),
      );
      expect(() => planFaults({ kind: "pause", nodes, fromMs: 0, toMs: 1, random, gapMsMean: bad })).toThrow(
        /^planFaults: gapMsMean must be a number, got an? \w+$/,
      );
    }
  });

  it("play on the simulator at their times, and heal", () => {
    const sim = new Simulation<unknown>({ seed: 1 });
    for (const id of nodes) sim.addNode(id, () => ({ onMessage: () => {} }));
    const faults: Fault[] = [
      { kind: "pause", atMs: 10, durationMs: 20, node: "n2" },
      { kind: "clock-step", atMs: 50, durationMs: 30, node: "n3", deltaMs: -120 },
    ];
    applyFaults(sim, faults);
    sim.run({ forMs: 15 });
    expect(sim.node("n2").paused).toBe(true);
    sim.run({ forMs: 20 });
    expect(sim.node("n2").paused).toBe(false);
    sim.run({ forMs: 20 });
    expect(sim.clock("n3").offsetMs).toBeCloseTo(-120);
    sim.run({ forMs: 40 });
    expect(sim.clock("n3").offsetMs).toBeCloseTo(0);
    expect(faults.map(describeFault)).toEqual([
      "10.0ms pause n2 for 20.0ms",
      "50.0ms step n3's clock -120.0ms for 30.0ms",
    ]);
  });
});
