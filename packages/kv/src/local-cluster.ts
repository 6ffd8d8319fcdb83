/**
 * The smallest driver of KvNode there is: every node in one process, every
 * write batch durable the instant it is handed out, every message delivered
 * at once and in order, timers fired when `nowMs` passes them. No network,
 * no disk, no event loop: what a request costs here is the store's own work,
 * and what it answers is what the protocol decides when nothing goes wrong.
 *
 * It is for examples, benchmarks and first experiments. Faults (loss,
 * delay, partitions, skewed clocks, pauses, crashes) are `@skew/sim`'s job,
 * and a real node is `@skew/node`'s; both drive the same `KvNode`.
 *
 * Time comes from the caller: `now()` is read for every input, and must
 * never go back, as a monotonic clock's reading never does.
 */
import type { RequestId } from "./coordinator/reply-to.js";
import type { PeerMessage } from "./messages.js";
import type { ConflictMode } from "./modes.js";
import type { NodeClocks } from "./node/clocks.js";
import { KvNode, type KvNodeOptions } from "./node/kv-node.js";
import type { ClientReply } from "./requests.js";

export interface LocalClusterOptions {
  /** The members, e.g. `["n1", "n2", "n3"]`. */
  readonly nodes: readonly string[];
  readonly buckets: Readonly<Record<string, ConflictMode>>;
  /** Each node's clocks (each node its own, as each machine has its own). */
  readonly clocks: (node: string) => NodeClocks;
  /** Each node's monotonic time in ms; one reading for all is fine. */
  readonly now: () => number;
  /** Anything else a node takes (partitions, intervals), the same for every node. */
  readonly nodeOptions?: Omit<KvNodeOptions, "id" | "nodes" | "buckets" | "clocks" | "stored">;
}

interface InFlight {
  readonly from: string;
  readonly to: string;
  readonly message: PeerMessage;
}

export class LocalCluster {
  readonly nodes: ReadonlyMap<string, KvNode>;
  readonly #now: () => number;
  readonly #queue: InFlight[] = [];
  #queueHead = 0;
  readonly #replies = new Map<RequestId, ClientReply>();
  #requests = 0;

  constructor(options: LocalClusterOptions) {
    if (typeof options !== "object" || options === null) throw new TypeError("LocalCluster: options are required");
    if (typeof options.clocks !== "function" || typeof options.now !== "function") {
      throw new TypeError("LocalCluster: clocks and now must be functions");
    }
    this.#now = options.now;
    const nodes = new Map<string, KvNode>();
    for (const id of options.nodes) {
      nodes.set(
        id,
        new KvNode({
          ...options.nodeOptions,
          id,
          nodes: options.nodes,
          buckets: options.buckets,
          clocks: options.clocks(id),
        }),
      );
    }
    this.nodes = nodes;
    this.run();
  }

  /** The node named `id`. */
  node(id: string): KvNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new RangeError(`LocalCluster: no node ${JSON.stringify(id)}`);
    return node;
  }

  /**
   * Hands `request` to `coordinator` as a client would, runs the cluster
   * until nothing moves, and returns the reply; undefined when the request
   * still waits on time (a TrueTime commit wait, a quorum that cannot answer
   * before its deadline). Then move the time forward, `run()`, and collect
   * the reply with `reply(requestId)`, the id `send` returns.
   */
  request(coordinator: string, request: unknown): ClientReply | undefined {
    return this.reply(this.send(coordinator, request));
  }

  /** Hands `request` to `coordinator`, runs the cluster until nothing moves, and returns the request's id. */
  send(coordinator: string, request: unknown): RequestId {
    const requestId = ++this.#requests;
    this.node(coordinator).handleClientRequest(requestId, request, this.#now());
    this.run();
    return requestId;
  }

  /** The reply to `requestId` once it has come (handed out once), else undefined. */
  reply(requestId: RequestId): ClientReply | undefined {
    const reply = this.#replies.get(requestId);
    this.#replies.delete(requestId);
    return reply;
  }

  /** Delivers every message and durability notice, and fires every due timer, until nothing moves. */
  run(): void {
    let moved = true;
    while (moved) {
      moved = false;
      const now = this.#now();
      for (const [id, node] of this.nodes) {
        for (let batches = node.pollWrites(); batches.length > 0; batches = node.pollWrites()) {
          for (const batch of batches) node.handleDurable(batch.batchId, now);
          moved = true;
        }
        for (const { to, message } of node.pollMessages()) this.#queue.push({ from: id, to, message });
        for (const { requestId, reply } of node.pollReplies()) this.#replies.set(requestId, reply);
      }
      while (this.#queueHead < this.#queue.length) {
        const { from, to, message } = this.#queue[this.#queueHead++] as InFlight;
        this.node(to).handlePeerMessage(from, message, now);
        moved = true;
      }
      this.#queue.length = 0;
      this.#queueHead = 0;
      for (const node of this.nodes.values()) {
        const wake = node.nextWakeMs();
        if (wake !== undefined && wake <= now) {
          node.tick(now);
          moved = true;
        }
      }
    }
  }
}
