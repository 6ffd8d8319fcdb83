/**
 * The anti-entropy exchange between two replicas' trees for one partition, as
 * pure steps: the store runs them over messages (root, then the children of
 * every node that differs, ..., then the entries of the differing segments,
 * then it pushes the records that differ), and `compareTrees` runs the same
 * steps between two trees in one process, as the reference the store's
 * protocol is tested against.
 *
 * Cost: with d differing keys in a tree of depth D, the walk compares at most
 * 1 + 2d per level (D levels) hashes and sends d segments' entries, instead
 * of every entry; equal roots end it after one hash.
 */
import { describeValue } from "@skew/env";
import { exchangeLevelsPerRoundDefault } from "./constants.js";
import type { MerkleTree } from "./tree.js";

/** Of the nodes `indexes` at `level`, those whose hash in `local` differs from `remoteHashes` (same order). */
export function differingIndexes(
  local: MerkleTree,
  level: number,
  indexes: readonly number[],
  remoteHashes: readonly number[],
): number[] {
  if (remoteHashes.length !== indexes.length) {
    throw new RangeError(`differingIndexes: ${remoteHashes.length} remote hashes for ${indexes.length} indexes`);
  }
  const localHashes = local.hashesAt(level, indexes);
  return indexes.filter((_, i) => localHashes[i] !== remoteHashes[i]);
}

/** The indexes `levels` levels below each of `indexes`, in order: 2^levels per index. */
export function descendantIndexes(indexes: readonly number[], levels = 1): number[] {
  if (!Number.isInteger(levels) || levels < 0 || levels > 30) {
    throw new RangeError(`descendantIndexes: levels must be an integer in [0, 30], got ${describeValue(levels)}`);
  }
  const fanOut = 2 ** levels;
  const descendants: number[] = [];
  for (const index of indexes) for (let k = 0; k < fanOut; k++) descendants.push(index * fanOut + k);
  return descendants;
}

/** The key ids whose digests differ between two segments' entries, or that one side lacks, sorted. */
export function differingKeys(local: ReadonlyMap<string, number>, remote: ReadonlyMap<string, number>): string[] {
  const keys: string[] = [];
  for (const [key, digest] of local) if (remote.get(key) !== digest) keys.push(key);
  for (const key of remote.keys()) if (!local.has(key)) keys.push(key);
  return keys.sort();
}

export interface TreeComparison {
  /** The key ids that differ (changed, or held by one side only), sorted. */
  readonly keys: readonly string[];
  /** Request-reply rounds the walk took: one per hash level visited, one for the segments' entries. */
  readonly roundTrips: number;
  /** Node hashes sent by the remote side. */
  readonly hashesSent: number;
  /** Segment entries sent by the remote side. */
  readonly entriesSent: number;
}

export interface CompareTreesOptions {
  /** Levels descended per round trip (default `exchangeLevelsPerRoundDefault`). */
  readonly levelsPerRound?: number;
}

/** Walks `local` against `remote` (two trees of one depth) and returns the keys that differ. */
export function compareTrees(local: MerkleTree, remote: MerkleTree, options: CompareTreesOptions = {}): TreeComparison {
  if (local.depth !== remote.depth) {
    throw new RangeError(`compareTrees: trees of depth ${local.depth} and ${remote.depth} cannot be compared`);
  }
  const stride = options.levelsPerRound ?? exchangeLevelsPerRoundDefault;
  if (!Number.isInteger(stride) || stride < 1) {
    throw new RangeError(`compareTrees: levelsPerRound must be an integer >= 1, got ${describeValue(stride)}`);
  }
  let level = 0;
  let indexes = [0];
  let roundTrips = 0;
  let hashesSent = 0;
  for (;;) {
    roundTrips++;
    hashesSent += indexes.length;
    const differing = differingIndexes(local, level, indexes, remote.hashesAt(level, indexes));
    if (differing.length === 0) return { keys: [], roundTrips, hashesSent, entriesSent: 0 };
    if (level === local.depth) {
      roundTrips++;
      let entriesSent = 0;
      const keys: string[] = [];
      for (const segment of differing) {
        const theirs = remote.segmentEntries(segment);
        entriesSent += theirs.size;
        keys.push(...differingKeys(local.segmentEntries(segment), theirs));
      }
      return { keys: keys.sort(), roundTrips, hashesSent, entriesSent };
    }
    const step = Math.min(stride, local.depth - level);
    indexes = descendantIndexes(differing, step);
    level += step;
  }
}
