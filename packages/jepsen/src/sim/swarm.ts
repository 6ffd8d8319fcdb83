/**
 * The swarm (VOPR's swarm testing on @skew/sim): the Jepsen set workload on
 * five nodes under a random mix of every fault the simulator has, beside a
 * client that writes and deletes a dozen other keys, in VOPR's two phases
 * (safety, then liveness after the heal). `swarmSetRun` runs one seed and
 * `swarmViolations` says what it broke of the rules; the swarm test
 * (test/sim/swarm.test.ts) and `npm run swarm` (scripts/swarm.ts) run them
 * over many seeds.
 */
import { type ConflictMode, siblingsMax } from "@skew/kv";
import { type FaultInjector, Nemesis, runPhases } from "@skew/sim";
import { maxSiblings, merkleDisagreements, replicaDisagreements, siblingViolations } from "../checkers/replicas.js";
import { checkSet, type SetReport } from "../checkers/set.js";
import { DeleteWorkload } from "../workloads/deletes.js";
import { SetWorkload } from "../workloads/set.js";
import { KvCluster } from "./cluster.js";
import { deletedKeysReadBack, finalSetRead } from "./final-read.js";

export interface SwarmSetOptions {
  readonly mode?: ConflictMode;
  /** How long a tombstone stays before removal rounds may remove it (default `swarmTombstoneRemovalDelayMsDefault`). */
  readonly tombstoneRemovalDelayMs?: number;
  /** The faulty phase, in true ms. */
  readonly safetyMs?: number;
  /** The deadline for convergence after every fault heals, in true ms. */
  readonly livenessMs?: number;
}

export interface SwarmDeletes {
  /** Keys written then deleted, and those whose delete was acknowledged (the rest were given up on). */
  readonly attempted: number;
  readonly acknowledged: number;
  /** Values of acknowledged-deleted keys read back through some node, or held by one, after the heal. */
  readonly resurrected: readonly string[];
  /** Tombstones the nodes' current processes removed (a restart starts the count again). */
  readonly tombstonesRemoved: number;
}

export interface SwarmSetRun {
  readonly cluster: KvCluster;
  readonly mode: ConflictMode;
  readonly report: SetReport;
  readonly deletes: SwarmDeletes;
  /** The nemesis plan and every fault it injected. */
  readonly nemesis: string;
  readonly faults: readonly string[];
  /** The most siblings any replica held at any moment. */
  readonly maxSiblingsSeen: number;
  readonly convergedAfterMs: number;
}

const swarmNodes = ["n1", "n2", "n3", "n4", "n5"];
const swarmRequestTimeoutMs = 250;
const swarmClients = ["c1", "c2", "c3", "c4", "c5"];
/** Keys the swarm writes and deletes beside the set, one after another from the start of the faulty phase. */
const swarmDeletedKeys = Array.from({ length: 12 }, (_, i) => `deleted-${i}`);
/**
 * Tombstones are removed within a run: 300 ms, so that removal rounds run during the faults (and lose their
 * messages) as well as after the heal. With it on the swarm once found runs that never converged (seed 78 at
 * 300 ms; seeds 36 and, LWW, 1000 at 5 s): a remove message lost, the replica that missed it kept the
 * tombstone, and only an exchange started by a ghost holder would tell it, while exchanges lost a step to the
 * lossy network and were abandoned (tombstones.ts, rule 6; anti-entropy.ts, "Loss").
 */
export const swarmTombstoneRemovalDelayMsDefault = 300;
/**
 * Each exchange compares one partition with one peer, so at the default 1 s a replica that missed a write to
 * a key nobody reads again (a deleted key, a remove message lost) could wait longer than the liveness phase.
 */
const swarmAntiEntropyIntervalMs = 50;
/** The slowest of 100 seeds converged 14.5 s after the heal (59 s before a lost step was asked again). */
const swarmLivenessMs = 90_000;

/**
 * The set workload under `Nemesis.swarm` (every fault kind the simulator
 * has but bit rot: partitions, loss, duplication, reordering, clogs, pauses,
 * limps, crashes losing unsynced writes, clock steps, strobes, slews, drift,
 * leap seconds), in VOPR's two phases. Beside it a client writes and
 * deletes a dozen other keys (DeleteWorkload), the first before the faults
 * get going, the rest during them; anti-entropy every 50 ms (a deleted key
 * is never read again), tombstones removed 300 ms after the delete at the
 * earliest (`swarmTombstoneRemovalDelayMsDefault`).
 *
 * Safety, after every event: no replica holds more siblings than the store
 * allows. Liveness: once the faults heal, the clocks are brought back to
 * true time (NTP after the storm: a clock left 10 s ahead would have every
 * peer refuse its HLC timestamps forever), a reader reads with r = all every
 * 100 ms (read repair; anti-entropy runs too), and the run must converge:
 * every client idle, every key's primaries holding equal records, every
 * partition's replicas holding equal Merkle roots. Then a final read of the
 * set, judged by Jepsen's set checker, and a read of every deleted key
 * through every node with r = n, and a look at every node's record of it.
 * `swarmViolations` says which of these results break the rules.
 */
export function swarmSetRun(seed: number, options: SwarmSetOptions = {}): SwarmSetRun {
  const mode = options.mode ?? "causal";
  const bucket = "set";
  const key = "swarm";
  const cluster = new KvCluster({
    seed,
    nodes: swarmNodes,
    clients: [...swarmClients, "deleter", "reader"],
    buckets: { [bucket]: mode },
    repair: {
      antiEntropyIntervalMs: swarmAntiEntropyIntervalMs,
      tombstoneRemovalDelayMs: options.tombstoneRemovalDelayMs ?? swarmTombstoneRemovalDelayMsDefault,
    },
  });
  const { sim } = cluster;
  const nemesis = Nemesis.swarm(sim);
  const quorum = { timeoutMs: swarmRequestTimeoutMs };
  const workload = new SetWorkload({
    driver: cluster,
    bucket,
    key,
    clients: swarmClients.map((client, i) => ({ client, node: swarmNodes[i] as string })),
    thinkMsMax: 20,
    random: sim.random.fork(),
    // Short timeouts: the network drops messages and nothing retransmits, so a client waits out each loss.
    quorum,
    clientTimeoutMs: 2 * swarmRequestTimeoutMs,
  });
  const deletes = new DeleteWorkload({
    driver: cluster,
    bucket,
    keys: swarmDeletedKeys,
    client: "deleter",
    nodes: swarmNodes,
    thinkMsMax: 200,
    random: sim.random.fork(),
    quorum,
    clientTimeoutMs: 2 * swarmRequestTimeoutMs,
  });

  let healed = false;
  let readAfterHeal = false;
  const correctClocks = (): void => {
    for (const id of sim.nodeIds) {
      const clock = sim.clock(id);
      if (clock.driftPpm !== 0) clock.drift(0);
      if (clock.offsetMs !== 0) clock.skew(0);
    }
    if (healed) sim.after(250, correctClocks);
  };
  let readerNode = 0;
  const readRepair = (): void => {
    const node = swarmNodes[readerNode++ % swarmNodes.length] as string;
    cluster.client("reader").call(node, { kind: "get", bucket, key, r: 3 }, (outcome) => {
      if (outcome.ok) readAfterHeal = true;
      if (healed) sim.after(100, readRepair);
    });
  };
  const injector: FaultInjector = {
    start: () => nemesis.start(),
    stop: () => {
      nemesis.stop();
      workload.stop();
      deletes.stop();
      healed = true;
      sim.after(0, correctClocks); // after runPhases' healAll
      // 1 ms on: healAll restarts a crashed reader by a start event at this instant, after this one.
      sim.after(1, readRepair);
    },
    describe: () => nemesis.describe(),
  };

  let maxSiblingsSeen = 0;
  workload.start();
  deletes.start();
  const phases = runPhases(sim, {
    safetyMs: options.safetyMs ?? 4_000,
    livenessMs: options.livenessMs ?? swarmLivenessMs,
    nemesis: injector,
    invariant: () => {
      maxSiblingsSeen = Math.max(maxSiblingsSeen, maxSiblings(cluster, swarmNodes));
      return siblingViolations(cluster, swarmNodes, siblingsMax)[0];
    },
    converged: () =>
      readAfterHeal &&
      workload.idle &&
      deletes.idle &&
      replicaDisagreements(cluster, swarmNodes).length === 0 &&
      merkleDisagreements(cluster, swarmNodes).length === 0,
  });
  healed = false;
  const finalSet = finalSetRead(cluster, "reader", "n1", bucket, key);
  const resurrected = deletedKeysReadBack(cluster, "reader", swarmNodes, bucket, deletes.deleted);
  sim.history.closePending();
  return {
    cluster,
    mode,
    report: checkSet(sim.history.ops, finalSet),
    deletes: {
      attempted: deletes.deleted.length + deletes.abandoned.length,
      acknowledged: deletes.deleted.length,
      resurrected,
      tombstonesRemoved: swarmNodes.reduce(
        (sum, id) => sum + cluster.node(id).repairView().tombstones.tombstonesRemoved,
        0,
      ),
    },
    nemesis: nemesis.describe(),
    faults: nemesis.log,
    maxSiblingsSeen,
    convergedAfterMs: phases.convergedAfterMs,
  };
}

/**
 * What a swarm run broke of the rules, one line each (empty: none).
 * Every mode: no add that failed definitely shows up, nothing nobody added
 * shows up, and the replicas converged (`swarmSetRun` throws otherwise).
 * Causal mode also: no acknowledged add is lost, no replica ever held more
 * than `siblingsMax` siblings, and no key whose delete was acknowledged
 * reads back a value. A last-write-wins mode holds one value per key; it
 * may lose an acknowledged add or let an acknowledged delete lose to an
 * older write with a later timestamp (clock skew), by design.
 */
export function swarmViolations(run: SwarmSetRun): string[] {
  const { report, deletes } = run;
  const found: string[] = [];
  if (report.definiteAppeared.length > 0) {
    found.push(`adds that failed definitely, found in the final read: ${report.definiteAppeared.join(", ")}`);
  }
  if (report.unexpected.length > 0) found.push(`elements nobody added: ${report.unexpected.join(", ")}`);
  if (run.mode === "causal") {
    if (report.lost.length > 0) found.push(`acknowledged adds lost: ${report.lost.join(", ")}`);
    if (run.maxSiblingsSeen > siblingsMax) found.push(`${run.maxSiblingsSeen} siblings held (limit ${siblingsMax})`);
    for (const line of deletes.resurrected) found.push(`deleted value came back: ${line}`);
  } else if (run.maxSiblingsSeen !== 1) {
    found.push(`${run.maxSiblingsSeen} siblings held in a last-write-wins bucket`);
  }
  return found;
}
