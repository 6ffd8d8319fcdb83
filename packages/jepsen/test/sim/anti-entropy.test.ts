/**
 * Merkle anti-entropy (Dynamo 4.7, Riak AAE) on the simulator: writes taken
 * while one replica is partitioned away, and never read, reach it after the
 * heal through anti-entropy alone, within a bound derived from the exchange
 * interval and the number of (partition, peer) pairs a node visits.
 *
 * Hinted handoff is switched off (hintsMax 0: fallbacks refuse hints) and no
 * key is read before the check, so neither handoff nor read repair can do
 * the work; a control run with anti-entropy effectively off shows the roots
 * would otherwise stay apart.
 */
import {
  antiEntropySessionTimeoutMs,
  type ConflictMode,
  hashKey,
  heartbeatIntervalMsDefault,
  type KvRecord,
  recordsEqual,
  replicasDefault,
} from "@skew/kv";
import { runSeeds } from "@skew/sim";
import { describe, expect, it } from "vitest";
import { KvCluster, text } from "../../src/index.js";
import { replayIn } from "../support/replay.js";

const nodes = ["n1", "n2", "n3", "n4", "n5"];
const buckets: Record<string, ConflictMode> = { "lww-hlc": "lww-hlc", causal: "causal" };
const partitions = 16;
const intervalMs = 50;
const keysWritten = 40;

/** Partitions whose replicas (the default N) do not all show the same Merkle root. */
function partitionsApart(c: KvCluster, ids: readonly string[] = nodes): number[] {
  const ring = c.node(ids[0] as string).ring;
  const apart: number[] = [];
  for (let p = 0; p < ring.partitions; p++) {
    const roots = ring.preferenceListOfPartition(p, replicasDefault).map((id) => c.node(id).merkleRoot(p));
    if (roots.some((root) => root === undefined) || new Set(roots).size !== 1) apart.push(p);
  }
  return apart;
}

interface Run {
  readonly cluster: KvCluster;
  /** Keys with n5 among their primaries: the ones it missed. */
  readonly missedByN5: { readonly bucket: string; readonly key: string }[];
  readonly apartAtHeal: number;
  /** The bound on convergence after the heal, and when (ms after the heal) the roots agreed, if they did. */
  readonly boundMs: number;
  readonly convergedAfterMs: number | undefined;
}

/** `boundIntervalMs`: the interval the bound is derived from (the real one, also for the control run). */
function partitionedWrites(seed: number, antiEntropyIntervalMs: number, boundIntervalMs = antiEntropyIntervalMs): Run {
  const c = new KvCluster({
    seed,
    nodes,
    clients: ["c1"],
    buckets,
    partitions,
    membership: { hintsMax: 0 },
    repair: { antiEntropyIntervalMs },
  });
  c.sim.run({ forMs: 1_000 });
  c.sim.isolate("n5");
  const missedByN5: { bucket: string; key: string }[] = [];
  for (let i = 0; i < keysWritten; i++) {
    const bucket = i % 2 === 0 ? "lww-hlc" : "causal";
    const key = `k${i}`;
    const outcome = c.callAndWait("c1", "n1", { kind: "put", bucket, key, value: text.encode(`v${i}`) });
    expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
    const ring = c.node("n1").ring;
    if (ring.preferenceList(hashKey(bucket, key), replicasDefault).includes("n5")) {
      missedByN5.push({ bucket, key });
    }
  }
  const apartAtHeal = partitionsApart(c).length;
  c.sim.heal();
  // Every pair of every node, twice (the second cycle spreads the joins), after the failure detectors have
  // heard the healed node again (a heartbeat) and an exchange stuck on it has timed out.
  const pairs = Math.max(...nodes.map((id) => c.node(id).repairView().exchangePairs));
  const boundMs = 2 * pairs * boundIntervalMs + heartbeatIntervalMsDefault + antiEntropySessionTimeoutMs;
  const start = c.sim.nowMs;
  let convergedAfterMs: number | undefined;
  while (c.sim.nowMs - start <= 2 * boundMs) {
    c.sim.run({ forMs: 10 });
    if (partitionsApart(c).length === 0) {
      convergedAfterMs = c.sim.nowMs - start;
      break;
    }
  }
  return { cluster: c, missedByN5, apartAtHeal, boundMs, convergedAfterMs };
}

describe("anti-entropy after a partition", () => {
  const name = "brings every replica's Merkle roots to equality within the bound, with no reads and no hints";
  it(name, async () => {
    const measured: number[] = [];
    await runSeeds({ count: 4, env: process.env, test: name, command: replayIn(import.meta.url, name) }, (seed) => {
      const run = partitionedWrites(seed, intervalMs);
      // The scenario is real: n5 missed writes, and its trees showed it.
      expect(run.missedByN5.length).toBeGreaterThan(0);
      expect(run.apartAtHeal).toBeGreaterThan(0);
      expect(run.convergedAfterMs, `not converged within ${2 * run.boundMs} ms`).toBeDefined();
      expect(run.convergedAfterMs as number).toBeLessThanOrEqual(run.boundMs);
      measured.push(run.convergedAfterMs as number);
      // Equal roots, equal records: n5 holds exactly what the other primaries hold for every key it missed.
      const c = run.cluster;
      for (const { bucket, key } of run.missedByN5) {
        const ring = c.node("n1").ring;
        const records = ring
          .preferenceList(hashKey(bucket, key), replicasDefault)
          .map((id) => c.node(id).localRecord(bucket, key));
        expect(records.every((r) => r !== undefined && recordsEqual(r, records[0] as KvRecord))).toBe(true);
      }
      // And every node's trees are those of the records it holds (the replica keeps the digests: merkle/tree.ts).
      for (const id of nodes)
        expect(c.node(id).merkleFaults(), `${id} (seed ${seed})`).toEqual({ keys: [], partitions: [] });
      const repaired = nodes.reduce((sum, id) => sum + c.node(id).repairView().antiEntropy.keysPulled, 0);
      const pushed = nodes.reduce((sum, id) => sum + c.node(id).repairView().antiEntropy.keysPushed, 0);
      expect(repaired + pushed).toBeGreaterThanOrEqual(run.missedByN5.length);
      // No read repair and no handoff happened: anti-entropy alone did it.
      expect(nodes.every((id) => c.node(id).stats.readRepairsSent === 0 && c.node(id).stats.hintsDelivered === 0)).toBe(
        true,
      );
    });
    console.log(
      `anti-entropy: ${keysWritten} keys, ${partitions} partitions, interval ${intervalMs} ms: roots equal ${measured.join(", ")} ms after the heal`,
    );
  });

  it("control: with anti-entropy effectively off, the roots stay apart after the same time", () => {
    const run = partitionedWrites(1, 1e9, intervalMs);
    expect(run.apartAtHeal).toBeGreaterThan(0);
    expect(run.convergedAfterMs).toBeUndefined();
    expect(partitionsApart(run.cluster).length).toBe(run.apartAtHeal);
  });

  it("a node restarted with its disk intact rebuilds the same trees (restore feeds them)", () => {
    const run = partitionedWrites(2, intervalMs);
    const c = run.cluster;
    const before = c.node("n3").merkleRoots();
    c.sim.node("n3").crash({ unsynced: "all", restartAfterMs: 10 });
    c.sim.run({ forMs: 20 });
    expect(c.node("n3").merkleRoots()).toEqual(before);
  });
});
