/**
 * Issue 5, first increment: the LWW history wired into the replicas, and
 * reads at a timestamp (`get` with `at`), in simulation.
 */
import type { ConflictMode } from "@skew/kv";
import { describe, expect, it } from "vitest";
import { type ClusterOptions, KvCluster, type Outcome, text } from "../../src/index.js";

const nodes = ["n1", "n2", "n3"];
const buckets: Record<string, ConflictMode> = { "lww-hlc": "lww-hlc", "lww-wall": "lww-wall" };

function cluster(options: Partial<ClusterOptions> = {}): KvCluster {
  return new KvCluster({ seed: 5, nodes, clients: ["a", "b"], buckets, ...options });
}

/** The stamp time of the version a write reply's context names (`l.<fence>.<time>`). */
function stampOf(outcome: Outcome): number {
  if (!outcome.ok) throw new Error(`failed: ${JSON.stringify(outcome)}`);
  const match = /^l\.\d+\.(.+)$/.exec(outcome.context);
  if (match === null) throw new Error(`not an LWW context: ${outcome.context}`);
  return Number(match[1]);
}

function values(outcome: Outcome): string[] {
  if (!outcome.ok || !("values" in outcome)) throw new Error(`not a read: ${JSON.stringify(outcome)}`);
  return outcome.values.map(text.decode);
}

/** x = 1, 2, 3 through n1, 10 ms apart; the three stamps. */
function writeThree(c: KvCluster, bucket: string): number[] {
  const stamps: number[] = [];
  for (const v of ["1", "2", "3"]) {
    stamps.push(stampOf(c.callAndWait("a", "n1", { kind: "put", bucket, key: "x", value: text.encode(v), w: 3 })));
    c.sim.run({ forMs: 10 });
  }
  return stamps;
}

function readAt(c: KvCluster, at: number, via = "n2", bucket = "lww-hlc", key = "x"): Outcome {
  return c.callAndWait("b", via, { kind: "get", bucket, key, at, r: 3 });
}

/** Every replica keeps exactly the versions of x (lww-hlc) stamped `ats`, oldest first. */
function expectKeptEverywhere(c: KvCluster, ats: number[]): void {
  for (const id of nodes)
    expect(
      c
        .node(id)
        .localHistory("lww-hlc", "x")
        .versions.map((v) => v.at),
      id,
    ).toEqual(ats);
}

/**
 * What each replica's storage holds of x's history (lww-hlc): the stamps of
 * its entries, and whether its horizon is stored (`hv/` + JSON of
 * [bucket NUL key, at, node], and of [bucket NUL key] for the horizon).
 */
function storedHistoryOfX(c: KvCluster, id: string): { ats: number[]; horizonStored: boolean } {
  const ats: number[] = [];
  let horizonStored = false;
  for (const key of c.sim.node(id).storage.keys()) {
    if (!key.startsWith("hv/")) continue;
    const [keyId, at] = JSON.parse(key.slice("hv/".length)) as [string, number?];
    if (keyId !== "lww-hlc\u0000x") continue;
    if (at === undefined) horizonStored = true;
    else ats.push(at);
  }
  return { ats: ats.sort((a, b) => a - b), horizonStored };
}

/** Lets the cluster settle, then crashes every node, losing what it had not synced, and restarts it. */
function restartEveryNode(c: KvCluster): void {
  c.sim.run({ forMs: 100 });
  for (const id of nodes) c.sim.node(id).crash({ unsynced: "all", restartAfterMs: 10 });
  c.sim.run({ forMs: 100 });
}

describe("reads at a timestamp (lww-hlc)", () => {
  it("return the newest version at or before the timestamp, before and after a restart of every node", () => {
    const c = cluster();
    const [t1, t2, t3] = writeThree(c, "lww-hlc") as [number, number, number];
    expect(t1 < t2 && t2 < t3).toBe(true);
    const expectations: [number, string[]][] = [
      [t1 - 1, []], // before the first write: provably nothing (nothing was dropped)
      [t1, ["1"]],
      [Math.floor((t1 + t2) / 2), ["1"]],
      [t2 - 1, ["1"]],
      [t2, ["2"]],
      [Math.floor((t2 + t3) / 2), ["2"]],
      [t3, ["3"]],
      [t3 + 1_000_000, ["3"]],
    ];
    const check = (): void => {
      for (const [at, expected] of expectations) expect(values(readAt(c, at)), `at ${at}`).toEqual(expected);
    };
    check();
    expectKeptEverywhere(c, [t1, t2, t3]);
    restartEveryNode(c);
    expectKeptEverywhere(c, [t1, t2, t3]);
    check();
  });

  it("after GC by count, a read below the horizon fails HISTORY_TRUNCATED, definitely, also after a restart", () => {
    const c = cluster({ history: { versionsPerKey: 2 } });
    const [t1, t2, t3] = writeThree(c, "lww-hlc") as [number, number, number];
    for (const id of nodes) {
      const { versions, horizon } = c.node(id).localHistory("lww-hlc", "x");
      expect(versions.map((v) => v.at)).toEqual([t2, t3]);
      expect(horizon).toBe(t2);
    }
    const check = (): void => {
      for (const at of [t1, t2 - 1]) {
        const below = readAt(c, at);
        expect(below.ok).toBe(false);
        if (below.ok) return;
        expect([below.code, below.definite]).toEqual(["HISTORY_TRUNCATED", true]);
      }
      expect(values(readAt(c, t2))).toEqual(["2"]);
      expect(values(readAt(c, t3))).toEqual(["3"]);
    };
    check();
    // The dropped version's entry was deleted from storage in the batch that dropped it, and the horizon stored.
    c.sim.run({ forMs: 100 });
    for (const id of nodes) expect(storedHistoryOfX(c, id), id).toEqual({ ats: [t2, t3], horizonStored: true });
    restartEveryNode(c);
    // The dropped version's entry is gone from disk, and the stored horizon still refuses what it cannot answer.
    expectKeptEverywhere(c, [t2, t3]);
    check();
  });

  it("GC by age on tick keeps the newest version at or before now - maxAge", () => {
    const c = cluster({ history: { maxAgeMs: 200 } });
    const [, t2, t3] = writeThree(c, "lww-hlc") as [number, number, number];
    c.sim.run({ forMs: 3_000 }); // heartbeats tick every node; collection runs at most once a second
    for (const id of nodes) {
      const { versions, horizon } = c.node(id).localHistory("lww-hlc", "x");
      expect(versions.map((v) => v.at)).toEqual([t3]);
      expect(horizon).toBe(t3);
    }
    const below = readAt(c, t2);
    expect(!below.ok && [below.code, below.definite]).toEqual(["HISTORY_TRUNCATED", true]);
    expect(values(readAt(c, t3))).toEqual(["3"]);
  });

  it("validates at: finite, non-negative, on gets of last-write-wins buckets only", () => {
    const c = cluster();
    const bad = [
      { kind: "get", bucket: "lww-hlc", key: "x", at: -1 },
      { kind: "get", bucket: "lww-hlc", key: "x", at: Number.NaN },
      { kind: "get", bucket: "lww-hlc", key: "x", at: Number.POSITIVE_INFINITY },
      { kind: "get", bucket: "lww-hlc", key: "x", at: "5" },
      { kind: "put", bucket: "lww-hlc", key: "x", value: text.encode("v"), at: 5 },
    ];
    for (const request of bad) {
      const outcome = c.callAndWait("a", "n1", request as never);
      expect(!outcome.ok && [outcome.code, outcome.definite], JSON.stringify(request)).toEqual([
        "INVALID_REQUEST",
        true,
      ]);
    }
  });
});

describe("a causal chain through different nodes under skew (n1 +5 ms, n3 -5 ms)", () => {
  /** A writes x through n1; B reads x through n3, then writes y through n3. The stamps, and what a read at y's sees of x. */
  function chain(bucket: string): { x: number; y: number; chainMs: number; seen: string[] } {
    const c = cluster({
      clockOffsetsMs: { n1: 5, n3: -5 },
      link: { delay: { kind: "constant", ms: 0.5 } },
    });
    c.sim.run({ forMs: 1_000 }); // heartbeats: every node has heard every other
    const x = stampOf(c.callAndWait("a", "n1", { kind: "put", bucket, key: "x", value: text.encode("A") }));
    const startedMs = c.sim.nowMs;
    expect(values(c.callAndWait("b", "n3", { kind: "get", bucket, key: "x" }))).toEqual(["A"]);
    const y = stampOf(c.callAndWait("b", "n3", { kind: "put", bucket, key: "y", value: text.encode("B") }));
    const chainMs = c.sim.nowMs - startedMs;
    c.sim.run({ forMs: 100 });
    return { x, y, chainMs, seen: values(readAt(c, y, "n2", bucket, "x")) };
  }

  it("lww-hlc: y is stamped above x, so a read at y's timestamp sees x's write", () => {
    const { x, y, seen } = chain("lww-hlc");
    console.log(
      `lww-hlc: x stamped ${x}, y stamped ${y} (packed HLC; y - x = ${y - x}); read at y sees x = ${JSON.stringify(seen)}`,
    );
    expect(y).toBeGreaterThan(x);
    expect(seen).toEqual(["A"]);
  });

  it("lww-wall: y (n3, 5 ms behind) is stamped below x (n1, 5 ms ahead), so a read at y's timestamp misses x", () => {
    const { x, y, chainMs, seen } = chain("lww-wall");
    console.log(
      `lww-wall: x stamped ${x}, y stamped ${y} (wall ms; y - x = ${(y - x).toFixed(3)} ms, chain took ${chainMs.toFixed(3)} ms of true time); read at y sees x = ${JSON.stringify(seen)}`,
    );
    // The chain took less than the 10 ms the clocks disagree by, so the effect is stamped before its cause.
    expect(chainMs).toBeLessThan(10);
    expect(y).toBeLessThan(x);
    expect(seen).toEqual([]);
  });
});
