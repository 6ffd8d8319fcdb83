/**
 * Bit rot on a replica's disk (SimStore's `corrupt`, one flipped bit in a
 * stored record), found when the node restarts and reads its disk back: the
 * record fails its CRC-32C, is treated as missing and never served, and is
 * repaired, by read repair for a key that is read and by anti-entropy alone
 * for one that is not, until every partition's replicas show equal Merkle
 * roots again.
 */
import { type ConflictMode, hashKey, heartbeatIntervalMsDefault, recordsEqual, replicasDefault } from "@skew/kv";
import { runSeeds } from "@skew/sim";
import { describe, expect, it } from "vitest";
import { KvCluster, text } from "../../src/index.js";
import { replayIn } from "../support/replay.js";

const nodes = ["n1", "n2", "n3"];
const buckets: Record<string, ConflictMode> = { "lww-hlc": "lww-hlc", causal: "causal" };
const intervalMs = 50;

function rootsAgree(c: KvCluster): boolean {
  const ring = c.node("n1").ring;
  for (let p = 0; p < ring.partitions; p++) {
    const roots = ring.preferenceListOfPartition(p, replicasDefault).map((id) => c.node(id).merkleRoot(p));
    if (new Set(roots).size !== 1) return false;
  }
  return true;
}

describe("a corrupted replica", () => {
  const name = "is never served and is repaired by read repair or anti-entropy until the roots agree";
  it(name, async () => {
    const repairedAfter: number[] = [];
    await runSeeds({ count: 4, env: process.env, test: name, command: replayIn(import.meta.url, name) }, (seed) => {
      for (const bucket of Object.keys(buckets)) {
        const c = new KvCluster({
          seed,
          nodes,
          clients: ["c1"],
          buckets,
          partitions: 8,
          repair: { antiEntropyIntervalMs: intervalMs },
        });
        c.sim.run({ forMs: 300 });
        for (const key of ["read-me", "leave-me"]) {
          const outcome = c.callAndWait("c1", "n1", {
            kind: "put",
            bucket,
            key,
            value: text.encode(`value of ${key}`),
          });
          expect(outcome.ok).toBe(true);
        }
        c.sim.run({ forMs: 500 });
        expect(rootsAgree(c)).toBe(true);
        // With 3 nodes and N = 3 every node replicates every key: rot n2's copies, then restart it.
        for (const key of ["read-me", "leave-me"]) {
          expect(c.sim.node("n2").corrupt(`v/${bucket}\u0000${key}`)).toBe(`v/${bucket}\u0000${key}`);
        }
        c.sim.node("n2").crash({ restartAfterMs: 10 });
        c.sim.run({ forMs: 20 });
        expect(c.node("n2").stats.recordsCorruptRestored).toBe(2);
        expect(c.node("n2").localRecord(bucket, "read-me")).toBeUndefined();
        expect(rootsAgree(c)).toBe(false);

        // Never served: a read through n2 that needs all three replicas returns the true value only.
        const read = c.callAndWait("c1", "n2", { kind: "get", bucket, key: "read-me", r: 3 });
        expect(read.ok && "values" in read ? read.values.map(text.decode) : read).toEqual(["value of read-me"]);
        const start = c.sim.nowMs;
        const pairs = Math.max(...nodes.map((id) => c.node(id).repairView().exchangePairs));
        const boundMs = 2 * pairs * intervalMs + heartbeatIntervalMsDefault;
        while (!rootsAgree(c) && c.sim.nowMs - start <= 2 * boundMs) c.sim.run({ forMs: 10 });
        const after = c.sim.nowMs - start;
        expect(rootsAgree(c), `roots apart ${after} ms after the restart`).toBe(true);
        expect(after).toBeLessThanOrEqual(boundMs);
        repairedAfter.push(after);
        const ring = c.node("n1").ring;
        for (const key of ["read-me", "leave-me"]) {
          const records = ring
            .preferenceList(hashKey(bucket, key), replicasDefault)
            .map((id) => c.node(id).localRecord(bucket, key));
          expect(records.every((r) => r !== undefined && recordsEqual(r, records[0] as NonNullable<typeof r>))).toBe(
            true,
          );
        }
        expect(c.node("n1").stats.readRepairsSent + c.node("n2").stats.readRepairsSent).toBeGreaterThan(0);
        const ae = nodes.reduce((n, id) => n + c.node(id).repairView().antiEntropy.keysPushed, 0);
        expect(ae).toBeGreaterThan(0);
      }
    });
    console.log(
      `corruption: roots equal again ${repairedAfter.join(", ")} ms after the restart (interval ${intervalMs} ms)`,
    );
  });
});
