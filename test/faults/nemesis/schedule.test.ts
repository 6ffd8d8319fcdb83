import { Random } from "@skew/env";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { healthyNetwork, isNetworkFault, networkOf } from "./network.js";
import {
  describeLiveFault,
  type LiveFault,
  laneOf,
  type NemesisName,
  nemesisGapMsMeanDefault,
  nemesisNames,
  nemesisShapes,
  planNemesis,
} from "./schedule.js";

const nodes = ["n1", "n2", "n3", "n4", "n5"];
const someNemeses = fc.subarray([...nemesisNames], { minLength: 1 });
const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const window = fc.record({ fromMs: fc.integer({ min: 0, max: 5_000 }), lengthMs: fc.integer({ min: 0, max: 60_000 }) });

function plan(nemeses: readonly NemesisName[], s: number, fromMs: number, lengthMs: number): LiveFault[] {
  return planNemesis({ nemeses, nodes, fromMs, toMs: fromMs + lengthMs, random: Random.seeded(s) });
}

/** The nodes a fault names, wherever it names them. */
function namedNodes(fault: LiveFault): string[] {
  switch (fault.kind) {
    case "partition-halves":
      return [...fault.minority, ...fault.majority];
    case "partition-bridge":
      return [fault.bridge, ...fault.left, ...fault.right];
    case "partition-links":
      return fault.cut.flatMap(({ from, to }) => [from, to]);
    case "loss":
    case "delay":
      return fault.links.flatMap(({ from, to }) => [from, to]);
    case "kill":
    case "pause":
      return [...fault.nodes];
    default:
      return [fault.node];
  }
}

describe("planNemesis", () => {
  it("draws the same schedule from the same seed", () => {
    fc.assert(
      fc.property(someNemeses, seed, window, (nemeses, s, { fromMs, lengthMs }) => {
        expect(plan(nemeses, s, fromMs, lengthMs)).toEqual(plan(nemeses, s, fromMs, lengthMs));
      }),
    );
  });

  it("keeps every fault inside the window, within its nemesis's durations, and names only real nodes", () => {
    fc.assert(
      fc.property(someNemeses, seed, window, (nemeses, s, { fromMs, lengthMs }) => {
        for (const fault of plan(nemeses, s, fromMs, lengthMs)) {
          expect(nemeses).toContain(fault.kind);
          expect(fault.atMs).toBeGreaterThanOrEqual(fromMs);
          expect(fault.atMs + fault.durationMs).toBeLessThanOrEqual(fromMs + lengthMs + 1e-9);
          const shape = nemesisShapes[fault.kind];
          expect(fault.durationMs).toBeGreaterThanOrEqual(shape.durationMsMin);
          expect(fault.durationMs).toBeLessThanOrEqual(shape.durationMsMax);
          for (const node of namedNodes(fault)) expect(nodes).toContain(node);
        }
      }),
    );
  });

  it("never overlaps two faults of one lane, and never takes down a majority", () => {
    fc.assert(
      fc.property(someNemeses, seed, window, (nemeses, s, { fromMs, lengthMs }) => {
        const endOf = new Map<string, number>();
        for (const fault of plan(nemeses, s, fromMs, lengthMs)) {
          expect(fault.atMs).toBeGreaterThanOrEqual(endOf.get(laneOf(fault)) ?? 0);
          endOf.set(laneOf(fault), fault.atMs + fault.durationMs);
          if (fault.kind === "kill" || fault.kind === "pause") {
            expect(fault.nodes.length).toBeGreaterThanOrEqual(1);
            expect(fault.nodes.length).toBeLessThan(nodes.length / 2);
          }
        }
      }),
    );
  });

  it("gives every nemesis at least one fault when the window holds a first gap and each lane's longest faults", () => {
    fc.assert(
      fc.property(someNemeses, seed, (nemeses, s) => {
        const lanes = new Map<string, number>();
        for (const name of nemeses) {
          const lane = laneOf({ kind: name } as LiveFault);
          lanes.set(lane, (lanes.get(lane) ?? 0) + nemesisShapes[name].durationMsMax);
        }
        const lengthMs = nemesisGapMsMeanDefault + Math.max(...lanes.values());
        const kinds = new Set(plan(nemeses, s, 0, lengthMs).map((fault) => fault.kind));
        for (const name of nemeses) expect(kinds).toContain(name);
      }),
    );
  });

  it("draws a nemesis's faults independently of which others run beside it", () => {
    fc.assert(
      fc.property(someNemeses, seed, fc.constantFrom(...nemesisNames), (others, s, name) => {
        const alone = plan([name], s, 0, 30_000);
        // With others in other lanes, the faults of `name` are the same ones.
        const beside = others.filter((other) => laneOf({ kind: other } as LiveFault) !== laneOf(alone[0] as LiveFault));
        const together = plan([name, ...beside], s, 0, 30_000).filter((fault) => fault.kind === name);
        expect(together).toEqual(alone);
      }),
    );
  });

  it("refuses unknown nemeses, too few nodes and a backward window", () => {
    const random = Random.seeded(1);
    expect(() => planNemesis({ nemeses: ["flood" as NemesisName], nodes, fromMs: 0, toMs: 1, random })).toThrow(
      /unknown nemesis "flood"/,
    );
    expect(() => planNemesis({ nemeses: ["kill"], nodes: ["a", "b"], fromMs: 0, toMs: 1, random })).toThrow(RangeError);
    expect(() => planNemesis({ nemeses: ["kill"], nodes, fromMs: 5, toMs: 1, random })).toThrow(RangeError);
  });

  it("describes every kind of fault in one line naming its nodes", () => {
    const faults = plan(nemesisNames, 7, 0, 120_000);
    expect(new Set(faults.map((fault) => fault.kind)).size).toBe(nemesisNames.length);
    for (const fault of faults) {
      const line = describeLiveFault(fault);
      expect(line).not.toContain("\n");
      for (const node of new Set(namedNodes(fault)).values()) if (fault.kind !== "delay") expect(line).toContain(node);
    }
  });
});

describe("networkOf", () => {
  const faultsOf = (s: number) => plan(nemesisNames, s, 0, 60_000);

  it("is the healthy network without network faults", () => {
    fc.assert(
      fc.property(seed, (s) => {
        const others = faultsOf(s).filter((fault) => !isNetworkFault(fault));
        expect(networkOf(others, nodes)).toEqual(healthyNetwork);
      }),
    );
  });

  it("is a union: the state of several faults holds each one's drops, and order does not matter", () => {
    fc.assert(
      fc.property(seed, (s) => {
        const network = faultsOf(s).filter(isNetworkFault);
        const together = networkOf(network, nodes);
        expect(networkOf([...network].reverse(), nodes)).toEqual(together);
        const links = new Set(together.drops.map(({ from, to }) => `${from}>${to}`));
        for (const fault of network)
          for (const drop of networkOf([fault], nodes).drops) {
            expect(links).toContain(`${drop.from}>${drop.to}`);
          }
      }),
    );
  });

  it("cuts a partition's sides apart both ways and leaves each side whole", () => {
    fc.assert(
      fc.property(seed, (s) => {
        for (const fault of faultsOf(s)) {
          if (fault.kind !== "partition-halves" && fault.kind !== "partition-bridge") continue;
          const [left, right] =
            fault.kind === "partition-halves" ? [fault.minority, fault.majority] : [fault.left, fault.right];
          const dropped = new Set(networkOf([fault], nodes).drops.map(({ from, to }) => `${from}>${to}`));
          for (const a of left)
            for (const b of right) {
              expect(dropped).toContain(`${a}>${b}`);
              expect(dropped).toContain(`${b}>${a}`);
            }
          expect(dropped.size).toBe(2 * left.length * right.length);
        }
      }),
    );
  });

  it("drops only what an asymmetric node sends", () => {
    const drops = networkOf([{ kind: "partition-asymmetric", atMs: 0, durationMs: 1_000, node: "n2" }], nodes).drops;
    expect(drops.every(({ from }) => from === "n2")).toBe(true);
    expect(drops.map(({ to }) => to)).toEqual(["n1", "n3", "n4", "n5"]);
  });
});
