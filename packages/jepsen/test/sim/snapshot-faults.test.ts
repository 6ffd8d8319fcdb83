/**
 * Issue 5: reads of the past under partitions and pauses (served-reads.ts).
 *
 * The late write. Four nodes; the key's primaries are three of them and the
 * fourth, n4, is not one. n4 coordinates a write while its links to the
 * primaries are clogged (messages held, not lost, as FoundationDB's
 * `clogPair`): the write times out, indefinitely (it may yet land), and is
 * stamped below a timestamp `at` at which a snapshot is then answered by
 * the primaries. When the clog lifts the write lands and wins its merge (it
 * is the newest write), yet the snapshot at `at`, answered before, must not
 * change: the primaries record it as visible only from just above `at`.
 *
 * The price. A read of the past needs every primary, so a primary cut off
 * or paused holds it: it waits within its deadline, or fails, definitely.
 */
import { type ConflictMode, hashKey } from "@skew/kv";
import { runSeeds } from "@skew/sim";
import { describe, expect, it } from "vitest";
import { type ClusterOptions, KvCluster, type Outcome, text } from "../../src/index.js";
import { replayIn } from "../support/replay.js";

const nodes = ["n1", "n2", "n3", "n4"];

function cluster(seed: number, mode: ConflictMode, options: Partial<ClusterOptions> = {}): KvCluster {
  return new KvCluster({ seed, nodes, clients: ["a", "b"], buckets: { [mode]: mode }, ...options });
}

/** A key whose three primaries leave out `outside`. */
function keyOutside(c: KvCluster, bucket: string, outside: string): { key: string; primaries: readonly string[] } {
  for (let i = 0; ; i++) {
    const key = `k${i}`;
    const primaries = c.node("n1").ring.preferenceList(hashKey(bucket, key), 3);
    if (!primaries.includes(outside)) return { key, primaries };
  }
}

function valuesOf(outcome: Outcome): string[] | string {
  if (!outcome.ok) return outcome.code;
  if (outcome.kind === "snapshot") return (outcome.entries[0]?.values ?? []).map(text.decode);
  if (outcome.kind === "get") return outcome.values.map(text.decode);
  throw new Error(`unexpected reply ${JSON.stringify(outcome)}`);
}

function stampOf(outcome: Outcome): number {
  if (!outcome.ok || !("context" in outcome)) throw new Error(`failed: ${JSON.stringify(outcome)}`);
  return Number((/^l\.\d+\.(.+)$/.exec(outcome.context) as RegExpExecArray)[1]);
}

describe("a write that reaches the primaries after a snapshot was answered does not change it", () => {
  for (const mode of ["lww-hlc", "lww-truetime"] as const) {
    const name = `${mode}: a write held on clogged links lands after the snapshot; the snapshot stays`;
    it(name, async () => {
      const seen: string[] = [];
      await runSeeds({ count: 3, env: process.env, test: name, command: replayIn(import.meta.url, name) }, (seed) => {
        const c = cluster(seed, mode);
        c.sim.run({ forMs: 1_000 });
        const { key, primaries } = keyOutside(c, mode, "n4");
        const before = stampOf(
          c.callAndWait("b", primaries[0] as string, { kind: "put", bucket: mode, key, value: text.encode("before") }),
        );
        c.sim.run({ forMs: 20 });
        for (const p of primaries) c.sim.link("n4", p).clog(1_000);
        const late = c.callAndWait("a", "n4", {
          kind: "put",
          bucket: mode,
          key,
          value: text.encode("late"),
          timeoutMs: 300,
        });
        expect(late.ok ? "ok" : [late.code, late.definite]).toEqual(["TIMEOUT", false]); // may yet land: it does
        c.sim.run({ forMs: 200 });
        // Well past the late write's stamp, and safe by the time the primaries answer (wait).
        const at = mode === "lww-hlc" ? before + 150 * 2 ** 11 : before + 150;
        const snapshot = { kind: "snapshot", bucket: mode, keys: [key], at, wait: true } as const;
        const first = valuesOf(c.callAndWait("b", primaries[1] as string, snapshot));
        expect(first).toEqual(["before"]);
        c.sim.run({ forMs: 5_000 }); // the clog lifts: the write lands; anti-entropy runs
        // The late write won: it is every primary's current value, and the newest version.
        for (const via of primaries) {
          expect(valuesOf(c.callAndWait("b", via, { kind: "get", bucket: mode, key, r: 3 }))).toEqual(["late"]);
        }
        const lateStamps = primaries.map((p) => c.node(p).localHistory(mode, key).versions.at(-1)?.at as number);
        for (const via of nodes)
          expect(valuesOf(c.callAndWait("b", via, snapshot)), `re-read via ${via}`).toEqual(first);
        for (const stamp of lateStamps) expect(stamp).toBeGreaterThan(at);
        seen.push(`seed ${seed}: late write recorded ${lateStamps.map((s) => s - at).join("/")} above at`);
      });
      console.log(`${mode}: ${seen.join("; ")}`);
    });
  }
});

describe("the price: a read of the past needs every primary", () => {
  it("lww-hlc: with a primary cut off it waits to its deadline (TIMEOUT, definite), and answers once healed", () => {
    const c = cluster(4, "lww-hlc");
    c.sim.run({ forMs: 1_000 });
    const { key, primaries } = keyOutside(c, "lww-hlc", "n4");
    const at = stampOf(
      c.callAndWait("b", primaries[0] as string, { kind: "put", bucket: "lww-hlc", key, value: text.encode("v") }),
    );
    const cutOff = primaries[2] as string;
    c.sim.partition(
      [cutOff],
      ["n1", "n2", "n3", "n4", "a", "b"].filter((n) => n !== cutOff),
    );
    const read = { kind: "get", bucket: "lww-hlc", key, at, wait: true, timeoutMs: 500 } as const;
    const during = c.callAndWait("b", primaries[0] as string, read);
    expect(!during.ok && [during.code, during.definite]).toEqual(["TIMEOUT", true]);
    c.sim.run({ forMs: 3_000 }); // the cut-off primary is now suspected: the read is refused at once
    const suspected = c.callAndWait("b", primaries[0] as string, read);
    expect(!suspected.ok && [suspected.code, suspected.definite]).toEqual(["UNAVAILABLE", true]);
    c.sim.heal();
    c.sim.run({ forMs: 3_000 });
    expect(valuesOf(c.callAndWait("b", primaries[0] as string, read))).toEqual(["v"]);
  });

  it("lww-truetime: a primary paused for 1 s holds the read; it answers after the pause, within its deadline", () => {
    const c = cluster(5, "lww-truetime");
    c.sim.run({ forMs: 1_000 });
    const { key, primaries } = keyOutside(c, "lww-truetime", "n4");
    const at = stampOf(
      c.callAndWait("b", primaries[0] as string, { kind: "put", bucket: "lww-truetime", key, value: text.encode("v") }),
    );
    c.sim.run({ forMs: 50 });
    const paused = primaries[1] as string;
    c.sim.node(paused).pause(1_000);
    const startMs = c.sim.nowMs;
    const got = c.callAndWait("b", primaries[0] as string, {
      kind: "get",
      bucket: "lww-truetime",
      key,
      at,
      wait: true,
      timeoutMs: 5_000,
    });
    expect(valuesOf(got)).toEqual(["v"]);
    expect(c.sim.nowMs - startMs).toBeGreaterThanOrEqual(900); // it waited for the paused primary
  });
});
