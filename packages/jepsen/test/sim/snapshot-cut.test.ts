/**
 * Issue 5, the law of consistent snapshots, as a property: in a bucket whose
 * writes are stamped with an HLC (`lww-hlc`, `causal`) or with TrueTime's
 * `latest` plus commit wait (`lww-truetime`), a snapshot never contains an
 * effect without its cause.
 *
 * fast-check draws a causal chain: clock offsets for three nodes (up to
 * ±20 ms, beyond the chapter's "a few milliseconds"), and for each link a
 * coordinator; link i reads key k(i-1) through its coordinator (so its
 * write causally depends on w(i-1)), then writes k(i) there. Then every key
 * is read as of a grid of timestamps around every write's stamp, with
 * `wait` (only safe snapshots). Laws:
 *
 * - no effect without its cause: a snapshot that holds w(i) holds w(i-1);
 * - a write is visible as of its own stamp: the snapshot at w(i)'s stamp
 *   holds w(i) (so the first law is not vacuous).
 *
 * Stamps are not guessed: an LWW write's stamp is in its reply's context;
 * a causal sibling's is read back with the `history` request.
 */
import { hashKey } from "@skew/kv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KvCluster, type Outcome, text } from "../../src/index.js";
import { replayIn } from "../support/replay.js";

const nodes = ["n1", "n2", "n3"];
const modes = ["lww-hlc", "lww-truetime", "causal"] as const;
/** The three modes with a safe time, and `lww-wall`, which has none: read unsafely, and the law breaks. */
type SafeMode = (typeof modes)[number] | "lww-wall";
/** One ms of HLC time, packed (11 logical bits). */
const hlcMs = 2 ** 11;

interface Scenario {
  readonly seed: number;
  readonly mode: SafeMode;
  readonly offsetsMs: readonly number[];
  readonly coordinators: readonly string[];
}

const scenarioArb = (...from: SafeMode[]): fc.Arbitrary<Scenario> =>
  fc.record({
    seed: fc.integer({ min: 1, max: 0xffff_ffff }),
    mode: fc.constantFrom(...from),
    offsetsMs: fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 3, maxLength: 3 }),
    coordinators: fc.array(fc.constantFrom(...nodes), { minLength: 2, maxLength: 5 }),
  });

/** The stamp of the write just acknowledged in `outcome` to key `key`, written through `via`. */
function stampOf(c: KvCluster, mode: SafeMode, outcome: Outcome, key: string, via: string): number {
  if (!outcome.ok || !("context" in outcome)) throw new Error(`write failed: ${JSON.stringify(outcome)}`);
  if (mode !== "causal") return Number((/^l\.\d+\.(.+)$/.exec(outcome.context) as RegExpExecArray)[1]);
  const history = c.callAndWait("a", via, { kind: "history", bucket: mode, key });
  if (!history.ok || history.kind !== "history") throw new Error(`history failed: ${JSON.stringify(history)}`);
  const stamps = history.replicas.flatMap((r) => (r.state === "answered" ? r.versions.map((v) => v.at) : []));
  if (stamps.length === 0) throw new Error(`no replica kept ${key}`);
  return Math.min(...stamps); // one write per key: every replica reports the same sibling
}

function run({ seed, mode, offsetsMs, coordinators }: Scenario): { snapshots: number; withEffect: number } {
  const clockOffsetsMs = Object.fromEntries(nodes.map((node, i) => [node, offsetsMs[i] as number]));
  const c = new KvCluster({ seed, nodes, clients: ["a"], buckets: { [mode]: mode }, clockOffsetsMs });
  c.sim.run({ forMs: 1_000 }); // heartbeats, a TrueTime sync
  const keys = coordinators.map((_, i) => `k${i}`);
  const stamps: number[] = [];
  coordinators.forEach((via, i) => {
    const key = keys[i] as string;
    if (i > 0) {
      // The cause: read w(i-1) through this link's coordinator (R = 2 after W = 2 sees it).
      const read = c.callAndWait("a", via, { kind: "get", bucket: mode, key: keys[i - 1] as string });
      expect(read.ok && "values" in read && read.values.map(text.decode)).toEqual([`v${i - 1}`]);
    }
    const written = c.callAndWait("a", via, { kind: "put", bucket: mode, key, value: text.encode(`v${i}`) });
    stamps.push(stampOf(c, mode, written, key, via));
  });
  c.sim.run({ forMs: 200 }); // every replica has every write
  const unit = mode === "lww-truetime" || mode === "lww-wall" ? 0.5 : hlcMs / 2;
  const wait = mode !== "lww-wall";
  const times = new Set<number>();
  for (const stamp of stamps) for (let d = -2; d <= 2; d++) times.add(stamp + d * unit);
  let withEffect = 0;
  for (const at of [...times].sort((a, b) => a - b)) {
    const via = nodes[Math.abs(hashKey("at", String(at))) % nodes.length] as string;
    const outcome = c.callAndWait("a", via, { kind: "snapshot", bucket: mode, keys, at, wait });
    if (!outcome.ok || outcome.kind !== "snapshot") throw new Error(`snapshot at ${at}: ${JSON.stringify(outcome)}`);
    const held = outcome.entries.map((e) => e.values.length > 0);
    for (let i = 1; i < keys.length; i++) {
      if (!held[i]) continue;
      withEffect++;
      expect(
        held[i - 1],
        `snapshot at ${at} holds w${i} (stamped ${stamps[i]}) without w${i - 1} (${stamps[i - 1]})`,
      ).toBe(true);
    }
    stamps.forEach((stamp, i) => {
      if (at === stamp) expect(held[i], `snapshot at w${i}'s own stamp ${stamp}`).toBe(true);
    });
  }
  return { snapshots: times.size, withEffect };
}

describe("a snapshot never contains an effect without its cause (lww-hlc, lww-truetime, causal; fast-check)", () => {
  const name = "holds for random causal chains across skewed nodes";
  it(name, () => {
    const fcSeed = Number(process.env.FC_SEED ?? Date.now() ^ (Math.random() * 0x7fff_ffff));
    const totals = { runs: 0, snapshots: 0, withEffect: 0 };
    try {
      fc.assert(
        fc.property(scenarioArb(...modes), (scenario) => {
          const { snapshots, withEffect } = run(scenario);
          totals.runs++;
          totals.snapshots += snapshots;
          totals.withEffect += withEffect;
        }),
        { numRuns: 30, seed: fcSeed },
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const command = replayIn(import.meta.url, name)(fcSeed).replace("&& SEED=", "&& FC_SEED=");
      throw new Error(`${message}\nreplay with:\n  ${command}`, { cause: error });
    }
    console.log(
      `${totals.runs} chains (fast-check seed ${fcSeed}): ${totals.snapshots} safe snapshots, ${totals.withEffect} held an effect, each with its cause`,
    );
    expect(totals.withEffect).toBeGreaterThan(0);
  });
});

describe("lww-wall has no such law", () => {
  it("fast-check finds a chain across skewed clocks whose snapshot holds an effect without its cause", () => {
    const result = fc.check(
      fc.property(scenarioArb("lww-wall"), (scenario) => {
        run(scenario);
      }),
      { numRuns: 200, seed: 1 },
    );
    expect(result.failed).toBe(true);
    const error = String((result.errorInstance as Error | undefined)?.message);
    console.log(
      `lww-wall counterexample after ${result.numRuns} runs: ${JSON.stringify(result.counterexample)}\n${error.split("\n")[0]}`,
    );
    expect(error).toMatch(/without w\d/);
  });
});
