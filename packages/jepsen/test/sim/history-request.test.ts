/**
 * Issue 5, "history API": `{ kind: "history", bucket, key }` shows each
 * primary's kept versions side by side (src/node/history-request.ts), in
 * simulation. Expected values come from the writes themselves (their
 * contexts' stamps, their coordinators, their sizes), never from constants.
 */
import { type ConflictMode, type HistoryReply, hashKey, type ReplicaHistory } from "@skew/kv";
import { describe, expect, it } from "vitest";
import { type ClusterOptions, KvCluster, type Outcome, text } from "../../src/index.js";

const nodes = ["n1", "n2", "n3", "n4"];
const buckets: Record<string, ConflictMode> = { "lww-hlc": "lww-hlc", causal: "causal" };

function cluster(options: Partial<ClusterOptions> = {}): KvCluster {
  return new KvCluster({ seed: 3, nodes, clients: ["a"], buckets, ...options });
}

function historyOf(outcome: Outcome): HistoryReply {
  if (!outcome.ok || outcome.kind !== "history") throw new Error(`not a history: ${JSON.stringify(outcome)}`);
  return outcome;
}

function answered(replica: ReplicaHistory): Extract<ReplicaHistory, { state: "answered" }> {
  if (replica.state !== "answered") throw new Error(`${replica.node}: ${replica.state}`);
  return replica;
}

function stampOf(outcome: Outcome): number {
  if (!outcome.ok || !("context" in outcome)) throw new Error(`failed: ${JSON.stringify(outcome)}`);
  return Number((/^l\.\d+\.(.+)$/.exec(outcome.context) as RegExpExecArray)[1]);
}

describe("history(key)", () => {
  it("lww-hlc: each primary shows every write's stamp, writer, size and tombstone, oldest first", () => {
    const c = cluster();
    c.sim.run({ forMs: 500 });
    const writes: { at: number; node: string; bytes: number; tombstone: boolean }[] = [];
    for (const [via, value] of [
      ["n1", "first"],
      ["n2", "second value"],
      ["n3", null],
      ["n4", "fourth"],
    ] as const) {
      const request =
        value === null
          ? ({ kind: "delete", bucket: "lww-hlc", key: "x", w: 3 } as const)
          : ({ kind: "put", bucket: "lww-hlc", key: "x", value: text.encode(value), w: 3 } as const);
      const at = stampOf(c.callAndWait("a", via, request));
      writes.push({ at, node: via, bytes: value === null ? 0 : text.encode(value).length, tombstone: value === null });
      c.sim.run({ forMs: 5 });
    }
    c.sim.run({ forMs: 100 });
    const reply = historyOf(c.callAndWait("a", "n1", { kind: "history", bucket: "lww-hlc", key: "x" }));
    expect(reply.mode).toBe("lww-hlc");
    expect(reply.replicas.map((r) => r.node)).toEqual(primariesOf(c, "lww-hlc", "x"));
    for (const replica of reply.replicas) {
      const { versions, horizon } = answered(replica);
      expect(horizon, replica.node).toBeNull();
      expect(versions, replica.node).toEqual(writes.map((w) => ({ ...w, counter: null, supersededAt: null })));
    }
  });

  it("lww-hlc: after GC by count, the horizon is the oldest kept version's stamp", () => {
    const c = cluster({ history: { versionsPerKey: 2 } });
    c.sim.run({ forMs: 500 });
    const stamps: number[] = [];
    for (const value of ["a", "b", "c"]) {
      stamps.push(
        stampOf(
          c.callAndWait("a", "n1", { kind: "put", bucket: "lww-hlc", key: "x", value: text.encode(value), w: 3 }),
        ),
      );
      c.sim.run({ forMs: 5 });
    }
    c.sim.run({ forMs: 100 });
    const reply = historyOf(c.callAndWait("a", "n2", { kind: "history", bucket: "lww-hlc", key: "x" }));
    for (const replica of reply.replicas) {
      const { versions, horizon } = answered(replica);
      expect(versions.map((v) => v.at)).toEqual(stamps.slice(1));
      expect(horizon).toBe(stamps[1]);
    }
  });

  it("causal: siblings show their dots, and the resolved ones when they were superseded", () => {
    const c = cluster();
    c.sim.run({ forMs: 500 });
    const put = (via: string, value: string, context?: string): Outcome => {
      const request = { kind: "put", bucket: "causal", key: "x", value: text.encode(value), w: 3 } as const;
      return c.callAndWait("a", via, context === undefined ? request : { ...request, context });
    };
    const preference = primariesOf(c, "causal", "x");
    // Two blind writes through two primaries: two siblings, one dot each.
    put(preference[0] as string, "A");
    c.sim.run({ forMs: 5 });
    put(preference[1] as string, "B");
    c.sim.run({ forMs: 5 });
    const before = historyOf(c.callAndWait("a", "n1", { kind: "history", bucket: "causal", key: "x" }));
    for (const replica of before.replicas) {
      const { versions } = answered(replica);
      expect(versions.map((v) => [v.node, v.counter, v.supersededAt])).toEqual([
        [preference[0], 1, null],
        [preference[1], 1, null],
      ]);
    }
    const read = c.callAndWait("a", "n1", { kind: "get", bucket: "causal", key: "x", r: 3 });
    if (!read.ok || !("values" in read)) throw new Error("read failed");
    put(preference[2] as string, "C", read.context);
    c.sim.run({ forMs: 100 });
    const after = historyOf(c.callAndWait("a", "n1", { kind: "history", bucket: "causal", key: "x" }));
    for (const replica of after.replicas) {
      const { versions } = answered(replica);
      const resolver = versions.find((v) => v.node === preference[2]);
      expect(resolver?.supersededAt, replica.node).toBeNull();
      const old = versions.filter((v) => v.node !== preference[2]);
      expect(old.length, replica.node).toBe(2);
      // Both were superseded by C's write, at C's stamp.
      for (const v of old) expect(v.supersededAt, replica.node).toBe(resolver?.at);
      expect(versions.every((v) => v.bytes === 1 && !v.tombstone)).toBe(true);
    }
  });

  it("marks a crashed primary suspected once the detector says so, and a silent one no-answer before", () => {
    const c = cluster();
    c.sim.run({ forMs: 500 });
    c.callAndWait("a", "n1", { kind: "put", bucket: "lww-hlc", key: "x", value: text.encode("v"), w: 3 });
    const preference = primariesOf(c, "lww-hlc", "x");
    const down = preference.find((node) => node !== "n1") as string;
    const via = nodes.find((node) => node !== down && node !== "n1") as string;
    c.sim.node(down).crash();
    const early = historyOf(c.callAndWait("a", via, { kind: "history", bucket: "lww-hlc", key: "x", timeoutMs: 200 }));
    expect(early.replicas.find((r) => r.node === down)?.state).toBe("no-answer");
    expect(early.replicas.filter((r) => r.state === "answered").length).toBe(2);
    c.sim.run({ forMs: 5_000 });
    const late = historyOf(c.callAndWait("a", via, { kind: "history", bucket: "lww-hlc", key: "x" }));
    expect(late.replicas.find((r) => r.node === down)?.state).toBe("suspected");
  });

  it("refuses malformed requests with INVALID_REQUEST, definitely", () => {
    const c = cluster();
    const bad: unknown[] = [
      { kind: "history", bucket: "lww-hlc" },
      { kind: "history", bucket: "nope", key: "x" },
      { kind: "history", bucket: "lww-hlc", key: "x", at: 1 },
      { kind: "history", bucket: "lww-hlc", key: "x", n: 0 },
      { kind: "history", bucket: "lww-hlc", key: "x", timeoutMs: -1 },
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

/** The key's three primaries, in preference order. */
function primariesOf(c: KvCluster, bucket: string, key: string): readonly string[] {
  return c.node("n1").ring.preferenceList(hashKey(bucket, key), 3);
}
