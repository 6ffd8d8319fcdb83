/**
 * Recovery of a replica that may have forgotten writes it acknowledged.
 *
 * Strict quorums (PR + PW > N, counting primaries only) promise that a read
 * meets every acknowledged write: some primary in the read quorum is in the
 * write quorum and holds the write. The promise rests on the replicas that
 * acknowledged keeping what they acknowledged. Two starts break that:
 * - a start after an unclean stop under relaxed durability: the store
 *   reported batches durable once the operating system had them, and a
 *   crash of the machine may have taken the last ones back;
 * - a start that found a stored record corrupt: the record is dropped (its
 *   partition alone recovers).
 *
 * The fault suite found it (test/faults, seed 962228511: a counter's
 * primaries n3, n4, n5; n4 isolated; increments acknowledged by n3 and n5;
 * n3 power-cut, losing them; then a strict read from n3 and n4, neither
 * holding them, missed the client's own increments, and its next write
 * counted them once).
 *
 * So such a node starts recovering, as a Viewstamped Replication replica
 * does after losing its state: for each partition it replicates, its reads'
 * copies count as a fallback's, never as a primary's, until it has taken
 * the partition back from every other primary of it. The writes it forgot
 * were acknowledged by at least one of them, so once it holds the join of
 * their copies it holds them too. Taking back is an anti-entropy exchange
 * (anti-entropy.ts) that leaves nothing of the peer's out: the trees found
 * equal, or every differing key pulled, with no step's bound cutting the
 * walk short and every pulled record received. A recovering node runs its
 * exchanges back to back, the pairs it still needs first.
 *
 * Meanwhile it stores and acknowledges writes as any replica does, and read
 * repair sends it what a read found missing. A strict read that reaches
 * fewer than PR primaries that are not recovering is refused
 * (`UNAVAILABLE`): it cannot know it saw every acknowledged write. A
 * partition whose other primary is down stays recovering until that primary
 * is back: the node cannot know what only that primary holds.
 *
 * The state survives a restart: a durable mark (`m/recovering`) is written
 * in the batch that starts the recovery and deleted when it ends; a start
 * that finds it recovers every partition.
 */

export interface RecoveryPair {
  readonly partition: number;
  readonly peer: string;
}

export class Recovery {
  /** For each partition still recovering, the other primaries it has not yet been taken back from. */
  readonly #left = new Map<number, Set<string>>();

  /** `pairs`: every (partition, other primary) pair of this node's partitions. */
  constructor(pairs: readonly RecoveryPair[]) {
    for (const { partition, peer } of pairs) {
      const peers = this.#left.get(partition) ?? new Set<string>();
      peers.add(peer);
      this.#left.set(partition, peers);
    }
  }

  /** Whether this node's copies of `partition`'s keys must not count as a primary's yet. */
  recovering(partition: number): boolean {
    return this.#left.has(partition);
  }

  /** The partitions still recovering, ascending. */
  partitions(): number[] {
    return [...this.#left.keys()].sort((a, b) => a - b);
  }

  /** Partitions still recovering. */
  get partitionsLeft(): number {
    return this.#left.size;
  }

  get done(): boolean {
    return this.#left.size === 0;
  }

  /** Whether `pair` is still needed. */
  needs(pair: RecoveryPair): boolean {
    return this.#left.get(pair.partition)?.has(pair.peer) === true;
  }

  /** The partition was taken back from `peer`; true when that ended the whole recovery. */
  takenBack(pair: RecoveryPair): boolean {
    const peers = this.#left.get(pair.partition);
    if (peers === undefined || !peers.delete(pair.peer)) return false;
    if (peers.size === 0) this.#left.delete(pair.partition);
    return this.#left.size === 0;
  }
}
