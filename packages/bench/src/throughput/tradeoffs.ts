/**
 * What the throughput table cannot show: the two systems do not promise the
 * same thing, and a reader choosing between them needs that beside the
 * numbers. Plain statements, printed under the table and kept in the JSON
 * results; each is a property the project's tests or etcd's documentation
 * stand behind, not a benchmark figure.
 */
export interface Tradeoffs {
  /** What etcd gives that Skew does not. */
  readonly etcdGives: readonly string[];
  /** What Skew gives that etcd does not. */
  readonly skewGives: readonly string[];
}

export const tradeoffs: Tradeoffs = Object.freeze({
  etcdGives: Object.freeze([
    "Linearizable reads and writes: every put is ordered by the Raft leader and committed by a majority before it is acknowledged, and a read (linearizable by default) sees every put acknowledged before it began.",
    "Atomic compare-and-swap and multi-key transactions (Txn), leases and watches built on that one order.",
    "Skew has none of these: R + W > N quorums do not make its reads linearizable, concurrent writes are ordered by a clock (lww-* modes) or kept as siblings (causal), and If-Match is checked by a read before the write, not atomically.",
  ]),
  skewGives: Object.freeze([
    "Availability under partition: no leader, any replica of a key coordinates a write. In causal mode a write accepted on the minority side of a partition is kept as a sibling beside the majority side's writes and merged when the partition heals: nothing acknowledged is lost. In this 3-node cluster (N = 3, every node a replica of every key) an isolated node keeps accepting writes that ask for w=1; at the default W = 2 it refuses them (UNAVAILABLE, definite), a choice made per request.",
    "etcd's minority side cannot write at all: with no majority it has no leader, and every put there fails or times out until the partition heals.",
  ]),
});
