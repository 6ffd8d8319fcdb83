/**
 * Client workloads for the simulation proofs, each recording a Jepsen
 * history (`invoke` then `ok` / `fail` / `info`) in the simulation's
 * `History`, so the checkers judge outcomes the way Jepsen's do.
 *
 * The set workload is Jepsen's on Riak (Kingsbury, "Call me maybe: Riak",
 * 2013): clients add distinct integers to one set stored under one key by
 * read-modify-write. A client reads the key, takes the union of what it
 * read (one value in a last-write-wins bucket; every sibling in a causal
 * one, Riak's `allow_mult` with a set-union merge), adds its element and
 * writes the set back with the read's context. An `add` is acknowledged
 * when that write is; a failed read fails the add definitely (nothing was
 * written); a failed write is definite or not as the store labels it.
 *
 * A process whose operation ended `info` never invokes again (the old
 * operation may still be in flight), so a client continues under a new
 * process id, `c1`, `c1'`, `c1''`..., as Jepsen's workers do.
 */
import type { Random } from "@skew/env";
import {
  type ClientRequest,
  type ConflictMode,
  liveValues,
  type QuorumOptions,
  replicasDefault,
  siblingsMax,
} from "@skew/kv";
import { type FaultInjector, Nemesis, runPhases } from "@skew/sim";
import {
  checkSet,
  maxSiblings,
  merkleDisagreements,
  replicaDisagreements,
  type SetReport,
  siblingViolations,
} from "./checkers.js";
import { type KvClient, KvCluster, type Outcome, text } from "./cluster.js";

/** A set of integers as bytes: a sorted JSON array, so equal sets are equal bytes. */
export const setCodec = {
  encode(set: ReadonlySet<number>): Uint8Array {
    return new TextEncoder().encode(JSON.stringify([...set].sort((a, b) => a - b)));
  },
  decode(bytes: Uint8Array): number[] {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (!Array.isArray(parsed) || !parsed.every((n) => Number.isSafeInteger(n))) {
      throw new Error(`not a set of integers: ${new TextDecoder().decode(bytes)}`);
    }
    return parsed as number[];
  },
  /** The union of every sibling a read returned (a last-write-wins read returns at most one). */
  union(values: readonly Uint8Array[]): Set<number> {
    const set = new Set<number>();
    for (const value of values) for (const n of setCodec.decode(value)) set.add(n);
    return set;
  },
};

export interface SetWorkloadOptions {
  readonly cluster: KvCluster;
  readonly bucket: string;
  readonly key: string;
  /** Each client and the node it sends its requests to (Jepsen's Riak test: one client per node). */
  readonly clients: readonly { readonly client: string; readonly node: string }[];
  /** Think time between a client's operations, drawn uniformly in [0, thinkMsMax]. */
  readonly thinkMsMax: number;
  /** Where think times are drawn from (fork it from the simulation's stream). */
  readonly random: Random;
  /** Quorum options for every get and put (default: the store's 3/2/2 and its timeout). */
  readonly quorum?: QuorumOptions;
  /** How long a client waits for any reply before it records the outcome as unknown (default 5000 ms). */
  readonly clientTimeoutMs?: number;
}

/** Clients adding distinct integers to one set by read-modify-write, until stopped. */
export class SetWorkload {
  readonly #options: SetWorkloadOptions;
  /** Operations in flight, with the client process (object) that sent them: a crash abandons them. */
  readonly #inFlight = new Map<string, { readonly client: string; readonly sender: KvClient }>();
  #next = 0;
  #running = false;

  constructor(options: SetWorkloadOptions) {
    this.#options = options;
  }

  start(): void {
    this.#running = true;
    for (const { client, node } of this.#options.clients) this.#loop(client, client, node);
  }

  /** Stops invoking new operations; those in flight finish. */
  stop(): void {
    this.#running = false;
  }

  /**
   * No operation in flight, apart from those of client processes that
   * crashed since (their callbacks died with them: the operations stay
   * pending in the history, which ends them `info`).
   */
  get idle(): boolean {
    for (const { client, sender } of this.#inFlight.values()) {
      if (this.#options.cluster.client(client) === sender) return false;
    }
    return true;
  }

  /** How many elements were attempted. */
  get attempted(): number {
    return this.#next;
  }

  #loop(client: string, process: string, node: string): void {
    const { cluster, random, thinkMsMax } = this.#options;
    cluster.client(client).after(random.float() * thinkMsMax, () => {
      if (!this.#running) return;
      this.#add(client, process, node, (next) => this.#loop(client, next, node));
    });
  }

  #add(client: string, process: string, node: string, then: (process: string) => void): void {
    const { cluster, bucket, key, quorum, clientTimeoutMs } = this.#options;
    const history = cluster.sim.history;
    const element = ++this.#next;
    const kv = cluster.client(client);
    history.invoke(process, "add", element);
    this.#inFlight.set(process, { client, sender: kv });
    const finish = (type: "ok" | "fail" | "info", detail?: unknown): void => {
      this.#inFlight.delete(process);
      if (type === "ok") history.ok(process, element);
      else if (type === "fail") history.fail(process, detail);
      else history.info(process, detail);
      then(type === "info" ? `${process}'` : process);
    };
    kv.call(
      node,
      { kind: "get", bucket, key, ...quorum },
      (read) => {
        if (!read.ok || read.kind !== "get") return finish("fail", codeOf(read));
        const set = setCodec.union(read.values);
        set.add(element);
        const put: ClientRequest = {
          kind: "put",
          bucket,
          key,
          value: setCodec.encode(set),
          context: read.context,
          ...quorum,
        };
        kv.call(
          node,
          put,
          (written) => {
            if (written.ok) finish("ok");
            else finish(written.definite ? "fail" : "info", codeOf(written));
          },
          clientTimeoutMs,
        );
      },
      clientTimeoutMs,
    );
  }
}

/**
 * Reads the set with r = n (every replica answers, and read repair brings
 * the stale ones up to the join) until `rounds` reads have succeeded, and
 * returns the last one's union. The first read repairs; the later ones see
 * the repair. A failed read (a lossy link can still drop a reply) is
 * retried: a read writes nothing.
 */
export function finalSetRead(
  cluster: KvCluster,
  reader: string,
  node: string,
  bucket: string,
  key: string,
  rounds = 2,
): Set<number> {
  let set: Set<number> | undefined;
  let failures = 0;
  for (let round = 0; round < rounds; ) {
    const read = cluster.callAndWait(reader, node, { kind: "get", bucket, key, r: 3 });
    if (read.ok && read.kind === "get") {
      set = setCodec.union(read.values);
      round++;
    } else if (++failures > finalReadAttemptsMax) {
      throw new Error(`final read failed ${failures} times, last: ${JSON.stringify(read)}`);
    }
    cluster.sim.run({ forMs: 50 }); // read repair lands
  }
  return set as Set<number>;
}

const finalReadAttemptsMax = 20;

export interface DeleteWorkloadOptions {
  readonly cluster: KvCluster;
  readonly bucket: string;
  /** The keys, written and deleted one after another (none of them is ever written again). */
  readonly keys: readonly string[];
  readonly client: string;
  /** The nodes the client sends to, in turn, one per key. */
  readonly nodes: readonly string[];
  /** Pause before each key, drawn uniformly in [0, thinkMsMax]. */
  readonly thinkMsMax: number;
  readonly random: Random;
  readonly quorum?: QuorumOptions;
  readonly clientTimeoutMs?: number;
}

/**
 * One client that, key after key, puts a value, reads it back and deletes
 * it with the read's context. A delete counts as acknowledged only when the
 * put was acknowledged, the read returned the value (so the delete's context
 * covers its version: in causal mode a delete supersedes only what its
 * context has seen) and the delete was acknowledged. Such a key must never
 * read back a value again: nothing else ever writes it.
 */
export class DeleteWorkload {
  /** Keys whose delete was acknowledged (see the class comment). */
  readonly deleted: string[] = [];
  /** Keys given up on: the put or the delete failed or went unanswered, or the read missed the value. */
  readonly abandoned: string[] = [];
  readonly #options: DeleteWorkloadOptions;
  /** The client process that has a request in flight (a crash abandons it). */
  #sender: KvClient | undefined;
  #next = 0;
  #running = false;

  constructor(options: DeleteWorkloadOptions) {
    this.#options = options;
  }

  start(): void {
    this.#running = true;
    this.#loop();
  }

  stop(): void {
    this.#running = false;
  }

  get idle(): boolean {
    return this.#sender === undefined || this.#options.cluster.client(this.#options.client) !== this.#sender;
  }

  #loop(): void {
    const { cluster, client, keys, random, thinkMsMax } = this.#options;
    if (this.#next >= keys.length) return;
    cluster.client(client).after(random.float() * thinkMsMax, () => {
      if (!this.#running) return;
      const index = this.#next++;
      this.#putThenDelete(keys[index] as string, index, () => this.#loop());
    });
  }

  #putThenDelete(key: string, index: number, then: () => void): void {
    const { cluster, bucket, client, nodes, quorum, clientTimeoutMs } = this.#options;
    const kv = cluster.client(client);
    const node = nodes[index % nodes.length] as string;
    const value = `deleted ${key}`;
    const done = (deleted: boolean): void => {
      this.#sender = undefined;
      (deleted ? this.deleted : this.abandoned).push(key);
      then();
    };
    this.#sender = kv;
    const put: ClientRequest = { kind: "put", bucket, key, value: new TextEncoder().encode(value), ...quorum };
    kv.call(
      node,
      put,
      (written) => {
        if (!written.ok) return done(false);
        kv.call(
          node,
          { kind: "get", bucket, key, ...quorum },
          (read) => {
            if (!read.ok || read.kind !== "get") return done(false);
            if (!read.values.some((v) => new TextDecoder().decode(v) === value)) return done(false);
            kv.call(
              node,
              { kind: "delete", bucket, key, context: read.context, ...quorum },
              (removed) => done(removed.ok),
              clientTimeoutMs,
            );
          },
          clientTimeoutMs,
        );
      },
      clientTimeoutMs,
    );
  }
}

/**
 * Reads each key through every node in turn with r = n (retrying a failed
 * read: a read writes nothing) and looks at every node's own record of it;
 * returns each value found, live, for a key in `keys`.
 */
export function deletedKeysReadBack(
  cluster: KvCluster,
  reader: string,
  nodes: readonly string[],
  bucket: string,
  keys: readonly string[],
): string[] {
  const found: string[] = [];
  for (const key of keys) {
    for (const node of nodes) {
      for (let failures = 0; ; ) {
        const read = cluster.callAndWait(reader, node, { kind: "get", bucket, key, r: replicasDefault });
        if (read.ok && read.kind === "get") {
          for (const value of read.values) found.push(`${bucket}/${key} read through ${node}: ${text.decode(value)}`);
          break;
        }
        if (++failures > finalReadAttemptsMax) {
          throw new Error(`read of ${key} through ${node} failed ${failures} times, last: ${JSON.stringify(read)}`);
        }
        cluster.sim.run({ forMs: 50 });
      }
      const record = cluster.node(node).localRecord(bucket, key);
      for (const value of record === undefined ? [] : liveValues(record))
        found.push(`${bucket}/${key} held by ${node}: ${text.decode(value)}`);
    }
  }
  return found;
}

/** A short label for a failure, for the history. */
function codeOf(outcome: Outcome): string {
  return outcome.ok ? "ok" : outcome.code;
}

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
    cluster,
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
    cluster,
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
