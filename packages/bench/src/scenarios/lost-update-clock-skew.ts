/**
 * The chapter's lost update (3.3, "Timestamps for ordering events"): client
 * A writes x = 1 on node 1, whose clock is fast; client B reads x and
 * increments it on node 3, whose clock is slow, so node 3 stamps B's write
 * below A's, and last-write-wins keeps x = 1. The increment was
 * acknowledged, and it is gone: "database writes can mysteriously
 * disappear", and LWW "cannot distinguish sequential from concurrent
 * writes".
 *
 * Here the increments are strictly sequential: each one starts only after
 * the previous one was acknowledged, alternately through n1 (+10 ms) and n3
 * (-10 ms), each a read of x followed by a write of x + 1 with the read's
 * context, on the real store (@skew/kv) on the simulator. The same
 * increments run three times:
 *
 * - `lww-wall`, the coordinator's wall clock (Cassandra's rule): every
 *   increment through the slow n3 that follows one through the fast n1
 *   within the skew is stamped below it and lost;
 * - `lww-hlc`, a hybrid logical clock: n3's clock heard n1's timestamps
 *   (every message carries one, and so does the read's context), so its
 *   stamp lands above what it read;
 * - `causal`, dotted version vectors: the write carries the context of
 *   what it read, so it supersedes it whatever any clock says.
 */
import { isTimestamp, logicalOf, wallOf } from "@skew/hlc";
import { KvCluster, text } from "@skew/jepsen";
import type { ConflictMode } from "@skew/kv";
import { clockText, msText, Timeline } from "./narration.js";
import type { Scenario, ScenarioOptions, ScenarioResult, ScenarioRun } from "./scenario.js";
import { checkSeed, simulationSeed } from "./seeds.js";
import { lwwStampOf, readOf, readValues, storedValues } from "./support/kv.js";

/**
 * How far n1's clock runs ahead of true time, and n3's behind it. The chapter
 * says the anomaly happens "even if clock synchronization is very good (skew
 * less than 3 ms)"; NTP over the internet is good to tens of ms. 10 ms each
 * way puts the two coordinators 20 ms apart, far more than one increment
 * takes on links of about a millisecond.
 */
const skewMs = 10;
/** Increments, alternately through n1 and n3; each starts after the previous one was acknowledged. */
const incrementsCount = 6;
/** The cluster runs this long before the first increment: heartbeats have been exchanged, every HLC has heard every other. */
const warmUpMs = 100;
/** Time left after the last increment for every message in flight to land, before the final read. */
const settleMs = 100;

const nodes = ["n1", "n2", "n3"];
const key = "x";

export type LostUpdateWithoutFacts = {
  readonly skewBetweenCoordinatorsMs: number;
  readonly incrementsAcknowledged: number;
  readonly finalValue: number;
  readonly incrementsLost: number;
};

export type LostUpdateWithFacts = {
  readonly incrementsAcknowledged: number;
  readonly hlcFinalValue: number;
  readonly hlcIncrementsLost: number;
  readonly causalFinalValue: number;
  readonly causalIncrementsLost: number;
  /** Values a final causal read returned: 1, since every write carried the context of the one before. */
  readonly causalSiblings: number;
};

interface Played {
  readonly acknowledged: number;
  readonly finalValue: number;
  readonly siblings: number;
}

/** What the coordinator did with the write, for the narration: the clock reading that decides which write wins. */
function stampText(mode: ConflictMode, coordinator: string, context: string): string {
  if (mode === "causal") return `${coordinator} gave it a new dot, which supersedes the versions its context names`;
  const stamp = lwwStampOf(context);
  if (stamp === undefined) return `${coordinator} stamped it (stamp not shown)`;
  if (mode === "lww-hlc" && isTimestamp(stamp.time)) {
    return `${coordinator} stamped it with its HLC: ${clockText(wallOf(stamp.time), 0)} + ${logicalOf(stamp.time)}`;
  }
  return `${coordinator} stamped it with its wall clock: ${clockText(stamp.time)}`;
}

/**
 * The increments, through the coordinators in turn, on `bucket`; then a read
 * of every replica (r = 3) through n2.
 */
function playIncrements(kv: KvCluster, timeline: Timeline, bucket: string, mode: ConflictMode): Played {
  let acknowledged = 0;
  for (let i = 0; i < incrementsCount; i++) {
    const [client, coordinator] = i % 2 === 0 ? ["a", "n1"] : ["b", "n3"];
    timeline.send(client, coordinator, `get ${key}`);
    const read = readOf(kv.callAndWait(client, coordinator, { kind: "get", bucket, key }));
    const seen = read.values;
    const current = seen.length === 0 ? 0 : Math.max(...seen.map(Number));
    timeline.receive(client, coordinator, `${key} = ${seen.length === 0 ? "(none)" : seen.join(", ")}`);

    const next = current + 1;
    timeline.send(client, coordinator, `put ${key} = ${next} (with the read's context)`);
    const written = kv.callAndWait(client, coordinator, {
      kind: "put",
      bucket,
      key,
      value: text.encode(String(next)),
      context: read.context,
    });
    if (!written.ok || written.kind !== "put") throw new Error(`an increment failed: ${JSON.stringify(written)}`);
    acknowledged++;
    timeline.receive(client, coordinator, `acknowledged; ${stampText(mode, coordinator, written.context)}`);
    // Peek at the replicas' disks (no message, no time passes): did the acknowledged write survive the merge?
    const holders = nodes.filter((id) => storedValues(kv, id, bucket, key).includes(String(next)));
    if (holders.length === 0) {
      const kept = storedValues(kv, "n2", bucket, key).join(", ");
      timeline.decide(
        "replicas",
        `each kept ${key} = ${kept}: its stamp is higher, so the acknowledged ${key} = ${next} was discarded`,
      );
    }
  }
  kv.sim.run({ forMs: settleMs });
  timeline.send("observer", "n2", `get ${key}, r = 3`);
  const final = readValues(kv.callAndWait("observer", "n2", { kind: "get", bucket, key, r: 3 }));
  timeline.receive("observer", "n2", `${key} = ${final.join(", ")}`);
  const finalValue = final.length === 0 ? 0 : Math.max(...final.map(Number));
  return { acknowledged, finalValue, siblings: final.length };
}

/** Three replicas, n1 fast and n3 slow, warmed up; the timeline starts with the setup. */
function cluster(seed: number, buckets: Readonly<Record<string, ConflictMode>>): { kv: KvCluster; timeline: Timeline } {
  const kv = new KvCluster({
    seed: simulationSeed(seed),
    nodes,
    clients: ["a", "b", "observer"],
    buckets,
    clockOffsetsMs: { n1: +skewMs, n3: -skewMs },
  });
  const timeline = new Timeline(() => kv.sim.nowMs);
  timeline.fault(`n1's clock runs ${skewMs} ms ahead of true time, n3's ${skewMs} ms behind; links take about 1 ms`);
  timeline.note("a, b", "a talks to n1, b to n3; each increment starts after the previous one was acknowledged");
  kv.sim.run({ forMs: warmUpMs });
  return { kv, timeline };
}

async function run(options: ScenarioOptions): Promise<ScenarioResult<LostUpdateWithoutFacts, LostUpdateWithFacts>> {
  const seed = checkSeed(options.seed);

  // Without the remedy: last-write-wins on the coordinators' wall clocks.
  const { kv: wallKv, timeline: narrateWall } = cluster(seed, { "lww-wall": "lww-wall" });
  const wall = playIncrements(wallKv, narrateWall, "lww-wall", "lww-wall");
  const wallLost = wall.acknowledged - wall.finalValue;
  const withoutRemedy: ScenarioRun<LostUpdateWithoutFacts> = {
    label: "lww-wall: the coordinator's wall clock stamps each write (Cassandra's rule)",
    timeline: narrateWall.entries(),
    verdict:
      `${wallLost} of ${wall.acknowledged} acknowledged increments were lost: x = ${wall.finalValue}. ` +
      `Each increment through the slow n3 was stamped below the write it had read, so the replicas kept the older value.`,
    facts: {
      skewBetweenCoordinatorsMs: 2 * skewMs,
      incrementsAcknowledged: wall.acknowledged,
      finalValue: wall.finalValue,
      incrementsLost: wallLost,
    },
    traceHash: wallKv.sim.traceHash,
  };

  // With the remedy: the same increments on a hybrid logical clock, then on causal tracking, in one cluster.
  const { kv: remedyKv, timeline: narrateRemedy } = cluster(seed, { "lww-hlc": "lww-hlc", causal: "causal" });
  narrateRemedy.note("sim", "the increments on an lww-hlc bucket");
  const hlc = playIncrements(remedyKv, narrateRemedy, "lww-hlc", "lww-hlc");
  narrateRemedy.note("sim", "the same increments on a causal bucket");
  const causal = playIncrements(remedyKv, narrateRemedy, "causal", "causal");
  const withRemedy: ScenarioRun<LostUpdateWithFacts> = {
    label: "lww-hlc (a hybrid logical clock) and causal (dotted version vectors)",
    timeline: narrateRemedy.entries(),
    verdict:
      `lww-hlc kept ${hlc.finalValue} of ${hlc.acknowledged} increments and causal ${causal.finalValue} of ` +
      `${causal.acknowledged} (${causal.siblings} value${causal.siblings === 1 ? "" : "s"}): each write was ordered after the one it read.`,
    facts: {
      incrementsAcknowledged: hlc.acknowledged,
      hlcFinalValue: hlc.finalValue,
      hlcIncrementsLost: hlc.acknowledged - hlc.finalValue,
      causalFinalValue: causal.finalValue,
      causalIncrementsLost: causal.acknowledged - causal.finalValue,
      causalSiblings: causal.siblings,
    },
    traceHash: remedyKv.sim.traceHash,
  };

  return {
    name: lostUpdateClockSkew.name,
    section: lostUpdateClockSkew.section,
    sectionTitle: lostUpdateClockSkew.sectionTitle,
    summary: lostUpdateClockSkew.summary,
    seed,
    withoutRemedy,
    withRemedy,
    lesson:
      `A wall clock ${msText(2 * skewMs, { digits: 0 })} apart from another is enough for last-write-wins to drop ` +
      "writes that came strictly one after the other. A clock that hears the other nodes' timestamps (HLC), or " +
      "causality tracked without clocks (version vectors), orders a write after the write it read.",
  };
}

export const lostUpdateClockSkew: Scenario<LostUpdateWithoutFacts, LostUpdateWithFacts> = {
  name: "lost-update-clock-skew",
  section: "3.3",
  sectionTitle: "Relying on Synchronized Clocks",
  summary: "sequential increments via a fast and a slow node: lww-wall loses some, lww-hlc and causal none",
  run,
};
