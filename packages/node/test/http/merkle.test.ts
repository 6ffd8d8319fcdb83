/**
 * `GET /debug/merkle` (routes/ops.ts) on a live 3-node cluster: each
 * replica's Merkle root of every partition it replicates, what the fault
 * tests poll until the replicas have converged. A write changes the root of
 * its key's partition and no other; replicas that took the same writes show
 * the same roots.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCluster, startLocalCluster } from "../support/local.js";
import { eventually, putAnswered } from "./support.js";

interface MerkleBody {
  readonly node: string;
  readonly roots: Record<string, number>;
}

async function merkle(base: string): Promise<MerkleBody> {
  const response = await fetch(`${base}/debug/merkle`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  return (await response.json()) as MerkleBody;
}

/** The partitions whose roots differ between two answers (both must name the same partitions). */
function changed(before: MerkleBody, after: MerkleBody): string[] {
  expect(Object.keys(after.roots).sort()).toEqual(Object.keys(before.roots).sort());
  return Object.keys(before.roots).filter((partition) => before.roots[partition] !== after.roots[partition]);
}

describe("GET /debug/merkle on a 3-node cluster", () => {
  let cluster: LocalCluster;
  /** The answers of the fresh cluster, before any write. */
  let initial: MerkleBody[];

  beforeAll(async () => {
    cluster = await startLocalCluster(3);
    initial = await Promise.all(cluster.urls.map(merkle));
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it("names the node and gives a 32-bit root for every partition (with N = 3, each node replicates them all)", async () => {
    const answers = initial;
    expect(answers.map((a) => a.node)).toEqual(["n1", "n2", "n3"]);
    const partitions = Object.keys(answers[0]?.roots ?? {});
    expect(partitions.length).toBeGreaterThan(0);
    for (const answer of answers) {
      expect(Object.keys(answer.roots).sort()).toEqual([...partitions].sort());
      for (const [partition, root] of Object.entries(answer.roots)) {
        expect(partition).toMatch(/^\d+$/);
        expect(Number.isInteger(root) && root >= 0 && root < 2 ** 32).toBe(true);
      }
    }
    // Nothing written yet: every tree is empty, and empty trees have one root.
    expect(new Set(answers.flatMap((answer) => Object.values(answer.roots))).size).toBe(1);
  });

  it("a write acknowledged by every replica (w = 3) changes one partition's root, the same one, on all three", async () => {
    const before = await Promise.all(cluster.urls.map(merkle));
    // W = 3 on a loaded machine may be refused 503 while a node suspects a peer for a moment: asked again.
    const written = await putAnswered(cluster.urls[0] as string, "causal", "merkle/one", "a value", {}, "?w=3");
    expect(written.status).toBe(200);
    const after = await Promise.all(cluster.urls.map(merkle));
    const moved = before.map((b, i) => changed(b, after[i] as MerkleBody));
    for (const partitions of moved) expect(partitions).toHaveLength(1);
    expect(new Set(moved.map((partitions) => partitions[0])).size).toBe(1);
  });

  it("replicas that took the same writes show equal roots for every partition they share", async () => {
    const [n1, n2, n3] = cluster.urls as [string, string, string];
    for (let i = 0; i < 20; i++) {
      const through = [n1, n2, n3][i % 3] as string;
      const response = await putAnswered(
        through,
        i % 2 === 0 ? "causal" : "lww-hlc",
        `merkle/key-${i}`,
        `value ${i}`,
        {},
        "?w=3",
      );
      expect(response.status).toBe(200);
    }
    // Every replica acknowledged each write before it was acknowledged, so the roots agree at once;
    // polled all the same, so that a repair message in flight cannot make the test flaky.
    const agreed = await eventually(async () => {
      const answers = await Promise.all(cluster.urls.map(merkle));
      const [first, ...others] = answers as [MerkleBody, ...MerkleBody[]];
      return others.every((other) => JSON.stringify(other.roots) === JSON.stringify(first.roots)) ? answers : undefined;
    }, 10_000);
    expect(agreed).toBeDefined();
    const roots = (agreed as MerkleBody[]).map((a) => a.roots);
    for (const other of roots.slice(1)) expect(other).toEqual(roots[0]);
    // Not a trivial agreement: the writes spread over several partitions, whose roots are no longer the empty tree's.
    const empty = initial[0] as MerkleBody;
    expect(Object.keys(roots[0] ?? {}).filter((p) => roots[0]?.[p] !== empty.roots[p]).length).toBeGreaterThan(3);
  });

  it("is in the OpenAPI document", async () => {
    const document = (await (await fetch(`${cluster.urls[0]}/docs/json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(document.paths).toHaveProperty(["/debug/merkle"]);
  });
});
