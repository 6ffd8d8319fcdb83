/**
 * Issue 5: safe time and the multi-key `snapshot` request (src/node/snapshot.ts), in simulation.
 */
import type { ConflictMode } from "@skew/kv";
import { runSeeds } from "@skew/sim";
import { describe, expect, it } from "vitest";
import { type ClusterOptions, KvCluster, type Outcome, text } from "../../src/index.js";
import { replayIn } from "../support/replay.js";

const nodes = ["n1", "n2", "n3"];
const buckets: Record<string, ConflictMode> = {
  "lww-hlc": "lww-hlc",
  "lww-truetime": "lww-truetime",
  "lww-wall": "lww-wall",
  "lww-lamport": "lww-lamport",
};
/** One ms of HLC time, packed (11 logical bits). */
const hlcMs = 2 ** 11;

function cluster(seed: number, options: Partial<ClusterOptions> = {}): KvCluster {
  return new KvCluster({ seed, nodes, clients: ["a", "b", "s"], buckets, ...options });
}

function stampOf(outcome: Outcome): number {
  if (!outcome.ok) throw new Error(`failed: ${JSON.stringify(outcome)}`);
  const match = /^l\.\d+\.(.+)$/.exec(outcome.context);
  if (match === null) throw new Error(`not an LWW context: ${outcome.context}`);
  return Number(match[1]);
}

/** A snapshot's entries as key -> decoded values, or the failure's code. */
function entriesOf(outcome: Outcome): Record<string, string[]> | string {
  if (!outcome.ok) return outcome.code;
  if (outcome.kind !== "snapshot") throw new Error(`not a snapshot: ${JSON.stringify(outcome)}`);
  const out: Record<string, string[]> = {};
  for (const entry of outcome.entries) out[`k:${entry.key}`] = entry.values.map(text.decode);
  return out;
}

/** `at` this many ms ahead of `stamp`, in the bucket's clock units. */
function ahead(bucket: string, stamp: number, ms: number): number {
  return bucket === "lww-hlc" ? stamp + ms * hlcMs : stamp + ms;
}

describe("a snapshot at t never changes once t is safe (random concurrent writes, wait: true)", () => {
  for (const bucket of ["lww-hlc", "lww-truetime"]) {
    const name = `${bucket}: every snapshot re-read after more writes and a settle is identical`;
    it(name, async () => {
      const totals = { snapshots: 0, nonEmpty: 0, writesOk: 0 };
      await runSeeds({ count: 3, env: process.env, test: name, command: replayIn(import.meta.url, name) }, (seed) => {
        const c = cluster(seed, { clockOffsetsMs: { n1: 7, n2: -4, n3: 0 } });
        c.sim.run({ forMs: 1_000 }); // heartbeats, a TrueTime sync
        const random = c.sim.random;
        const keys = ["p", "q", "r", "s", "t"];
        let latest = 0;
        for (let i = 0; i < 60; i++) {
          const client = c.client(random.pick(["a", "b"]));
          const via = random.pick(nodes);
          const key = random.pick(keys);
          client.after(random.int(0, 600), () =>
            client.call(via, { kind: "put", bucket, key, value: text.encode(`${key}${i}`) }, (o) => {
              if (!o.ok) return;
              totals.writesOk++;
              latest = Math.max(latest, stampOf(o));
            }),
          );
        }
        const taken: { at: number; first: Record<string, string[]> | string }[] = [];
        const reader = c.client("s");
        for (let i = 1; i <= 8; i++) {
          reader.after(i * 70, () => {
            if (latest === 0) return;
            // Slightly in the future of the newest acknowledged write: not safe yet, so the read has to wait.
            const at = ahead(bucket, latest, 3);
            reader.call(random.pick(nodes), { kind: "snapshot", bucket, keys, at, wait: true }, (o) => {
              taken.push({ at, first: entriesOf(o) });
            });
          });
        }
        c.sim.run({ forMs: 3_000 }); // everything written, commit waits over, anti-entropy has run
        expect(taken.length).toBeGreaterThanOrEqual(6);
        for (const { at, first } of taken) {
          expect(typeof first, `snapshot at ${at}: ${JSON.stringify(first)}`).toBe("object");
          for (const via of nodes) {
            const again = entriesOf(c.callAndWait("s", via, { kind: "snapshot", bucket, keys, at, r: 3 }));
            expect(again, `snapshot at ${at} re-read via ${via}`).toEqual(first);
          }
          totals.snapshots++;
          if (Object.values(first as Record<string, string[]>).some((v) => v.length > 0)) totals.nonEmpty++;
        }
      });
      console.log(
        `${bucket}: ${totals.snapshots} snapshots (${totals.nonEmpty} non-empty) re-read 3 times each, all identical; ${totals.writesOk} writes acknowledged`,
      );
      expect(totals.nonEmpty).toBeGreaterThan(0);
    });
  }
});

describe("a consistent cut under skew: A writes x via n1 (+5 ms); B reads x via n3 (-5 ms), writes y via n3", () => {
  /** The chain, then a snapshot of {x, y} at every stamp from below x to above y (the bucket's unit steps). */
  function chain(bucket: string): { x: number; y: number; cuts: { at: number; x: string[]; y: string[] }[] } {
    const c = cluster(5, { clockOffsetsMs: { n1: 5, n3: -5 }, link: { delay: { kind: "constant", ms: 0.5 } } });
    c.sim.run({ forMs: 1_000 });
    const x = stampOf(c.callAndWait("a", "n1", { kind: "put", bucket, key: "x", value: text.encode("A") }));
    const read = c.callAndWait("b", "n3", { kind: "get", bucket, key: "x" });
    expect(read.ok && "values" in read && read.values.map(text.decode)).toEqual(["A"]);
    const y = stampOf(c.callAndWait("b", "n3", { kind: "put", bucket, key: "y", value: text.encode("B") }));
    c.sim.run({ forMs: 100 });
    const unit = bucket === "lww-hlc" ? hlcMs / 4 : 0.25;
    const cuts: { at: number; x: string[]; y: string[] }[] = [];
    for (let at = Math.min(x, y) - 2 * unit; at <= Math.max(x, y) + 2 * unit; at += unit) {
      const wait = bucket !== "lww-wall"; // no safe time in lww-wall: read unsafely
      const outcome = entriesOf(c.callAndWait("s", "n2", { kind: "snapshot", bucket, keys: ["x", "y"], at, wait }));
      if (typeof outcome === "string") throw new Error(`snapshot at ${at}: ${outcome}`);
      cuts.push({ at, x: outcome["k:x"] as string[], y: outcome["k:y"] as string[] });
    }
    for (const at of [x, y]) {
      const outcome = entriesOf(c.callAndWait("s", "n2", { kind: "snapshot", bucket, keys: ["x", "y"], at }));
      if (typeof outcome === "string") throw new Error(`snapshot at ${at}: ${outcome}`);
      cuts.push({ at, x: outcome["k:x"] as string[], y: outcome["k:y"] as string[] });
    }
    return { x, y, cuts };
  }

  for (const bucket of ["lww-hlc", "lww-truetime"]) {
    it(`${bucket}: every snapshot that contains y contains x`, () => {
      const { x, y, cuts } = chain(bucket);
      const withY = cuts.filter((cut) => cut.y.length > 0);
      console.log(`${bucket}: x stamped ${x}, y stamped ${y}; ${withY.length} of ${cuts.length} snapshots hold y`);
      expect(y).toBeGreaterThan(x);
      expect(withY.length).toBeGreaterThan(0);
      for (const cut of withY) expect(cut.x, `snapshot at ${cut.at}`).toEqual(["A"]);
    });
  }

  it("lww-wall: a snapshot holds y but not x (y is stamped below x)", () => {
    const { x, y, cuts } = chain("lww-wall");
    const broken = cuts.filter((cut) => cut.y.length > 0 && cut.x.length === 0);
    console.log(
      `lww-wall: x stamped ${x}, y stamped ${y} (y - x = ${(y - x).toFixed(3)} ms); ${broken.length} of ${cuts.length} snapshots hold y without x, e.g. at ${broken[0]?.at}`,
    );
    expect(y).toBeLessThan(x);
    expect(broken.length).toBeGreaterThan(0);
    expect(cuts.find((cut) => cut.at === y)).toMatchObject({ x: [], y: ["B"] });
  });
});

describe("safe time, without and with wait", () => {
  function stamped(c: KvCluster, bucket: string): number {
    c.sim.run({ forMs: 1_000 });
    return stampOf(c.callAndWait("a", "n1", { kind: "put", bucket, key: "x", value: text.encode("1") }));
  }

  it("lww-truetime: 50 ms ahead fails SNAPSHOT_NOT_SAFE definitely; with wait, answers once after(at), ~50 ms later", () => {
    const c = cluster(7);
    const at = ahead("lww-truetime", stamped(c, "lww-truetime"), 50);
    for (const request of [
      { kind: "snapshot", bucket: "lww-truetime", keys: ["x"], at },
      { kind: "get", bucket: "lww-truetime", key: "x", at },
    ] as const) {
      const outcome = c.callAndWait("b", "n2", request);
      expect(!outcome.ok && [outcome.code, outcome.definite]).toEqual(["SNAPSHOT_NOT_SAFE", true]);
    }
    const startedMs = c.sim.nowMs;
    const waited = c.callAndWait("b", "n2", {
      kind: "snapshot",
      bucket: "lww-truetime",
      keys: ["x", "z"],
      at,
      wait: true,
    });
    const tookMs = c.sim.nowMs - startedMs;
    console.log(`lww-truetime: a snapshot 50 ms ahead answered after ${tookMs.toFixed(3)} ms of waiting`);
    expect(entriesOf(waited)).toEqual({ "k:x": ["1"], "k:z": [] });
    expect(tookMs).toBeGreaterThanOrEqual(45);
    const got = c.callAndWait("b", "n3", { kind: "get", bucket: "lww-truetime", key: "x", at, wait: true });
    expect(got.ok && "values" in got && got.values.map(text.decode)).toEqual(["1"]);
  });

  it("lww-truetime: wait is bounded by the request's timeout (TIMEOUT, definite)", () => {
    const c = cluster(8);
    const at = ahead("lww-truetime", stamped(c, "lww-truetime"), 5_000);
    const outcome = c.callAndWait("b", "n2", {
      kind: "snapshot",
      bucket: "lww-truetime",
      keys: ["x"],
      at,
      wait: true,
      timeoutMs: 200,
    });
    expect(!outcome.ok && [outcome.code, outcome.definite]).toEqual(["TIMEOUT", true]);
  });

  it("lww-hlc: beyond the max offset fails SNAPSHOT_NOT_SAFE definitely; with wait, answers once within it", () => {
    const c = cluster(9, { maxOffsetMs: 100 });
    const at = ahead("lww-hlc", stamped(c, "lww-hlc"), 300);
    const outcome = c.callAndWait("b", "n2", { kind: "snapshot", bucket: "lww-hlc", keys: ["x"], at });
    expect(!outcome.ok && [outcome.code, outcome.definite]).toEqual(["SNAPSHOT_NOT_SAFE", true]);
    const startedMs = c.sim.nowMs;
    const waited = c.callAndWait("b", "n2", { kind: "snapshot", bucket: "lww-hlc", keys: ["x"], at, wait: true });
    const tookMs = c.sim.nowMs - startedMs;
    console.log(`lww-hlc: a snapshot 300 ms ahead (max offset 100 ms) answered after ${tookMs.toFixed(3)} ms`);
    expect(entriesOf(waited)).toEqual({ "k:x": ["1"] });
    expect(tookMs).toBeGreaterThanOrEqual(150);
    // Once read, `at` is in the past of every replica that answered: a write through them is stamped above it.
    for (const via of nodes) {
      const later = stampOf(
        c.callAndWait("a", via, { kind: "put", bucket: "lww-hlc", key: "x", value: text.encode("2") }),
      );
      expect(later, via).toBeGreaterThan(at);
    }
  });

  it("lww-wall and lww-lamport have no safe time: wait fails SNAPSHOT_NOT_SAFE, no wait reads (unsafely)", () => {
    const c = cluster(10);
    for (const bucket of ["lww-wall", "lww-lamport"]) {
      const at = stamped(c, bucket);
      const refused = c.callAndWait("b", "n2", { kind: "snapshot", bucket, keys: ["x"], at, wait: true });
      expect(!refused.ok && [refused.code, refused.definite], bucket).toEqual(["SNAPSHOT_NOT_SAFE", true]);
      expect(entriesOf(c.callAndWait("b", "n2", { kind: "snapshot", bucket, keys: ["x"], at })), bucket).toEqual({
        "k:x": ["1"],
      });
    }
  });

  it("validates snapshots: keys bounded, no duplicates, at required, a known bucket", () => {
    const c = cluster(11, { buckets: { ...buckets, causal: "causal" } });
    const tooMany = Array.from({ length: 101 }, (_, i) => `k${i}`);
    const bad: unknown[] = [
      { kind: "snapshot", bucket: "lww-hlc", keys: [], at: 1 },
      { kind: "snapshot", bucket: "lww-hlc", keys: tooMany, at: 1 },
      { kind: "snapshot", bucket: "lww-hlc", keys: ["x", "x"], at: 1 },
      { kind: "snapshot", bucket: "lww-hlc", keys: ["x"] },
      { kind: "snapshot", bucket: "lww-hlc", keys: ["x"], at: 1, wait: "yes" },
      { kind: "snapshot", bucket: "lww-hlc", keys: ["x"], at: 1, w: 2 },
      { kind: "snapshot", bucket: "no-such-bucket", keys: ["x"], at: 1 },
      { kind: "get", bucket: "lww-hlc", key: "x", wait: true },
    ];
    for (const request of bad) {
      const outcome = c.callAndWait("a", "n1", request as never);
      expect(!outcome.ok && [outcome.code, outcome.definite], JSON.stringify(request).slice(0, 80)).toEqual([
        "INVALID_REQUEST",
        true,
      ]);
    }
  });
});
