/**
 * Issue 5, "in causal mode": the per-sibling history wired into the
 * replicas (node/causal-history.ts), and reads at a timestamp of a causal
 * bucket, in simulation. Two blind concurrent writes (A through n1, then B
 * through n2) are siblings from B's stamp on; a write with the context of a
 * read (C through n3) resolves them at its stamp.
 */
import type { ConflictMode } from "@skew/kv";
import { describe, expect, it } from "vitest";
import { type ClusterOptions, KvCluster, type Outcome, text } from "../../src/index.js";

const nodes = ["n1", "n2", "n3"];
const buckets: Record<string, ConflictMode> = { causal: "causal" };

function cluster(options: Partial<ClusterOptions> = {}): KvCluster {
  return new KvCluster({ seed: 7, nodes, clients: ["a", "b"], buckets, ...options });
}

function ok(outcome: Outcome): Outcome & { ok: true } {
  if (!outcome.ok) throw new Error(`failed: ${JSON.stringify(outcome)}`);
  return outcome;
}

function values(outcome: Outcome): string[] {
  const read = ok(outcome);
  if (!("values" in read)) throw new Error(`not a read: ${JSON.stringify(outcome)}`);
  return read.values.map(text.decode);
}

function readAt(c: KvCluster, at: number, via = "n2"): Outcome {
  return c.callAndWait("b", via, { kind: "get", bucket: "causal", key: "x", at, r: 3 });
}

/** Every replica's history of x: [coordinator of the dot, at, supersededAt], oldest first. */
function kept(c: KvCluster, id: string): [string, number, number | undefined][] {
  return c
    .node(id)
    .localSiblingHistory("causal", "x")
    .siblings.map((s) => [s.replica, s.at, s.supersededAt]);
}

/** A (n1) and B (n2) blind, 10 ms apart; then C through n3 with the context of a read: the three stamps. */
function siblingsThenResolve(c: KvCluster): { a: number; b: number; c: number } {
  // Each write's stamp, read off n1's history as soon as the write is acknowledged (before GC can drop it).
  const put = (via: string, value: string, context?: string): number => {
    const request = { kind: "put", bucket: "causal", key: "x", value: text.encode(value), w: 3 } as const;
    ok(c.callAndWait("a", via, context === undefined ? request : { ...request, context }));
    const found = kept(c, "n1").find(([replica]) => replica === via);
    if (found === undefined) throw new Error(`no sibling of ${via} in n1's history`);
    c.sim.run({ forMs: 10 });
    return found[1];
  };
  const a = put("n1", "A");
  const b = put("n2", "B");
  const read = ok(c.callAndWait("a", "n3", { kind: "get", bucket: "causal", key: "x", r: 3 }));
  expect("values" in read && read.values.map(text.decode)).toEqual(["A", "B"]);
  const resolved = put("n3", "C", read.context);
  c.sim.run({ forMs: 100 });
  return { a, b, c: resolved };
}

/** Lets the cluster settle, then crashes every node, losing what it had not synced, and restarts it. */
function restartEveryNode(c: KvCluster): void {
  c.sim.run({ forMs: 100 });
  for (const id of nodes) c.sim.node(id).crash({ unsynced: "all", restartAfterMs: 10 });
  c.sim.run({ forMs: 100 });
}

describe("reads at a timestamp (causal)", () => {
  it("return the siblings that existed at the timestamp, before and after a restart of every node", () => {
    const c = cluster();
    const t = siblingsThenResolve(c);
    console.log(`causal: A stamped ${t.a}, B ${t.b}, C ${t.c} (packed HLC)`);
    expect(t.a < t.b && t.b < t.c).toBe(true);
    // Every replica holds the same lifetimes: A and B retired at C's stamp, the write that overwrote them.
    const lifetimes = [
      ["n1", t.a, t.c],
      ["n2", t.b, t.c],
      ["n3", t.c, undefined],
    ];
    for (const id of nodes) expect(kept(c, id), id).toEqual(lifetimes);
    const expectations: [number, string[]][] = [
      [t.a - 1, []], // before the first write: provably nothing (nothing was dropped)
      [t.a, ["A"]],
      [t.b - 1, ["A"]],
      [t.b, ["A", "B"]], // the siblings, in dot order
      [Math.floor((t.b + t.c) / 2), ["A", "B"]],
      [t.c - 1, ["A", "B"]],
      [t.c, ["C"]],
      [t.c + 1_000_000, ["C"]],
    ];
    const check = (): void => {
      for (const via of nodes) {
        for (const [at, expected] of expectations) {
          const outcome = readAt(c, at, via);
          expect(values(outcome), `at ${at} via ${via}`).toEqual(expected);
          // A read of the past carries no context: it cannot be written back with.
          expect(ok(outcome).context).toBe("");
        }
      }
    };
    check();
    restartEveryNode(c);
    for (const id of nodes) expect(kept(c, id), `${id} after restart`).toEqual(lifetimes);
    check();
  });

  it("below the horizon (GC by count) a read fails HISTORY_TRUNCATED, definitely, also after a restart", () => {
    const c = cluster({ history: { versionsPerKey: 1 } });
    const t = siblingsThenResolve(c);
    // A and B were both superseded at C's stamp; one superseded sibling is kept, so the other is dropped: horizon C.
    const check = (): void => {
      for (const id of nodes) expect(c.node(id).localSiblingHistory("causal", "x").horizon, id).toBe(t.c);
      for (const at of [t.a, t.b, t.c - 1]) {
        const below = readAt(c, at);
        expect(!below.ok && [below.code, below.definite], `at ${at}`).toEqual(["HISTORY_TRUNCATED", true]);
      }
      expect(values(readAt(c, t.c))).toEqual(["C"]);
    };
    check();
    restartEveryNode(c);
    check();
  });

  it("a higher fencing token supersedes a sibling at the stamp of the higher-fenced write", () => {
    const c = cluster();
    const put = (via: string, value: string, fence: number): void => {
      const request = { kind: "put", bucket: "causal", key: "x", value: text.encode(value), w: 3, fence } as const;
      ok(c.callAndWait("a", via, request));
      c.sim.run({ forMs: 10 });
    };
    put("n1", "lease 33", 33);
    put("n2", "lease 34", 34); // blind: concurrent with the first, which only the token supersedes
    c.sim.run({ forMs: 100 });
    const history = kept(c, "n3");
    const [old, leased] = history as [[string, number, number | undefined], [string, number, number | undefined]];
    expect(history.map(([r]) => r)).toEqual(["n1", "n2"]);
    expect(old[2]).toBe(leased[1]);
    expect(values(readAt(c, leased[1] - 1))).toEqual(["lease 33"]);
    expect(values(readAt(c, leased[1]))).toEqual(["lease 34"]);
  });
});
