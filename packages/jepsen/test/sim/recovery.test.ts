/**
 * A replica that may have forgotten writes it acknowledged recovers before
 * its reads count towards a strict quorum (@skew/kv, node/recovery.ts).
 *
 * The schedule is the one the fault suite found with real processes
 * (test/faults, seed 962228511), made exact: the write is acknowledged by
 * n1 and n2 while n3 is cut off; n1 loses it in a power cut (relaxed
 * durability); then a strict read (PR = 2) reaches only n1 and n3, neither
 * of which holds it. Without recovery the read answered "nothing there",
 * missing a write acknowledged to this very client.
 */

import { hashKey } from "@skew/kv";
import { describe, expect, it } from "vitest";
import { KvCluster, type Outcome, text } from "../../src/index.js";

const strict = { r: 2, w: 2, pr: 2, pw: 2 } as const;

function cluster(durability: "sync" | "relaxed"): KvCluster {
  // Anti-entropy's normal pace is slowed to a minute, so that only a recovery's own exchanges repair in time.
  const c = new KvCluster({
    seed: 11,
    nodes: ["n1", "n2", "n3"],
    clients: ["c1"],
    buckets: { causal: "causal", lww: "lww-hlc" },
    durability,
    repair: { antiEntropyIntervalMs: 60_000 },
  });
  c.sim.run({ forMs: 1_000 });
  return c;
}

function values(outcome: Outcome): string[] | undefined {
  return outcome.ok && outcome.kind === "get" ? outcome.values.map((v) => text.decode(v)) : undefined;
}

/** Acknowledged by n1 and n2 (n3 cut off), then n1 power-cut and restarted; n2 cut off for the read. */
function forgetThenRead(c: KvCluster, bucket: string): Outcome {
  c.sim.partition(["n1", "n2", "c1"], ["n3"]);
  const put = c.callAndWait("c1", "n1", { kind: "put", bucket, key: "k", value: text.encode("v1"), ...strict });
  expect(put.ok).toBe(true);
  c.sim.node("n1").crash({ unsynced: "all", restartAfterMs: 10 });
  c.sim.run({ forMs: 1_000 });
  c.sim.heal();
  c.sim.partition(["n1", "n3", "c1"], ["n2"]);
  c.sim.run({ forMs: 2_000 }); // n2 is suspected: n1 cannot take anything back from it
  return c.callAndWait("c1", "n1", { kind: "get", bucket, key: "k", ...strict });
}

describe("recovery of a replica that may have forgotten acknowledged writes", () => {
  for (const bucket of ["causal", "lww"]) {
    it(`${bucket}: a strict read refuses rather than miss the write, and answers it once n1 has recovered`, () => {
      const c = cluster("relaxed");
      const n1 = c.node("n1");
      expect(n1.partitionsRecovering).toBe(0);
      const read = forgetThenRead(c, bucket);
      const recovering = c.node("n1"); // the restarted process
      expect(recovering).not.toBe(n1);
      expect(recovering.partitionsRecovering).toBeGreaterThan(0);
      // n1 forgot the write, and n3 never had it: a read that counted both would answer "nothing there".
      expect(recovering.localRecord(bucket, "k")).toBeUndefined();
      expect(c.node("n3").localRecord(bucket, "k")).toBeUndefined();
      expect(read.ok, JSON.stringify(read)).toBe(false);
      if (!read.ok) expect(["UNAVAILABLE", "TIMEOUT"]).toContain(read.code);

      c.sim.heal();
      c.sim.run({ forMs: 5_000, until: () => c.node("n1").partitionsRecovering === 0 });
      expect(c.node("n1").partitionsRecovering).toBe(0);
      c.sim.partition(["n1", "n3", "c1"], ["n2"]);
      c.sim.run({ forMs: 2_000 });
      expect(values(c.callAndWait("c1", "n1", { kind: "get", bucket, key: "k", ...strict }))).toEqual(["v1"]);
    });
  }

  it("sync durability: the same schedule loses nothing, and no recovery starts", () => {
    const c = cluster("sync");
    const read = forgetThenRead(c, "causal");
    expect(c.node("n1").partitionsRecovering).toBe(0);
    expect(values(read)).toEqual(["v1"]);
  });

  it("law: a partition stops recovering only once the node holds every key its peers held, past an exchange's bounds", () => {
    // 8 partitions and 2 x 2,400 keys, each half held by one peer only (written with w = 1 while the others
    // were cut off): about 300 keys per peer and partition, over the 256 an exchange repairs at most, so taking a
    // partition back from a peer takes several exchanges, and each peer holds keys the other does not.
    const c = new KvCluster({
      seed: 12,
      nodes: ["n1", "n2", "n3"],
      clients: ["c1"],
      buckets: { b: "lww-hlc" },
      durability: "relaxed",
      partitions: 8,
      repair: { antiEntropyIntervalMs: 60_000 },
    });
    c.sim.run({ forMs: 1_000 });
    const keys: string[] = [];
    for (const [through, other] of [
      ["n2", "n3"],
      ["n3", "n2"],
    ] as const) {
      c.sim.partition([through, "c1"], ["n1"], [other]);
      let acknowledged = 0;
      const half = Array.from({ length: 2_400 }, (_, i) => `${through}-${i}`);
      for (const key of half) {
        const put = { kind: "put", bucket: "b", key, value: text.encode(key), n: 3, w: 1 } as const;
        c.client("c1").call(through, put, (outcome) => {
          if (outcome.ok) acknowledged++;
        });
      }
      c.sim.run({ forMs: 10_000, until: () => acknowledged === half.length });
      expect(acknowledged).toBe(half.length);
      keys.push(...half);
      c.sim.heal();
    }
    // n1 never had them; its restart after a crash under relaxed durability starts a recovery.
    const held = (node: string): number => keys.filter((key) => c.node(node).localRecord("b", key)).length;
    expect([held("n1"), held("n2"), held("n3")]).toEqual([0, 2_400, 2_400]);
    const crashed = c.node("n1");
    c.sim.node("n1").crash({ unsynced: "all" }).restart();
    c.sim.run({ forMs: 1_000, until: () => c.node("n1") !== crashed }); // the new process has started
    expect(c.node("n1").partitionsRecovering).toBe(8);

    // Checked after every event: each partition that stopped recovering holds all its keys.
    const partitionOf = (key: string): number => c.node("n1").ring.partitionOf(hashKey("b", key));
    const byPartition = new Map<number, string[]>();
    for (const key of keys) byPartition.set(partitionOf(key), [...(byPartition.get(partitionOf(key)) ?? []), key]);
    let recovering = new Set(c.node("n1").recoveringPartitions());
    const early: string[] = [];
    c.sim.run({
      forMs: 30_000,
      until: () => recovering.size === 0,
      afterEvent: () => {
        const now = new Set(c.node("n1").recoveringPartitions());
        for (const partition of recovering) {
          if (now.has(partition)) continue;
          const missing = (byPartition.get(partition) ?? []).filter((key) => !c.node("n1").localRecord("b", key));
          if (missing.length > 0) early.push(`partition ${partition}: ${missing.length} keys missing`);
        }
        recovering = now;
      },
    });
    expect(early).toEqual([]);
    expect(recovering.size).toBe(0);
    expect(c.node("n1").repairView().antiEntropy.pairsTakenBack).toBe(16);
  });

  it("while every peer it still needs is away, a recovering node does not run exchanges back to back", () => {
    // Four nodes: n1 recovers from n3 and n4 at once; what it needs from n2, cut off from it, must wait, and
    // meanwhile its exchanges with the others go at the normal pace (1 s), not every 10 ms.
    const c = new KvCluster({
      seed: 13,
      nodes: ["n1", "n2", "n3", "n4"],
      clients: ["c1"],
      buckets: { causal: "causal" },
      durability: "relaxed",
    });
    c.sim.run({ forMs: 1_000 });
    const crashed = c.node("n1");
    c.sim.node("n1").crash({ unsynced: "all" }).restart();
    c.sim.partition(["n1"], ["n2"]);
    c.sim.run({ forMs: 1_000, until: () => c.node("n1") !== crashed });
    c.sim.run({ forMs: 2_000 }); // the pairs with n3 and n4 are taken back well within this
    const before = c.node("n1").repairView().antiEntropy;
    expect(c.node("n1").partitionsRecovering).toBeGreaterThan(0);
    c.sim.run({ forMs: 5_000 });
    const after = c.node("n1").repairView().antiEntropy;
    expect(after.pairsTakenBack).toBe(before.pairsTakenBack); // nothing more to take back without n2
    expect(after.exchangesStarted - before.exchangesStarted).toBeLessThanOrEqual(6);
    // And once n2 is back, the recovery ends.
    c.sim.heal();
    c.sim.run({ forMs: 5_000, until: () => c.node("n1").partitionsRecovering === 0 });
    expect(c.node("n1").partitionsRecovering).toBe(0);
  });
});
