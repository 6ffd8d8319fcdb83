/**
 * After the faults heal, on the simulator: the replicas converge (the
 * convergence checker over each node's Merkle roots), and then a read
 * through each node alone (r = 1) shows everything acknowledged (the
 * stale-reads checker). First a scripted case where one replica is cut off
 * while a client adds to the set, so that both checkers have something to
 * find before the heal and nothing after; then the set and the counter
 * workloads under partitions, in a causal and a last-write-wins bucket.
 */
import { Random } from "@skew/env";
import { type ConflictMode, conflictModes } from "@skew/kv";
import { describe, expect, it } from "vitest";
import {
  applyFaults,
  checkConvergence,
  checkStaleReads,
  clientsOf,
  describeConvergence,
  describeStaleReads,
  KvCluster,
  type NodeRead,
  type NodeRoots,
  planFaults,
  setCodec,
  startWorkload,
  warmupMs,
} from "../../src/index.js";

const nodes = ["n1", "n2", "n3"];
/** Anti-entropy every 50 ms over 8 partitions: a node visits all 16 of its (partition, peer) pairs within 800 ms. */
const repair = { partitions: 8, repair: { antiEntropyIntervalMs: 50 } } as const;
const convergeMsMax = 20_000;

function roots(cluster: KvCluster): NodeRoots[] {
  return nodes.map((node) => ({ node, roots: cluster.replica(node)?.merkleRoots() }));
}

function readEachNode(cluster: KvCluster, reader: string, bucket: string, key: string): NodeRead[] {
  return nodes.map((node) => {
    const read = cluster.callAndWait(reader, node, { kind: "get", bucket, key, r: 1 });
    return { node, values: read.ok && read.kind === "get" ? read.values : undefined };
  });
}

/** Runs the simulation until the Merkle roots agree (anti-entropy alone: nobody reads); the report at the end. */
function converge(cluster: KvCluster) {
  cluster.sim.run({ forMs: convergeMsMax, until: () => checkConvergence(roots(cluster)).converged });
  return checkConvergence(roots(cluster));
}

describe("one replica cut off while a client adds to the set", () => {
  it("before the heal: its partition diverges and its read misses the adds; after anti-entropy: converged and fresh", () => {
    const mode = "causal";
    const key = "cut-off";
    const cluster = new KvCluster({ seed: 8, nodes, clients: ["c1", "reader"], buckets: { [mode]: mode }, ...repair });
    const { sim } = cluster;
    sim.run({ forMs: warmupMs });
    expect(checkConvergence(roots(cluster)).converged).toBe(true);
    sim.partition(["n3"], ["n1", "n2"]);
    for (let element = 1; element <= 5; element++) {
      sim.history.invoke("c1", "add", element);
      const read = cluster.callAndWait("c1", "n1", { kind: "get", bucket: mode, key });
      if (!read.ok || read.kind !== "get") throw new Error(`read failed: ${JSON.stringify(read)}`);
      const added = setCodec.union(read.values).add(element);
      const put = cluster.callAndWait("c1", "n1", {
        kind: "put",
        bucket: mode,
        key,
        value: setCodec.encode(added),
        context: read.context,
      });
      expect(put.ok).toBe(true);
      sim.history.ok("c1", { element, siblings: read.values.length });
    }

    const before = checkConvergence(roots(cluster));
    expect(before.converged).toBe(false);
    expect(before.diverged).toHaveLength(1); // the key's partition, and only it
    expect(before.diverged[0]?.roots.map((r) => r.nodes)).toEqual([["n1", "n2"], ["n3"]]);
    const stale = checkStaleReads("set", sim.history.ops, undefined, readEachNode(cluster, "reader", mode, key));
    expect(stale.staleNodes).toEqual(["n3"]);
    expect(stale.nodes[2]).toMatchObject({ node: "n3", missedAcknowledged: [1, 2, 3, 4, 5] });

    sim.heal();
    const after = converge(cluster);
    expect(after.converged, describeConvergence(after).join("\n")).toBe(true);
    const reads = readEachNode(cluster, "reader", mode, key);
    const final = cluster.finalRead("reader", "n2", mode, key);
    const fresh = checkStaleReads("set", sim.history.ops, final, reads);
    expect(fresh.fresh, describeStaleReads(fresh).join("\n")).toBe(true);
    expect(fresh.final).toEqual([1, 2, 3, 4, 5]);
  });
});

describe("workloads under partitions: converged after the heal, then every node alone shows what was acknowledged", () => {
  const cases: [ConflictMode, "set" | "counter" | "sequential"][] = [
    ["causal", "set"],
    ["causal", "counter"],
    ["lww-hlc", "sequential"],
  ];
  for (const [mode, kind] of cases) {
    it(`${mode} ${kind}`, () => {
      expect(conflictModes).toContain(mode);
      const clients = clientsOf(kind, nodes);
      const cluster = new KvCluster({
        seed: 21,
        nodes,
        clients: [...clients.map(({ client }) => client), "reader"],
        buckets: { [mode]: mode },
        ...repair,
      });
      const { sim } = cluster;
      sim.run({ forMs: warmupMs });
      const workload = startWorkload({
        driver: cluster,
        kind,
        nodes,
        bucket: mode,
        key: kind,
        random: sim.random.fork(),
        quorum: { timeoutMs: 250 },
        clientTimeoutMs: 500,
      });
      applyFaults(sim, planFaults({ kind: "partition", nodes, fromMs: 100, toMs: 900, random: Random.seeded(21) }));
      sim.run({ forMs: 1_000 });
      workload.stop();
      sim.healAll();
      sim.run({ forMs: 10_000, until: () => workload.idle });
      sim.history.closePending();

      const report = converge(cluster);
      expect(report.converged, describeConvergence(report).join("\n")).toBe(true);
      const reads = readEachNode(cluster, "reader", mode, kind);
      const final = cluster.finalRead("reader", "n2", mode, kind);
      const stale = checkStaleReads(kind, sim.history.ops, final, reads);
      expect(stale.fresh, describeStaleReads(stale).join("\n")).toBe(true);
      // Not vacuous: something was acknowledged, and every node's read shows it.
      const owed = stale.acknowledged;
      expect(typeof owed === "number" ? owed : owed.length).toBeGreaterThan(0);
    });
  }
});
