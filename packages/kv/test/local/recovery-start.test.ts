/**
 * Which starts make a node recover before its reads count as a primary's
 * (node/recovery.ts): the ones after which it may have forgotten writes it
 * acknowledged, and a start that finds an unfinished recovery's mark.
 */
import { describe, expect, it } from "vitest";
import { encodeCount, HashRing, hashKey, KvNode, type StorageOp } from "../../src/index.js";
import { manualClocks } from "../support/manual-cluster.js";

const incarnation = "m/incarnation";
const closed = "m/closed";
const mark = "m/recovering";

function start(
  durability: "sync" | "relaxed",
  stored: [string, Uint8Array][],
  nodes = ["n1", "n2", "n3"],
): { node: KvNode; ops: StorageOp[] } {
  const node = new KvNode({
    id: "n1",
    nodes,
    buckets: { b: "lww-hlc" },
    clocks: manualClocks("n1"),
    durability,
    stored,
  });
  return { node, ops: node.pollWrites().flatMap((batch) => batch.ops) };
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

  it("a node alone has no one to take anything back from: no recovery, and a stale mark is deleted", () => {
    const { node, ops } = start("relaxed", [...ran(false), [mark, encodeCount(3)]], ["n1"]);
    expect(node.partitionsRecovering).toBe(0);
    expect(ops).toContainEqual({ kind: "delete", key: mark });
  });
});
