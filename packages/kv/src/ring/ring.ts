/**
 * The consistent-hash ring with fixed partitions (virtual nodes), as Riak
 * builds it on Dynamo's (DeCandia et al. 2007, section 4.2, "strategy 3"):
 * the 32-bit hash space is cut into Q equal partitions, Q a power of two;
 * partition p holds the hashes [p * 2^32 / Q, (p + 1) * 2^32 / Q); each
 * partition is owned by one node. The preference list of a key is the first N
 * distinct nodes met walking the partitions clockwise from the key's; the
 * nodes after those are its fallbacks, where a sloppy quorum sends a write
 * whose primary is down (with a hint naming the primary).
 *
 * Fixed partitions, rather than tokens placed at random, make placement a
 * table lookup, keep ranges aligned for anti-entropy (one Merkle tree per
 * partition), and let membership change by moving whole partitions. Who owns
 * what, and how that changes, is claim.ts.
 *
 * A ring is an immutable value; `withNode` and `withoutNode` return the next
 * one. Every node must use the same ring: rebuild it from `owners` with
 * `new HashRing({ owners })` (Riak gossips its ring for this).
 */
import { assert, describeValue } from "@skew/env";
import { checkUint32 } from "../uint32.js";
import { claimForJoin, claimForLeave, roundRobinOwners } from "./claim.js";
import { claimSpacingPartitions, partitionsDefault, partitionsMax } from "./constants.js";
import { checkNodeId } from "./node-id.js";

export type HashRingOptions =
  /** A new ring: partitions dealt round robin over the nodes sorted by id. */
  | { readonly nodes: readonly string[]; readonly partitions?: number }
  /** A ring rebuilt from its table of owners (`ring.owners`), one per partition. */
  | { readonly owners: readonly string[] };

const hashSpace = 2 ** 32;

export class HashRing {
  /** Q, a power of two in [1, partitionsMax]. */
  readonly partitions: number;
  /** The members, sorted by id (UTF-16 code units, JavaScript's `<`). */
  readonly nodes: readonly string[];
  /** The owner of each partition. */
  readonly owners: readonly string[];
  /** `owners` as indexes into `nodes`, for the walk. */
  readonly #ownerIndexes: Uint16Array;
  /** Hashes per partition: 2^32 / Q. */
  readonly #width: number;
  /** Walks already made, by length then partition: lookups allocate nothing. */
  readonly #walks = new Map<number, (readonly string[] | undefined)[]>();

  constructor(options: HashRingOptions) {
    if (typeof options !== "object" || options === null) throw new TypeError("HashRing: options must be an object");
    let owners: string[];
    if ("owners" in options) {
      owners = checkOwners(options.owners);
    } else {
      const partitions = options.partitions ?? partitionsDefault;
      checkPartitions(partitions);
      const nodes = checkNodes(options.nodes);
      if (nodes.length > partitions) {
        throw new RangeError(`HashRing: ${nodes.length} nodes need at least as many partitions, got ${partitions}`);
      }
      owners = roundRobinOwners(nodes, partitions);
    }
    this.partitions = owners.length;
    this.owners = Object.freeze(owners);
    this.nodes = Object.freeze([...new Set(owners)].sort());
    this.#width = hashSpace / this.partitions;
    const indexOf = new Map(this.nodes.map((node, i) => [node, i]));
    this.#ownerIndexes = Uint16Array.from(owners, (owner) => indexOf.get(owner) as number);
  }

  /** The partition that holds `hash` (an unsigned 32-bit integer, such as `hashKey`'s). */
  partitionOf(hash: number): number {
    checkUint32("HashRing: hash", hash);
    return Math.floor(hash / this.#width);
  }

  /** The node that owns `partition`. */
  ownerOf(partition: number): string {
    this.#checkPartition(partition);
    return this.owners[partition] as string;
  }

  /** The first min(n, nodes) distinct nodes clockwise from the partition of `hash`: its replicas. */
  preferenceList(hash: number, n: number): readonly string[] {
    const partition = this.partitionOf(hash);
    checkCount(n, 1, "n");
    return this.#walk(partition, n);
  }

  /** `preferenceList` for every key of `partition`. */
  preferenceListOfPartition(partition: number, n: number): readonly string[] {
    this.#checkPartition(partition);
    checkCount(n, 1, "n");
    return this.#walk(partition, n);
  }

  /**
   * The `count` distinct nodes that follow the preference list of `hash`, in
   * order: where a sloppy quorum writes in place of unreachable primaries.
   * Fewer when the ring has fewer than n + count nodes; never one of the n.
   */
  fallbacks(hash: number, n: number, count: number): readonly string[] {
    const partition = this.partitionOf(hash);
    checkCount(n, 1, "n");
    checkCount(count, 0, "count");
    const nodes = this.nodes.length;
    if (n >= nodes || count === 0) return [];
    return this.#walk(partition, Math.min(n + count, nodes)).slice(n);
  }

  /** The partitions whose preference list of length n contains `node`, ascending; none for a non-member. */
  partitionsOwnedBy(node: string, n: number): readonly number[] {
    checkNodeId(node, "HashRing: node");
    checkCount(n, 1, "n");
    const owned: number[] = [];
    if (!this.nodes.includes(node)) return owned;
    for (let p = 0; p < this.partitions; p++) if (this.#walk(p, n).includes(node)) owned.push(p);
    return owned;
  }

  /** The ring after `node` joins: it takes floor(Q / (k + 1)) partitions; no other partition moves. */
  withNode(node: string): HashRing {
    checkNodeId(node, "HashRing: node");
    if (this.nodes.includes(node)) throw new TypeError(`HashRing: ${JSON.stringify(node)} is already a member`);
    if (this.nodes.length + 1 > this.partitions) {
      throw new RangeError(`HashRing: ${this.nodes.length + 1} nodes need more than ${this.partitions} partitions`);
    }
    return new HashRing({ owners: claimForJoin(this.owners, node, claimSpacingPartitions) });
  }

  /** The ring after `node` leaves: its partitions go to the least loaded nodes; no other partition moves. */
  withoutNode(node: string): HashRing {
    checkNodeId(node, "HashRing: node");
    if (!this.nodes.includes(node)) throw new TypeError(`HashRing: ${JSON.stringify(node)} is not a member`);
    if (this.nodes.length === 1) throw new RangeError("HashRing: the last node cannot leave");
    return new HashRing({ owners: claimForLeave(this.owners, node, claimSpacingPartitions) });
  }

  #checkPartition(partition: number): void {
    if (!Number.isInteger(partition) || partition < 0 || partition >= this.partitions) {
      throw new RangeError(
        `HashRing: partition must be an integer in [0, ${this.partitions}), got ${describeValue(partition)}`,
      );
    }
  }

  /** The first min(length, nodes) distinct owners from `partition` clockwise, made once and kept. */
  #walk(partition: number, length: number): readonly string[] {
    const nodeCount = this.nodes.length;
    const wanted = Math.min(length, nodeCount);
    let walks = this.#walks.get(wanted);
    if (walks === undefined) {
      walks = new Array<readonly string[] | undefined>(this.partitions);
      this.#walks.set(wanted, walks);
    }
    const known = walks[partition];
    if (known !== undefined) return known;
    const seen = new Uint8Array(nodeCount);
    const list: string[] = [];
    // Every node owns a partition, so the walk finds `wanted` nodes within one turn.
    for (let step = 0; list.length < wanted; step++) {
      assert(step < this.partitions, "every node owns at least one partition");
      const index = this.#ownerIndexes[(partition + step) % this.partitions] as number;
      if (seen[index] === 0) {
        seen[index] = 1;
        list.push(this.nodes[index] as string);
      }
    }
    const walk = Object.freeze(list);
    walks[partition] = walk;
    return walk;
  }
}

function checkPartitions(partitions: unknown): asserts partitions is number {
  if (
    typeof partitions !== "number" ||
    !Number.isInteger(partitions) ||
    partitions < 1 ||
    partitions > partitionsMax ||
    (partitions & (partitions - 1)) !== 0
  ) {
    throw new RangeError(
      `HashRing: partitions must be a power of two in [1, ${partitionsMax}], got ${describeValue(partitions)}`,
    );
  }
}

function checkNodes(nodes: unknown): string[] {
  if (!Array.isArray(nodes)) throw new TypeError("HashRing: nodes must be an array of node ids");
  if (nodes.length === 0) throw new TypeError("HashRing: nodes must not be empty");
  const unique = new Set<string>();
  for (const node of nodes) {
    checkNodeId(node, "HashRing: a node id");
    if (unique.has(node)) throw new TypeError(`HashRing: node ${JSON.stringify(node)} is listed twice`);
    unique.add(node);
  }
  return [...unique].sort();
}

function checkOwners(owners: unknown): string[] {
  if (!Array.isArray(owners)) throw new TypeError("HashRing: owners must be an array of node ids");
  checkPartitions(owners.length);
  for (const owner of owners) checkNodeId(owner, "HashRing: an owner");
  return owners.slice() as string[];
}

function checkCount(value: number, min: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`HashRing: ${name} must be an integer >= ${min}, got ${describeValue(value)}`);
  }
}
