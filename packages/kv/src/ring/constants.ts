/**
 * The ring's limits and defaults, with their units at the end of their names.
 * (The lead folds these into src/constants.ts.)
 */
import { assert } from "@skew/env";

/** Partitions (virtual nodes) of a ring by default: Riak's `ring_creation_size`. */
export const partitionsDefault = 64;

/**
 * The most partitions a ring may have. Each is a replica set with its own
 * Merkle tree on each of its replicas, so a ring far past the node count costs
 * memory and anti-entropy rounds for no balance gained; 2^16 also keeps a
 * node index in 16 bits.
 */
export const partitionsMax = 65_536;

/**
 * How far apart (in partitions) a claim tries to keep the partitions of one
 * node: Riak's `target_n_val`, default 4. With it, any 4 consecutive
 * partitions belong to distinct nodes (when there are at least 4 nodes and
 * the claim can keep it), so a preference list of N <= 4 is N consecutive
 * partitions and a single failed node still leaves an N = 3 list's fallback
 * on a fourth machine. A preference: correctness never depends on it.
 */
export const claimSpacingPartitions = 4;

const isPowerOfTwo = (value: number): boolean =>
  Number.isSafeInteger(value) && value >= 1 && (value & (value - 1)) === 0;

assert(isPowerOfTwo(partitionsDefault) && isPowerOfTwo(partitionsMax), "partition counts are powers of two");
assert(partitionsDefault <= partitionsMax, "the default partition count is within the limit");
assert(partitionsMax <= 2 ** 16, "partitionOf divides a 32-bit hash space; owners are kept in 16 bits");
assert(claimSpacingPartitions >= 1, "spacing of one means adjacent partitions may share a node");
