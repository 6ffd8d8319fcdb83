/**
 * Sloppy quorum and hinted handoff (Dynamo, DeCandia et al. 2007, section
 * 4.6), on the simulator, through the same driver the real node will be.
 *
 * Five nodes, N = 3, so every key has fallbacks. A primary that is crashed
 * or cut off long enough for the phi accrual detector to suspect it (about
 * 1.06 s after its last heartbeat at the default 200 ms interval) is replaced
 * in the write by the next fallback, which keeps the write as a durable hint
 * and acknowledges it. These tests check what that promises, against the
 * nodes' actual state, not the replies alone:
 *
 * - W still counts the fallback's acknowledgement (a write with W = 3 with a
 *   primary down succeeds) and the hint is where it should be;
 * - once the primary is back and no longer suspected, the hint is handed off:
 *   the primary then holds the write, and the fallback no longer holds the
 *   hint; a hint survives its fallback's crash (it was synced before the ack);
 * - PW and PR are strict: a fallback never counts; with too few unsuspected
 *   primaries the request is refused before anything is sent (definite, and
 *   indeed nothing is stored anywhere), while one whose primaries were not yet
 *   suspected times out indefinitely;
 * - a full fallback refuses hints, and the write then fails indefinitely;
 * - a write taken sloppily during a partition is still there after the heal,
 *   at the primary it was meant for, by a strict read.
 */

import { silenceAtPhi } from "@skew/failure-detector";
import { type ConflictMode, hashKey, liveValues } from "@skew/kv";
import { runSeeds } from "@skew/sim";
import { afterAll, describe, expect, test } from "vitest";
import { KvCluster, type Outcome, text } from "../../src/index.js";
import { replayIn } from "../support/replay.js";

const nodes = ["n1", "n2", "n3", "n4", "n5"];
const modes: readonly ConflictMode[] = ["lww-hlc", "causal"];
const buckets = Object.fromEntries(modes.map((mode) => [mode, mode])) as Record<string, ConflictMode>;
/** Heartbeats at 200 ms suspect a silent peer within ~1.1 s; 2 s leaves room for jitter. */
const suspectAfterMs = 2_000;
const seeds = 4;

function cluster(seed: number, membership?: { hintsMax: number }): KvCluster {
  const c = new KvCluster({ seed, nodes, clients: ["c1"], buckets, ...(membership ? { membership } : {}) });
  c.sim.run({ forMs: 1_000 }); // a few heartbeats: every detector has a window
  return c;
}

interface Placed {
  readonly key: string;
  readonly primaries: readonly string[];
  readonly fallbacks: readonly string[];
}

/** Keys whose preference list holds `victim` (but not first, so a causal write's first primary is up). */
function keysWithPrimary(c: KvCluster, bucket: string, victim: string, count: number): Placed[] {
  const ring = c.node("n1").ring;
  const out: Placed[] = [];
  for (let i = 0; out.length < count; i++) {
    const key = `k${i}`;
    const hash = hashKey(bucket, key);
    const primaries = ring.preferenceList(hash, 3);
    if (primaries.indexOf(victim) >= 1) out.push({ key, primaries, fallbacks: ring.fallbacks(hash, 3, 2) });
  }
  return out;
}

function heldValues(c: KvCluster, id: string, bucket: string, key: string): string[] {
  const record = c.node(id).localRecord(bucket, key);
  return record === undefined ? [] : liveValues(record).map(text.decode).sort();
}

function hintsFor(c: KvCluster, primary: string): { holder: string; key: string }[] {
  const out: { holder: string; key: string }[] = [];
  for (const id of nodes) {
    if (!c.sim.node(id).up) continue;
    for (const hint of c.node(id).hints()) if (hint.primary === primary) out.push({ holder: id, key: hint.key });
  }
  return out;
}

function put(c: KvCluster, via: string, bucket: string, key: string, value: string, extra: object = {}): Outcome {
  return c.callAndWait("c1", via, { kind: "put", bucket, key, value: text.encode(value), ...extra });
}

function suspectedBy(c: KvCluster, observer: string, peer: string): boolean {
  return (
    c
      .node(observer)
      .membership()
      .find((view) => view.peer === peer)?.suspected ?? false
  );
}

describe.each(modes)("%s: hinted handoff", (mode) => {
  const victim = "n3";

  test(`${mode}: writes reach W=3 through a fallback while a primary is down; its hints reach it when it is back`, async () => {
    const name = `${mode}: writes reach W=3 through a fallback while a primary is down; its hints reach it when it is back`;
    await runSeeds({ count: seeds, env: process.env, test: name, command: replayIn(import.meta.url, name) }, (seed) => {
      const c = cluster(seed);
      const placed = keysWithPrimary(c, mode, victim, 6);
      c.sim.node(victim).crash({ unsynced: "all" });
      c.sim.run({ forMs: suspectAfterMs });
      for (const { key, primaries } of placed) {
        const via = primaries[0] as string;
        expect(suspectedBy(c, via, victim)).toBe(true);
        // W = 3 with one of three primaries down: only a fallback's acknowledgement can make the third.
        expect(put(c, via, mode, key, `v-${key}`, { w: 3 })).toMatchObject({ ok: true });
      }
      const hints = hintsFor(c, victim);
      expect(hints.map((h) => h.key).sort()).toEqual(placed.map((p) => p.key).sort());
      for (const hint of hints) {
        const expected = placed.find((p) => p.key === hint.key)?.fallbacks[0];
        expect(hint.holder).toBe(expected); // the first fallback, as the ring orders them
      }

      c.sim.node(victim).restart();
      c.sim.run({ forMs: suspectAfterMs });
      for (const { key } of placed) expect(heldValues(c, victim, mode, key)).toEqual([`v-${key}`]);
      expect(hintsFor(c, victim)).toEqual([]);
      const delivered = nodes.reduce((sum, id) => sum + c.node(id).stats.hintsDelivered, 0);
      expect(delivered).toBe(placed.length);
    });
  });

  test(`${mode}: hints survive their fallback's crash and restart, then are delivered`, async () => {
    const name = `${mode}: hints survive their fallback's crash and restart, then are delivered`;
    await runSeeds({ count: seeds, env: process.env, test: name, command: replayIn(import.meta.url, name) }, (seed) => {
      const c = cluster(seed);
      const placed = keysWithPrimary(c, mode, victim, 4);
      c.sim.node(victim).crash({ unsynced: "all" });
      c.sim.run({ forMs: suspectAfterMs });
      for (const { key, primaries } of placed) {
        expect(put(c, primaries[0] as string, mode, key, `v-${key}`, { w: 3 })).toMatchObject({ ok: true });
      }
      const before = hintsFor(c, victim);
      expect(before).toHaveLength(placed.length);
      // Crash every fallback holding a hint, losing whatever was not synced, and bring it back.
      const holders = [...new Set(before.map((h) => h.holder))];
      for (const holder of holders) c.sim.node(holder).crash({ unsynced: "all", restartAfterMs: 50 });
      c.sim.run({ forMs: 100 });
      for (const holder of holders) expect(c.sim.node(holder).up).toBe(true);
      expect(hintsFor(c, victim).sort(byKey)).toEqual(before.sort(byKey));

      c.sim.node(victim).restart();
      c.sim.run({ forMs: suspectAfterMs });
      for (const { key } of placed) expect(heldValues(c, victim, mode, key)).toEqual([`v-${key}`]);
      expect(hintsFor(c, victim)).toEqual([]);
    });
  });

  test(`${mode}: a sloppy write taken during a partition is at its primary after the heal`, async () => {
    const name = `${mode}: a sloppy write taken during a partition is at its primary after the heal`;
    await runSeeds({ count: seeds, env: process.env, test: name, command: replayIn(import.meta.url, name) }, (seed) => {
      const c = cluster(seed);
      const [{ key, primaries } = never()] = keysWithPrimary(c, mode, victim, 1);
      const via = primaries[0] as string;
      expect(put(c, via, mode, key, "before")).toMatchObject({ ok: true });
      const before = c.callAndWait("c1", via, { kind: "get", bucket: mode, key, r: 3 });
      if (!before.ok) throw new Error(`read failed: ${JSON.stringify(before)}`);
      c.sim.isolate(victim);
      c.sim.run({ forMs: suspectAfterMs });
      const during = put(c, via, mode, key, "during", { w: 3, context: before.context });
      expect(during).toMatchObject({ ok: true });
      expect(heldValues(c, victim, mode, key)).toEqual(["before"]); // cut off: only the hint has it
      c.sim.heal();
      c.sim.run({ forMs: suspectAfterMs });
      expect(heldValues(c, victim, mode, key)).toEqual(["during"]);
      // A strict read of all three primaries sees it: nothing was lost to the partition.
      const after = c.callAndWait("c1", primaries[2] as string, { kind: "get", bucket: mode, key, r: 3, pr: 3 });
      expect(after).toMatchObject({ ok: true, values: [text.encode("during")] });
      expect(hintsFor(c, victim)).toEqual([]);
    });
  });
});

describe("the failure detector on the simulated network", () => {
  // Where phi reaches 8 after the last heartbeat: mean 200 + acceptable pause 600 + k x the 50 ms floor.
  const predictedMs = silenceAtPhi(8, 200 + 3 * 200, 50);
  const measured: number[] = [];
  afterAll(() => {
    if (measured.length === 0) return;
    const shown = measured.map((ms) => ms.toFixed(0)).join(", ");
    console.log(
      `crash to suspicion (heartbeats 200 ms, phi 8): ${shown} ms; predicted ${predictedMs.toFixed(0)} ms after the last heartbeat`,
    );
  });

  test("a 400 ms pause raises no suspicion; a crash is suspected within the predicted silence", async () => {
    const name = "a 400 ms pause raises no suspicion; a crash is suspected within the predicted silence";
    await runSeeds({ count: seeds, env: process.env, test: name, command: replayIn(import.meta.url, name) }, (seed) => {
      const paused = cluster(seed);
      paused.sim.node("n2").pause(400);
      for (let t = 0; t < 1_500; t += 10) {
        paused.sim.run({ forMs: 10 });
        for (const id of nodes)
          expect(
            paused
              .node(id)
              .membership()
              .some((view) => view.suspected),
          ).toBe(false);
      }
      // A steady network (the pause above has taught its cluster's detectors some patience: phi adapts).
      const c = cluster(seed);
      c.sim.node("n2").crash({ unsynced: "all" });
      const crashedAtMs = c.sim.nowMs;
      while (!suspectedBy(c, "n1", "n2") && c.sim.nowMs < crashedAtMs + 5_000) c.sim.run({ forMs: 1 });
      const delayMs = c.sim.nowMs - crashedAtMs;
      measured.push(delayMs);
      // The last heartbeat arrived at most one interval (plus a delivery) before the crash.
      expect(delayMs).toBeLessThanOrEqual(predictedMs + 5);
      expect(delayMs).toBeGreaterThanOrEqual(predictedMs - 200 - 5);
    });
  });
});

describe("strict quorums (PR/PW) and refusals", () => {
  const mode = "lww-hlc";
  const victim = "n3";

  test("PW=3 with a primary down: indefinite timeout before it is suspected, definite UNAVAILABLE after", () => {
    const c = cluster(1);
    const [{ key, primaries } = never()] = keysWithPrimary(c, mode, victim, 1);
    const via = primaries[0] as string;
    c.sim.node(victim).crash({ unsynced: "all" });
    // Not yet suspected: the write goes to all three primaries and two acknowledge. It may have been applied.
    const early = put(c, via, mode, key, "early", { pw: 3, timeoutMs: 500 });
    expect(early).toMatchObject({ ok: false, code: "TIMEOUT", definite: false, got: 2 });
    expect(heldValues(c, primaries[0] as string, mode, key)).toEqual(["early"]); // and indeed it was, at two
    c.sim.run({ forMs: suspectAfterMs });
    expect(suspectedBy(c, via, victim)).toBe(true);
    // Suspected: refused up front, nothing sent, nothing stored anywhere, no hint taken.
    const late = put(c, via, mode, `${key}`, "late", { pw: 3 });
    expect(late).toMatchObject({ ok: false, code: "UNAVAILABLE", definite: true, got: 2, need: 3 });
    c.sim.run({ forMs: 500 });
    for (const id of nodes) if (id !== victim) expect(heldValues(c, id, mode, key)).not.toContain("late");
    expect(hintsFor(c, victim)).toEqual([]);
    // PW=2 is met by the two primaries up; W=3 by a fallback. The fallback counts for W, never for PW.
    expect(put(c, via, mode, key, "pw2", { pw: 2, w: 3 })).toMatchObject({ ok: true });
    expect(hintsFor(c, victim).map((h) => h.key)).toEqual([key]);
    // Reads: PR=3 refused up front; R=3 answered with a fallback's reply counted.
    const strictRead = c.callAndWait("c1", via, { kind: "get", bucket: mode, key, pr: 3 });
    expect(strictRead).toMatchObject({ ok: false, code: "UNAVAILABLE", definite: true });
    const sloppyRead = c.callAndWait("c1", via, { kind: "get", bucket: mode, key, r: 3 });
    expect(sloppyRead).toMatchObject({ ok: true, values: [text.encode("pw2")] });
  });

  test("a fallback that holds hintsMax hints refuses the next; the write fails, indefinitely", () => {
    const c = cluster(2, { hintsMax: 1 });
    // Two keys with the victim as a primary and the same first fallback.
    const candidates = keysWithPrimary(c, mode, victim, 40);
    const first = candidates[0] ?? never();
    const second = candidates.find((p) => p !== first && p.fallbacks[0] === first.fallbacks[0]) ?? never();
    const fallback = first.fallbacks[0] as string;
    c.sim.node(victim).crash({ unsynced: "all" });
    c.sim.run({ forMs: suspectAfterMs });
    expect(put(c, first.primaries[0] as string, mode, first.key, "one", { w: 3 })).toMatchObject({ ok: true });
    const refused = put(c, second.primaries[0] as string, mode, second.key, "two", { w: 3 });
    // The fallback refused it: W=3 is out of reach at once. The primaries up may have taken it: indefinite.
    expect(refused).toMatchObject({ ok: false, code: "UNAVAILABLE", definite: false, need: 3 });
    expect(c.node(fallback).stats.hintsRefusedFull).toBe(1);
    c.sim.run({ forMs: 100 });
    // And indeed they did: "indefinite" was the truth, the write surfaced at both.
    for (const id of second.primaries) if (id !== victim) expect(heldValues(c, id, mode, second.key)).toEqual(["two"]);
    expect(hintsFor(c, victim).map((h) => h.key)).toEqual([first.key]);
  });

  test("a causal write whose first primary is suspected is coordinated by the next primary", () => {
    const c = cluster(3);
    const ring = c.node("n1").ring;
    let key = "";
    for (let i = 0; key === ""; i++) {
      const primaries = ring.preferenceList(hashKey("causal", `k${i}`), 3);
      if (primaries[0] === victim) key = `k${i}`;
    }
    const outsider = nodes.find((id) => !ring.preferenceList(hashKey("causal", key), 3).includes(id)) ?? never();
    c.sim.node(victim).crash({ unsynced: "all" });
    c.sim.run({ forMs: suspectAfterMs });
    const written = put(c, outsider, "causal", key, "x");
    expect(written).toMatchObject({ ok: true });
    // The dot was issued by the second primary, not by the one that is down.
    const second = ring.preferenceList(hashKey("causal", key), 3)[1] as string;
    const record = c.node(second).localRecord("causal", key);
    if (record?.kind !== "causal") throw new Error(`${second} holds no causal record`);
    expect(record.set.join().nodes()).toEqual([second]);
  });
});

function byKey(a: { key: string }, b: { key: string }): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function never(): never {
  throw new Error("no such key in the first keys tried");
}
