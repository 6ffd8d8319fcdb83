/**
 * Tombstone removal that never lets deleted data come back (node/tombstones.ts).
 *
 * A key is written everywhere, then one replica goes away (partitioned, or
 * crashed) and the key is deleted; the replica stays away five removal delays,
 * comes back holding the old value, and a checker reads every key again and
 * again while anti-entropy, read repair, handoff and removal rounds run. The
 * value must never be read back, no node may hold it once things settle, and
 * the tombstones must then be removed everywhere (and the trees agree).
 */
import {
  antiEntropySessionTimeoutMs,
  type ConflictMode,
  hashKey,
  isTombstone,
  type KvRecord,
  replicasDefault,
} from "@skew/kv";
import { runSeeds } from "@skew/sim";
import { describe, expect, it } from "vitest";
import { KvCluster, type Outcome, text } from "../../src/index.js";
import { replayIn } from "../support/replay.js";

const nodes = ["n1", "n2", "n3", "n4", "n5"];
const buckets: Record<string, ConflictMode> = { "lww-hlc": "lww-hlc", causal: "causal" };
const keys = Array.from({ length: 8 }, (_, i) => `k${i}`);
const removalDelayMs = 1_000;
const awayMs = 5 * removalDelayMs;
const settleMs = 20_000;
const antiEntropyIntervalMs = 50;
/** What `KvNode.merkleFaults` says of a node whose trees follow its records. */
const noMerkleFaults = { keys: [], partitions: [] };
/** The loss on every link once the remove messages are gone: each anti-entropy exchange loses some of its steps. */
const lossAfterRemoval = 0.1;

function cluster(seed: number): KvCluster {
  return new KvCluster({
    seed,
    nodes,
    clients: ["c1", "c2"],
    buckets,
    partitions: 16,
    repair: { antiEntropyIntervalMs, tombstoneRemovalDelayMs: removalDelayMs, ghostRetentionMs: 60_000 },
  });
}

function ok(outcome: Outcome): void {
  expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
}

function liveValuesOf(record: KvRecord | undefined): string[] {
  if (record === undefined) return [];
  if (record.kind === "lww") return record.value === null ? [] : [text.decode(record.value)];
  return record.set.values().flatMap(({ value }) => (value === null ? [] : [text.decode(value)]));
}

/** Reads every deleted key through the checker client; returns the values any read saw. */
function readAll(c: KvCluster, bucket: string, via: string): string[] {
  const seen: string[] = [];
  for (const key of keys) {
    const outcome = c.callAndWait("c2", via, { kind: "get", bucket, key });
    if (outcome.ok && "values" in outcome) seen.push(...outcome.values.map(text.decode));
  }
  return seen;
}

describe("tombstone removal", () => {
  const name = "a replica away longer than the removal delay never brings deleted values back; tombstones then go";
  it(name, async () => {
    const removedAt: number[] = [];
    await runSeeds({ count: 4, env: process.env, test: name, command: replayIn(import.meta.url, name) }, (seed) => {
      for (const bucket of Object.keys(buckets)) {
        const c = cluster(seed);
        c.sim.run({ forMs: 500 });
        for (const key of keys) ok(c.callAndWait("c1", "n1", { kind: "put", bucket, key, value: text.encode("old") }));
        c.sim.run({ forMs: 200 }); // every replica has it (W=2 acked; the third write lands just after)
        const victim = "n5";
        const ring = c.node("n1").ring;
        const victimKeys = keys.filter((key) =>
          ring.preferenceList(hashKey(bucket, key), replicasDefault).includes(victim),
        );
        expect(victimKeys.length).toBeGreaterThan(0);
        for (const key of victimKeys) expect(liveValuesOf(c.node(victim).localRecord(bucket, key))).toEqual(["old"]);

        // Away: isolated on odd seeds, crashed (disk kept) on even ones.
        const crashed = seed % 2 === 0;
        if (crashed) c.sim.node(victim).crash();
        else c.sim.isolate(victim);
        for (const key of keys) {
          const read = c.callAndWait("c1", "n2", { kind: "get", bucket, key });
          const context = read.ok ? read.context : "";
          ok(c.callAndWait("c1", "n2", { kind: "delete", bucket, key, context }));
        }
        c.sim.run({ forMs: awayMs });
        // Nothing can be removed while a node is silent: the rounds were tried and refused.
        const rounds = nodes
          .filter((id) => id !== victim)
          .map((id) => c.node(id).repairView().tombstones)
          .reduce((a, t) => ({ started: a.started + t.roundsStarted, removed: a.removed + t.tombstonesRemoved }), {
            started: 0,
            removed: 0,
          });
        expect(rounds.started).toBeGreaterThan(0);
        expect(rounds.removed).toBe(0);

        if (crashed) c.sim.node(victim).restart();
        else c.sim.heal();
        const back = c.sim.nowMs;
        // The checker: read every key, through every node in turn, until things settle.
        let settledAt: number | undefined;
        for (let step = 0; c.sim.nowMs - back < settleMs; step++) {
          const seen = readAll(c, bucket, nodes[step % nodes.length] as string);
          expect(seen, `a deleted value came back (seed ${seed}, ${bucket})`).toEqual([]);
          c.sim.run({ forMs: 200 });
          const gone = nodes.every((id) => keys.every((key) => c.node(id).localRecord(bucket, key) === undefined));
          if (gone && settledAt === undefined) settledAt = c.sim.nowMs - back;
        }
        // No node holds the value; every tombstone was removed; the trees agree.
        for (const id of nodes) {
          for (const key of keys) {
            const record = c.node(id).localRecord(bucket, key);
            expect(record === undefined || isTombstone(record)).toBe(true);
            expect(record, `${id} still holds ${bucket}/${key}`).toBeUndefined();
          }
          expect(c.node(id).repairView().tombstonesPending).toBe(0);
        }
        for (let p = 0; p < ring.partitions; p++) {
          const roots = ring.preferenceListOfPartition(p, replicasDefault).map((id) => c.node(id).merkleRoot(p));
          expect(new Set(roots).size).toBe(1);
        }
        // And each agrees with the records it holds: the removals left their trees (merkle/tree.ts).
        for (const id of nodes) expect(c.node(id).merkleFaults(), `${id} (seed ${seed})`).toEqual(noMerkleFaults);
        removedAt.push(settledAt as number);
      }
    });
    console.log(
      `tombstones: away ${awayMs} ms (delay ${removalDelayMs} ms); removed everywhere ${removedAt.join(", ")} ms after the return`,
    );
  });

  it("a late write of the deleted value, delivered after the removal, is dropped by the ghost", () => {
    const bucket = "lww-hlc";
    const c = cluster(7);
    c.sim.run({ forMs: 500 });
    const ring = c.node("n1").ring;
    // A key that n5 replicates, coordinated by n1 (not a primary), whose first primary is not n1.
    const key = Array.from({ length: 200 }, (_, i) => `late${i}`).find((k) => {
      const primaries = ring.preferenceList(hashKey(bucket, k), replicasDefault);
      return primaries.includes("n5") && !primaries.includes("n1");
    }) as string;
    expect(key).toBeDefined();
    c.sim.link("n1", "n5").clog(4_000); // the write to n5 waits in the network
    ok(c.callAndWait("c1", "n1", { kind: "put", bucket, key, value: text.encode("old") }));
    const read = c.callAndWait("c1", "n2", { kind: "get", bucket, key, r: 2 });
    ok(c.callAndWait("c1", "n2", { kind: "delete", bucket, key, context: read.ok ? read.context : "" }));
    c.sim.run({ forMs: 3_000 }); // the delay passes, a round confirms everywhere, the tombstone is removed
    const removed = nodes.reduce((n, id) => n + c.node(id).repairView().tombstones.tombstonesRemoved, 0);
    expect(removed).toBeGreaterThan(0);
    c.sim.run({ forMs: 2_000 }); // the clog ends: the old write reaches n5 after the removal
    expect(c.node("n5").repairView().tombstones.recordsDroppedByGhost).toBeGreaterThan(0);
    for (const id of nodes) expect(c.node(id).localRecord(bucket, key)).toBeUndefined();
    const after = c.callAndWait("c2", "n3", { kind: "get", bucket, key, r: 3 });
    expect(after.ok && "values" in after ? after.values : ["?"]).toEqual([]);
  });

  const lostName =
    "every remove message lost: the replicas that missed it remove the tombstone through anti-entropy, on lossy links";
  it(lostName, async () => {
    const convergedAfter: number[] = [];
    await runSeeds(
      { count: 4, env: process.env, test: lostName, command: replayIn(import.meta.url, lostName) },
      (seed) => {
        for (const bucket of Object.keys(buckets)) {
          const c = cluster(seed);
          c.sim.run({ forMs: 500 });
          const ring = c.node("n1").ring;
          const key = "lost-remove";
          const primaries = ring.preferenceList(hashKey(bucket, key), replicasDefault);
          const first = primaries[0] as string;
          ok(c.callAndWait("c1", "n1", { kind: "put", bucket, key, value: text.encode("old") }));
          c.sim.run({ forMs: 200 });
          const read = c.callAndWait("c1", "n2", { kind: "get", bucket, key, r: 3 });
          ok(c.callAndWait("c1", "n2", { kind: "delete", bucket, key, context: read.ok ? read.context : "" }));

          // Run until the first primary's round removes the tombstone: its remove messages are then on the
          // wire, and cutting every link out of it loses them all (a message arriving on a cut link is lost).
          const removed = (): boolean => c.node(first).repairView().tombstones.tombstonesRemoved > 0;
          expect(c.sim.run({ until: removed, forMs: 10_000 }).stop).toBe("until");
          c.sim.cutOneWay([first], nodes);
          c.sim.run({ forMs: 100 });
          for (const id of primaries) {
            const record = c.node(id).localRecord(bucket, key);
            if (id === first) expect(record).toBeUndefined();
            else expect(record !== undefined && isTombstone(record), `${id} missed the removal`).toBe(true);
          }

          // Healed, but every link now loses a tenth of its messages. Anti-entropy's claim (anti-entropy.ts):
          // with few differing keys, every replica agrees within two exchange cycles; a lossy step costs a retry.
          c.sim.heal();
          c.sim.configureLinks({ lossProbability: lossAfterRemoval });
          const cycleMs = Math.max(...nodes.map((id) => c.node(id).repairView().exchangePairs)) * antiEntropyIntervalMs;
          const boundMs = 2 * cycleMs + antiEntropySessionTimeoutMs;
          const converged = (): boolean =>
            nodes.every((id) => c.node(id).localRecord(bucket, key) === undefined) &&
            Array.from({ length: ring.partitions }, (_, p) =>
              ring.preferenceListOfPartition(p, replicasDefault).map((id) => c.node(id).merkleRoot(p)),
            ).every((roots) => new Set(roots).size === 1);
          const healedAt = c.sim.nowMs;
          const outcome = c.sim.run({ until: converged, forMs: boundMs });
          expect(outcome.stop, `not converged ${boundMs} ms after the heal (seed ${seed}, ${bucket})`).toBe("until");
          convergedAfter.push(c.sim.nowMs - healedAt);
          for (const id of nodes) expect(c.node(id).merkleFaults(), `${id} (seed ${seed})`).toEqual(noMerkleFaults);
          // And the value never came back: read at r = n through every node, on the lossy links.
          c.sim.configureLinks({ lossProbability: 0 });
          for (const via of nodes) {
            const after = c.callAndWait("c2", via, { kind: "get", bucket, key, r: replicasDefault });
            expect(after.ok && "values" in after ? after.values : ["?"]).toEqual([]);
          }
        }
      },
    );
    console.log(
      `tombstones: remove messages lost, ${lossAfterRemoval * 100}% loss after: converged ${convergedAfter.map((ms) => ms.toFixed(0)).join(", ")} ms after the heal`,
    );
  });
});
