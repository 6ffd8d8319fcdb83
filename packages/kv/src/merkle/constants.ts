/**
 * The Merkle tree's limits and defaults, with their units at the end of their
 * names. (The lead folds these into src/constants.ts.)
 */
import { assert } from "@skew/env";

/**
 * Levels below the root by default: 2^10 = 1024 segments per tree (per
 * partition). With up to a few hundred thousand keys per partition a segment
 * holds a few hundred entries, so a single differing key costs one segment's
 * entries on the wire, and the tree itself 8 KiB.
 */
export const merkleDepthDefault = 10;

/** The deepest tree: 2^16 segments, 2^17 node hashes (512 KiB). */
export const merkleDepthMax = 16;

/**
 * Levels the exchange descends per round trip by default. One is the plain
 * binary walk (a round trip per level); k sends 2^k hashes per differing node
 * and divides the round trips by k, as Riak's wide hashtrees do (1024 wide).
 */
export const exchangeLevelsPerRoundDefault = 1;

assert(Number.isInteger(merkleDepthDefault) && merkleDepthDefault >= 0, "depth is a whole number of levels");
assert(merkleDepthDefault <= merkleDepthMax, "the default depth is within the limit");
assert(merkleDepthMax <= 24, "segment indexes come from a 32-bit hash, and 2^(depth + 1) hashes stay a modest array");
assert(exchangeLevelsPerRoundDefault >= 1 && exchangeLevelsPerRoundDefault <= merkleDepthMax, "a round descends");
