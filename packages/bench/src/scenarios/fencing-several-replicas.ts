/**
 * Fencing with several replicas (the chapter, 4.3): "imagine a leaderless
 * replicated key-value store with last-write-wins conflict resolution.
 * Client 2 has fencing token 34 [...] Client 2 writes to a quorum of replicas
 * but can't reach Replica 3. When zombie Client 1 later tries to write, its
 * write may succeed at Replica 3 even though it is ignored by replicas 1 and
 * 2. This is not a problem, since a subsequent quorum read will prefer the
 * write from Client 2 with the greater timestamp."
 *
 * Played on the real store (@skew/kv, `lww-wall`, N = 3, R = W = 2) on the
 * simulator. Client 1 (token 33) writes, reads, starts its next write and
 * pauses; client 2 (token 34) writes to a quorum while one replica, drawn
 * from the seed, is cut off from the other two; the zombie wakes and sends
 * its write through that replica.
 *
 * - Without tokens, last-write-wins compares wall-clock stamps, and the
 *   zombie's write is the later one: it is acknowledged, every replica
 *   takes it, and client 2's acknowledged write is gone.
 * - With tokens, the token is the stamp's most significant part, and a
 *   replica refuses a write below the highest token it has seen (`FENCED`).
 *   The two replicas that saw 34 refuse; the one that did not takes the
 *   write, so the failure is indefinite; every quorum read meets a replica
 *   that saw 34 and returns client 2's write, and read repair then removes
 *   the zombie's write from the replica that took it.
 */

import { KvCluster, type Outcome, text } from "@skew/jepsen";
import { durationText, Timeline } from "./narration.js";
import type { Scenario, ScenarioOptions, ScenarioResult, ScenarioRun } from "./scenario.js";
import { checkSeed, simulationSeed } from "./seeds.js";
import { failureText, readOf, readValues, storedValues } from "./support/kv.js";

/** Client 1's pause: far longer than client 2's whole read and write. */
const pauseMs = 1_000;
/** How long after client 1's pause begins client 2 takes over (its lease has been granted). */
const takeoverAfterMs = 100;
/** The tokens of the chapter's example. */
const zombieToken = 33;
const newHolderToken = 34;
/** Time for read repair to land after the full read. */
const repairMs = 50;

const nodes = ["n1", "n2", "n3"];
const bucket = "lww-wall";
const key = "locked-file";
const firstValue = "client 1's first write";
const newHolderValue = "client 2's write";
const zombieValue = "client 1's late write";

export type FencingReplicasWithoutFacts = {
  readonly zombieWriteAcknowledged: boolean;
  /** Every quorum read, through each node, returned the zombie's value. */
  readonly quorumReadsReturnZombie: boolean;
  /** Client 2's acknowledged write is on no replica once they agree. */
  readonly newHolderWriteLost: boolean;
};

export type FencingReplicasWithFacts = {
  readonly zombieWriteAcknowledged: boolean;
  readonly zombieRefusedFenced: boolean;
  /** The refusal says the write may have happened somewhere, which is true: one replica stored it. */
  readonly zombieFailureDefinite: boolean;
  readonly replicasThatRefused: number;
  readonly replicasThatStoredZombie: number;
  /** Every quorum read, through each node, returned exactly client 2's write. */
  readonly quorumReadsReturnNewHolder: boolean;
  readonly zombieGoneAfterReadRepair: boolean;
};

interface Played {
  readonly timeline: Timeline;
  readonly zombieOutcome: Outcome;
  readonly refusedBy: readonly string[];
  readonly storedBy: readonly string[];
  readonly quorumReads: readonly (readonly string[])[];
  readonly storedAfterRepair: readonly (readonly string[])[];
  readonly traceHash: string;
}

function play(seed: number, fencing: boolean): Played {
  const kv = new KvCluster({
    seed: simulationSeed(seed),
    nodes,
    clients: ["client-1", "client-2", "reader"],
    buckets: { [bucket]: "lww-wall" },
  });
  const { sim } = kv;
  const timeline = new Timeline(() => sim.nowMs);
  const cutOff = sim.random.pick(nodes);
  const others = nodes.filter((id) => id !== cutOff);
  const via = others[0] as string;
  const fence = (token: number) => (fencing ? { fence: token } : {});
  const tokenText = (token: number) => (fencing ? ` with token ${token}` : " (no token)");

  // 1. Client 1, the leaseholder with token 33, writes to every replica and reads the key back.
  timeline.send("client-1", via, `put "${firstValue}"${tokenText(zombieToken)}, w = 3`);
  const first = kv.callAndWait("client-1", via, {
    kind: "put",
    bucket,
    key,
    value: text.encode(firstValue),
    w: 3,
    ...fence(zombieToken),
  });
  timeline.receive("client-1", via, first.ok ? "acknowledged by all three" : failureText(first));
  const read = readOf(kv.callAndWait("client-1", via, { kind: "get", bucket, key }));

  // 2. It starts its next write, and its process pauses before the request leaves.
  let zombieOutcome: Outcome | undefined;
  kv.client("client-1").after(1, () => {
    timeline.note("client-1", "resumes, unaware of the pause, and sends the write it had started");
    timeline.send("client-1", cutOff, `put "${zombieValue}"${tokenText(zombieToken)}`);
    kv.client("client-1").call(
      cutOff,
      { kind: "put", bucket, key, value: text.encode(zombieValue), context: read.context, ...fence(zombieToken) },
      (outcome) => {
        zombieOutcome = outcome;
      },
    );
  });
  sim.node("client-1").pause(pauseMs);
  timeline.fault(`client-1's process pauses for ${durationText(pauseMs)} (a GC), its write not yet sent`);
  const wakeAtMs = sim.nowMs + pauseMs;

  // 3. Its lease expires; client 2 gets token 34 and writes to a quorum, while one replica is cut off.
  sim.run({ forMs: takeoverAfterMs });
  sim.partition([cutOff], others);
  timeline.fault(`${cutOff} is cut off from ${others.join(" and ")}`);
  timeline.send("client-2", via, `get ${key}`);
  const read2 = readOf(kv.callAndWait("client-2", via, { kind: "get", bucket, key }));
  timeline.receive("client-2", via, `"${read2.values.join('", "')}"`);
  timeline.send("client-2", via, `put "${newHolderValue}"${tokenText(newHolderToken)}`);
  const leased = kv.callAndWait("client-2", via, {
    kind: "put",
    bucket,
    key,
    value: text.encode(newHolderValue),
    context: read2.context,
    ...fence(newHolderToken),
  });
  timeline.receive("client-2", via, leased.ok ? `acknowledged by ${others.join(" and ")}` : failureText(leased));

  // 4. The partition heals just before the zombie wakes, so that no repair reaches the cut-off replica first.
  sim.run({ forMs: wakeAtMs - sim.nowMs - 1 });
  sim.heal();
  timeline.fault("the partition heals");
  const fencedBefore = nodes.map((id) => kv.node(id).stats.writesFenced);
  sim.run({ forMs: pauseMs, until: () => zombieOutcome !== undefined });
  if (zombieOutcome === undefined) throw new Error("the zombie's write never finished");
  const refusedBy = nodes.filter((id, i) => kv.node(id).stats.writesFenced > (fencedBefore[i] ?? 0));
  const storedBy = nodes.filter((id) => storedValues(kv, id, bucket, key).includes(zombieValue));
  for (const id of refusedBy)
    timeline.decide(id, `refused the zombie's write (FENCED): it had seen token ${newHolderToken}`);
  for (const id of storedBy) {
    timeline.decide(
      id,
      `stored the zombie's write${fencing && id === cutOff ? `: it had never seen token ${newHolderToken}` : ""}`,
    );
  }
  timeline.receive("client-1", cutOff, zombieOutcome.ok ? "acknowledged" : failureText(zombieOutcome));

  // 5. Quorum reads through each node, then a read of all three, whose read repair brings every replica the winner.
  const quorumReads = nodes.map((id) => {
    const values = readValues(kv.callAndWait("reader", id, { kind: "get", bucket, key, r: 2 }));
    timeline.receive("reader", id, `quorum read (r = 2): "${values.join('", "')}"`);
    return values;
  });
  kv.callAndWait("reader", via, { kind: "get", bucket, key, r: 3 });
  sim.run({ forMs: repairMs });
  const storedAfterRepair = nodes.map((id) => storedValues(kv, id, bucket, key));
  timeline.note(
    "replicas",
    `after a full read and its read repair they hold: ${nodes.map((id, i) => `${id} "${storedAfterRepair[i]?.join('", "')}"`).join(", ")}`,
  );
  return { timeline, zombieOutcome, refusedBy, storedBy, quorumReads, storedAfterRepair, traceHash: sim.traceHash };
}

async function run(
  options: ScenarioOptions,
): Promise<ScenarioResult<FencingReplicasWithoutFacts, FencingReplicasWithFacts>> {
  const seed = checkSeed(options.seed);
  const without = play(seed, false);
  const fenced = play(seed, true);
  const onlyValue = (reads: readonly (readonly string[])[], value: string) =>
    reads.every((values) => values.length === 1 && values[0] === value);
  const zombie = fenced.zombieOutcome;
  const withoutRemedy: ScenarioRun<FencingReplicasWithoutFacts> = {
    label: "last-write-wins on wall-clock stamps, writes without tokens",
    timeline: without.timeline.entries(),
    verdict:
      `the zombie's write was ${without.zombieOutcome.ok ? "acknowledged" : failureText(without.zombieOutcome)} and, ` +
      "stamped later, won every merge: quorum reads return it, and client 2's acknowledged write is gone.",
    facts: {
      zombieWriteAcknowledged: without.zombieOutcome.ok,
      quorumReadsReturnZombie: onlyValue(without.quorumReads, zombieValue),
      newHolderWriteLost: without.storedAfterRepair.every((values) => !values.includes(newHolderValue)),
    },
    traceHash: without.traceHash,
  };
  const withRemedy: ScenarioRun<FencingReplicasWithFacts> = {
    label: "fencing tokens: the most significant part of the stamp, checked by every replica",
    timeline: fenced.timeline.entries(),
    verdict:
      `the zombie's write was refused by ${fenced.refusedBy.join(" and ")} and stored by ${fenced.storedBy.join(", ")} ` +
      `(${failureText(zombie)}); every quorum read returned client 2's write, and read repair removed the zombie's.`,
    facts: {
      zombieWriteAcknowledged: zombie.ok,
      zombieRefusedFenced: !zombie.ok && zombie.code === "FENCED",
      zombieFailureDefinite: !zombie.ok && zombie.definite,
      replicasThatRefused: fenced.refusedBy.length,
      replicasThatStoredZombie: fenced.storedBy.length,
      quorumReadsReturnNewHolder: onlyValue(fenced.quorumReads, newHolderValue),
      zombieGoneAfterReadRepair: fenced.storedAfterRepair.every((values) => !values.includes(zombieValue)),
    },
    traceHash: fenced.traceHash,
  };
  return {
    name: fencingSeveralReplicas.name,
    section: fencingSeveralReplicas.section,
    sectionTitle: fencingSeveralReplicas.sectionTitle,
    summary: fencingSeveralReplicas.summary,
    seed,
    withoutRemedy,
    withRemedy,
    lesson:
      "With several replicas a zombie's write can still land on one that never heard of the newer token; " +
      "that is harmless when the token is the most significant part of the timestamp, because any quorum " +
      "read meets a replica that did hear of it, and prefers the newer leaseholder's write.",
  };
}

export const fencingSeveralReplicas: Scenario<FencingReplicasWithoutFacts, FencingReplicasWithFacts> = {
  name: "fencing-several-replicas",
  section: "4.3",
  sectionTitle: "Fencing Tokens",
  summary: "a zombie writes via the replica that missed token 34: the others refuse it, quorum reads ignore it",
  run,
};
