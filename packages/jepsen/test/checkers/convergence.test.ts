/**
 * The convergence checker (src/checkers/convergence.ts): partitions whose
 * replicas hold different Merkle roots, and nodes that did not answer. The
 * laws by fast-check: equal roots everywhere is convergence; one root
 * changed at one node names exactly that partition, with who holds what.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkConvergence, describeConvergence, type NodeRoots } from "../../src/index.js";

const root = fc.integer({ min: 0, max: 0xffff_ffff });

/** Nodes n1..nk, each reporting the same root for each of the same partitions. */
const agreeing = fc
  .record({
    nodes: fc.integer({ min: 1, max: 6 }),
    roots: fc.dictionary(fc.integer({ min: 0, max: 63 }).map(String), root, { minKeys: 1, maxKeys: 16 }),
  })
  .map(({ nodes, roots }) => {
    const partitions = new Map(Object.entries(roots).map(([p, r]) => [Number(p), r]));
    return Array.from({ length: nodes }, (_, i): NodeRoots => ({ node: `n${i + 1}`, roots: new Map(partitions) }));
  });

describe("checkConvergence", () => {
  it("equal roots at every node: converged, nothing diverged, every partition counted", () => {
    fc.assert(
      fc.property(agreeing, (snapshot) => {
        const report = checkConvergence(snapshot);
        expect(report.converged).toBe(true);
        expect(report.diverged).toEqual([]);
        expect(report.unreachable).toEqual([]);
        expect(report.partitions).toBe(snapshot[0]?.roots?.size);
        expect(describeConvergence(report)).toEqual([]);
      }),
    );
  });

  it("one node's root of one partition changed: exactly that partition, the node alone on its root, the rest on the old one", () => {
    const changedOne = agreeing
      .filter((snapshot) => snapshot.length >= 2)
      .chain((snapshot) =>
        fc.record({
          snapshot: fc.constant(snapshot),
          node: fc.integer({ min: 0, max: snapshot.length - 1 }),
          partition: fc.constantFrom(...(snapshot[0]?.roots?.keys() ?? [])),
          delta: fc.integer({ min: 1, max: 0xffff_fffe }),
        }),
      );
    fc.assert(
      fc.property(changedOne, ({ snapshot, node, partition, delta }) => {
        const old = snapshot[0]?.roots?.get(partition) as number;
        const changed = (old + delta) % 0x1_0000_0000;
        const odd = snapshot[node] as NodeRoots;
        const edited = snapshot.map((n) =>
          n === odd ? { node: n.node, roots: new Map(n.roots).set(partition, changed) } : n,
        );
        const report = checkConvergence(edited);
        expect(report.converged).toBe(false);
        expect(report.diverged.map((d) => d.partition)).toEqual([partition]);
        const holders = new Map(report.diverged[0]?.roots.map((r) => [r.root, r.nodes]));
        expect(holders.get(changed)).toEqual([odd.node]);
        expect(holders.get(old)).toEqual(
          snapshot
            .map((n) => n.node)
            .filter((id) => id !== odd.node)
            .sort(),
        );
        expect(holders.size).toBe(2);
        expect(describeConvergence(report)).toHaveLength(1);
      }),
    );
  });

  it("a node that did not answer is reported apart, and the cluster is not converged", () => {
    const roots = new Map([
      [0, 7],
      [1, 9],
    ]);
    const report = checkConvergence([
      { node: "n1", roots },
      { node: "n3", roots: undefined },
      { node: "n2", roots: new Map(roots) },
    ]);
    expect(report).toEqual({ converged: false, partitions: 2, diverged: [], unreachable: ["n3"] });
    expect(describeConvergence(report)).toEqual(["n3 did not answer"]);
  });

  it("compares a partition across the nodes that reported it: a ring of 4 with N = 3 converges", () => {
    // Partitions 0..3, each on three of the four nodes (the node of its index left out).
    const nodes = ["n1", "n2", "n3", "n4"];
    const maps = nodes.map((_, i) => new Map([0, 1, 2, 3].filter((p) => p !== i).map((p) => [p, 100 + p])));
    const snapshot = nodes.map((node, i) => ({ node, roots: maps[i] }));
    expect(checkConvergence(snapshot)).toMatchObject({ converged: true, partitions: 4 });
    maps[1]?.set(2, 5);
    expect(checkConvergence(snapshot).diverged).toEqual([
      {
        partition: 2,
        roots: [
          { root: 102, nodes: ["n1", "n4"] },
          { root: 5, nodes: ["n2"] },
        ],
      },
    ]);
    expect(describeConvergence(checkConvergence(snapshot))).toEqual(["partition 2: 102 at n1, n4; 5 at n2"]);
  });

  it("refuses a node reported twice, or a root that is not an integer", () => {
    const roots = new Map([[0, 1]]);
    expect(() =>
      checkConvergence([
        { node: "n1", roots },
        { node: "n1", roots },
      ]),
    ).toThrow(TypeError);
    expect(() => checkConvergence([{ node: "n1", roots: new Map([[0, 1.5]]) }])).toThrow(TypeError);
    expect(() => checkConvergence([{ node: "n1", roots: new Map([[-1, 1]]) }])).toThrow(TypeError);
    for (const bad of [{ toString: 0 }, Object.create(null), Symbol()] as never[]) {
      expect(() => checkConvergence([{ node: "n1", roots: new Map([[bad, 1]]) }])).toThrow(
        /^checkConvergence: n1 reported partition an? \w+$/,
      );
      expect(() => checkConvergence([{ node: "n1", roots: new Map([[0, bad]]) }])).toThrow(
        /^checkConvergence: n1's root an? \w+ is no integer$/,
      );
    }
  });
});
