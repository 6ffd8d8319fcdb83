/**
 * Which starts make a node recover before its reads count as a primary's
 * (node/recovery.ts): the ones after which it may have forgotten writes it
 * acknowledged, and a start that finds an unfinished recovery's mark.
 */
import { describe, expect, it } from "vitest";
import { encodeCount, HashRing, hashKey, KvNode, type StorageOp, type WriteBatch } from "../../src/index.js";
import { manualClocks } from "../support/manual-cluster.js";

const incarnation = "m/incarnation";
const closed = "m/closed";
const mark = "m/recovering";

function start(
  durability: "sync" | "relaxed",
  stored: [string, Uint8Array][],
  nodes = ["n1", "n2", "n3"],
): { node: KvNode; ops: StorageOp[]; batches: readonly WriteBatch[] } {
  const node = new KvNode({
    id: "n1",
    nodes,
    buckets: { b: "lww-hlc", c: "causal" },
    clocks: manualClocks("n1"),
    durability,
    stored,
  });
  const batches = node.pollWrites();
  return { node, ops: batches.flatMap((batch) => batch.ops), batches };
}

const ran = (clean: boolean): [string, Uint8Array][] => [
  [incarnation, encodeCount(3)],
  ...(clean ? [[closed, encodeCount(3)] as [string, Uint8Array]] : []),
];
const corruptRecord: [string, Uint8Array] = ["v/b\u0000k", new Uint8Array([1, 2, 3])];

describe("the starts that begin a recovery", () => {
  const all = Array.from({ length: 64 }, (_, p) => p); // with three nodes, n1 replicates every partition
  const ofCorrupt = [new HashRing({ nodes: ["n1", "n2", "n3"] }).partitionOf(hashKey("b", "k"))];
  const cases: { name: string; durability: "sync" | "relaxed"; stored: [string, Uint8Array][]; recovers: number[] }[] =
    [
      { name: "a first start", durability: "relaxed", stored: [], recovers: [] },
      { name: "relaxed, after a clean close", durability: "relaxed", stored: ran(true), recovers: [] },
      { name: "relaxed, after a crash", durability: "relaxed", stored: ran(false), recovers: all },
      { name: "sync, after a crash", durability: "sync", stored: ran(false), recovers: [] },
      // One record lost: only its partition can have lost an acknowledged write.
      {
        name: "sync, with a corrupt record",
        durability: "sync",
        stored: [...ran(true), corruptRecord],
        recovers: ofCorrupt,
      },
      {
        name: "sync, clean, with an unfinished recovery's mark",
        durability: "sync",
        stored: [...ran(true), [mark, encodeCount(3)]],
        recovers: all,
      },
    ];
  for (const { name, durability, stored, recovers } of cases) {
    it(`${name}: ${recovers.length === 0 ? "does not recover" : `recovers ${recovers.length} partition(s)`}`, () => {
      const { node, ops } = start(durability, stored);
      const marked = stored.some(([key]) => key === mark);
      expect(node.recoveringPartitions()).toEqual(recovers);
      expect(node.partitionsRecovering).toBe(recovers.length);
      // The mark is in the start's synced batch while a recovery runs, unless it is already on disk.
      expect(ops.some((op) => op.kind === "put" && op.key === mark)).toBe(recovers.length > 0 && !marked);
    });
  }

  it("a recovering replica's reads say so, and its reads of the past give no answer", () => {
    const answers = (recovering: boolean) => {
      const { node, batches } = start("relaxed", ran(!recovering));
      expect(node.partitionsRecovering > 0).toBe(recovering);
      const ts = 0;
      for (const batch of batches) node.handleDurable(batch.batchId, 0); // the start batch
      node.handlePeerMessage("n2", { kind: "read", ts, op: "9.1", bucket: "b", key: "k" }, 0);
      node.handlePeerMessage("n2", { kind: "read-at", ts, op: "9.2", bucket: "b", key: "k", at: 1 }, 0);
      node.handlePeerMessage("n2", { kind: "read-at", ts, op: "9.3", bucket: "c", key: "k", at: 1 }, 0);
      for (const batch of node.pollWrites()) node.handleDurable(batch.batchId, 0);
      return node
        .pollMessages()
        .filter(({ to, message }) => to === "n2" && message.kind !== "heartbeat")
        .map(({ message }) => [message.kind, "recovering" in message ? message.recovering : "no flag"]);
    };
    expect(answers(true)).toEqual([
      ["read-reply", true],
      ["read-at-reply", true],
      ["read-siblings-at-reply", true],
    ]);
    expect(answers(false)).toEqual([
      ["read-reply", "no flag"],
      ["read-at-reply", "no flag"],
      ["read-siblings-at-reply", "no flag"],
    ]);
  });

  it("a node alone has no one to take anything back from: no recovery, and a stale mark is deleted", () => {
    const { node, ops } = start("relaxed", [...ran(false), [mark, encodeCount(3)]], ["n1"]);
    expect(node.partitionsRecovering).toBe(0);
    expect(ops).toContainEqual({ kind: "delete", key: mark });
  });
});
