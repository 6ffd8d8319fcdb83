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
import { type ClientRequest, type ConflictMode, type QuorumOptions, siblingsMax } from "@skew/kv";
import { type FaultInjector, Nemesis, runPhases } from "@skew/sim";
import {
  checkSet,
  maxSiblings,
  merkleDisagreements,
  replicaDisagreements,
  type SetReport,
  siblingViolations,
} from "./checkers.js";
import { type KvClient, KvCluster, type Outcome } from "./cluster.js";

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

/** A short label for a failure, for the history. */
function codeOf(outcome: Outcome): string {
  return outcome.ok ? "ok" : outcome.code;
}

export interface SwarmSetOptions {
  readonly mode?: ConflictMode;
  /** The faulty phase, in true ms. */
  readonly safetyMs?: number;
  /** The deadline for convergence after every fault heals, in true ms. */
  readonly livenessMs?: number;
}

export interface SwarmSetRun {
  readonly cluster: KvCluster;
  readonly report: SetReport;
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

/**
 * The set workload under `Nemesis.swarm` (every fault kind the simulator
 * has but bit rot: partitions, loss, duplication, reordering, clogs, pauses,
 * limps, crashes losing unsynced writes, clock steps, strobes, slews, drift,
 * leap seconds), in VOPR's two phases.
 *
 * Safety, after every event: no replica holds more siblings than the store
 * allows. Liveness: once the faults heal, the clocks are brought back to
 * true time (NTP after the storm: a clock left 10 s ahead would have every
 * peer refuse its HLC timestamps forever), a reader reads with r = all every
 * 100 ms (read repair; anti-entropy runs too), and the run must converge:
 * every client idle, every key's primaries holding equal records, every
 * partition's replicas holding equal Merkle roots. Then a final read,
 * judged by Jepsen's set checker.
 */
export function swarmSetRun(seed: number, options: SwarmSetOptions = {}): SwarmSetRun {
  const mode = options.mode ?? "causal";
  const bucket = "set";
  const key = "swarm";
  const cluster = new KvCluster({
    seed,
    nodes: swarmNodes,
    clients: [...swarmClients, "reader"],
    buckets: { [bucket]: mode },
  });
  const { sim } = cluster;
  const nemesis = Nemesis.swarm(sim);
  const workload = new SetWorkload({
    cluster,
    bucket,
    key,
    clients: swarmClients.map((client, i) => ({ client, node: swarmNodes[i] as string })),
    thinkMsMax: 20,
    random: sim.random.fork(),
    // Short timeouts: the network drops messages and nothing retransmits, so a client waits out each loss.
    quorum: { timeoutMs: swarmRequestTimeoutMs },
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
      healed = true;
      sim.after(0, correctClocks); // after runPhases' healAll
      // 1 ms on: healAll restarts a crashed reader by a start event at this instant, after this one.
      sim.after(1, readRepair);
    },
    describe: () => nemesis.describe(),
  };

  let maxSiblingsSeen = 0;
  workload.start();
  const phases = runPhases(sim, {
    safetyMs: options.safetyMs ?? 4_000,
    livenessMs: options.livenessMs ?? 30_000,
    nemesis: injector,
    invariant: () => {
      maxSiblingsSeen = Math.max(maxSiblingsSeen, maxSiblings(cluster, swarmNodes));
      return siblingViolations(cluster, swarmNodes, siblingsMax)[0];
    },
    converged: () =>
      readAfterHeal &&
      workload.idle &&
      replicaDisagreements(cluster, swarmNodes).length === 0 &&
      merkleDisagreements(cluster, swarmNodes).length === 0,
  });
  healed = false;
  const finalSet = finalSetRead(cluster, "reader", "n1", bucket, key);
  sim.history.closePending();
  return {
    cluster,
    report: checkSet(sim.history.ops, finalSet),
    nemesis: nemesis.describe(),
    faults: nemesis.log,
    maxSiblingsSeen,
    convergedAfterMs: phases.convergedAfterMs,
  };
}
