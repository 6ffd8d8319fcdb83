/**
 * A Merkle tree over one partition's records, for anti-entropy: two replicas
 * compare roots, then the hashes of the children of every node that differs,
 * down to the segments (leaves) that differ, and exchange only those
 * segments' entries. Dynamo (DeCandia et al. 2007, section 4.7) keeps one
 * tree per key range for this; Riak's active anti-entropy (riak_core's
 * hashtree) and Cassandra's repair do the same.
 *
 * Entries are (key id, 32-bit digest of the stored record, e.g. its CRC-32C).
 * A key's segment is the low `depth` bits of a hash of its id (the high bits
 * of the placement hash would all be equal within a partition).
 *
 * The tree keeps no digests: its owner does (a replica keeps each key's
 * beside its record), tells it each change as (previous, next), and lends it
 * `digestOf` to list a segment's entries. The tree keeps its hashes and each
 * segment's keys. So a write costs the owner the one lookup it makes anyway,
 * where a tree holding a map per segment cost two more, each a miss in a
 * cold table (on the 3-node cluster, `perf` put the trees' upkeep at 14.8 µs
 * of CPU a causal put with the maps, 3.2 without).
 *
 * A segment's hash is the sum mod 2^32 of one strong 32-bit hash per entry,
 * MurmurHash3 of (key id hash, digest): an additive multiset hash
 * (MSet-Add-Hash, Clarke, Devadas, van Dijk, Gassend and Suh 2003). It does
 * not depend on the order in which entries arrived, so replicas that hold the
 * same records agree whatever their histories, and it is updated in O(1):
 * subtract the old entry, add the new one; a key leaving undoes its arrival
 * exactly.
 * Inner hashes are MurmurHash3 of their two children, recomputed lazily: a
 * write marks its segment dirty, and `root()` recomputes only the paths above
 * dirty segments.
 *
 * The hashes are 32 bits: two trees with different contents show equal roots
 * with probability about 2^-32 per comparison, and the next change of either
 * tree makes them differ again. Riak's 160-bit SHA-1 segments buy that margin
 * with a much costlier hash.
 *
 * Both replicas must build their trees the same way: the seeds and mixes
 * below are part of the protocol.
 */
import { describeValue } from "@skew/env";
import { murmur3Pair, murmur3Utf8 } from "../ring/murmur3.js";
import { checkUint32 } from "../uint32.js";
import { merkleDepthDefault, merkleDepthMax } from "./constants.js";

/** Seeds that keep the three uses of MurmurHash3 apart (key ids, entries, inner nodes). */
const keyIdSeed = 0x6b657969; // "keyi"
const entrySeed = 0x656e7472; // "entr"
const innerSeed = 0x696e6e72; // "innr"

export interface MerkleTreeOptions {
  /** Levels below the root: 2^depth segments. Default `merkleDepthDefault`, at most `merkleDepthMax`. */
  readonly depth?: number;
  /**
   * The digest the owner holds for a key now (undefined: none). Read only by
   * `segmentEntries`; it must agree with the changes the tree was told.
   */
  readonly digestOf: (keyId: string) => number | undefined;
}

export class MerkleTree {
  /** Levels below the root; level 0 is the root, level `depth` the segments. */
  readonly depth: number;
  /** Node hashes in heap order: the root at 1, the children of i at 2i and 2i + 1, segments from 2^depth. */
  readonly #hashes: Uint32Array;
  /** Nodes whose hash is stale (inner) or whose parent has not seen their change (segments). */
  readonly #dirty: Uint8Array;
  /** The heap positions of the dirty segments, `#dirtyCount` of them. */
  readonly #dirtySegments: Uint32Array;
  #dirtyCount = 0;
  /** Each segment's keys, in no order; undefined while it has none. */
  readonly #keys: (string[] | undefined)[];
  readonly #digestOf: (keyId: string) => number | undefined;
  readonly #segmentMask: number;
  #size = 0;

  constructor(options: MerkleTreeOptions) {
    const depth = options.depth ?? merkleDepthDefault;
    if (!Number.isInteger(depth) || depth < 0 || depth > merkleDepthMax) {
      throw new RangeError(
        `MerkleTree: depth must be an integer in [0, ${merkleDepthMax}], got ${describeValue(depth)}`,
      );
    }
    if (typeof options.digestOf !== "function") {
      throw new TypeError(`MerkleTree: digestOf must be a function, got ${describeValue(options.digestOf)}`);
    }
    this.depth = depth;
    this.#digestOf = options.digestOf;
    this.#hashes = new Uint32Array(2 << depth);
    this.#dirty = new Uint8Array(2 << depth);
    this.#dirtySegments = new Uint32Array(1 << depth);
    this.#keys = new Array<string[] | undefined>(1 << depth);
    this.#segmentMask = (1 << depth) - 1;
    // An empty tree's hashes are those of empty segments combined upward.
    for (let i = (1 << depth) - 1; i >= 1; i--) this.#combine(i);
  }

  /** Entries held. */
  get size(): number {
    return this.#size;
  }

  /** Segments (leaves): 2^depth. */
  get segments(): number {
    return this.#segmentMask + 1;
  }

  /** The segment that holds `keyId`. */
  segmentOf(keyId: string): number {
    checkKeyId(keyId);
    return murmur3Utf8(keyId, keyIdSeed) & this.#segmentMask;
  }

  /**
   * The owner's digest of `keyId` went from `previous` to `next` (undefined:
   * it held none, or holds none now). O(1), but for a key leaving the tree:
   * O(its segment's keys). `previous` must be what the tree was told last
   * for the key: a key it does not hold cannot leave it (an `Error`, and the
   * tree unchanged), but a wrong digest, or a key said to be new that it
   * holds, is not detected, and leaves the hashes wrong until the key changes
   * with the right digest.
   */
  change(keyId: string, previous: number | undefined, next: number | undefined): void {
    checkKeyId(keyId);
    if (previous !== undefined) checkUint32("MerkleTree: previous digest", previous);
    if (next !== undefined) checkUint32("MerkleTree: next digest", next);
    if (previous === next) return;
    const idHash = murmur3Utf8(keyId, keyIdSeed);
    const segment = idHash & this.#segmentMask;
    const at = this.#segmentMask + 1 + segment;
    let sum = this.#hashes[at] as number;
    if (previous === undefined) {
      const keys = this.#keys[segment];
      if (keys === undefined) this.#keys[segment] = [keyId];
      else keys.push(keyId);
      this.#size++;
    } else sum -= murmur3Pair(idHash, previous, entrySeed);
    if (next === undefined) {
      const keys = this.#keys[segment];
      const index = keys === undefined ? -1 : keys.indexOf(keyId);
      if (keys === undefined || index === -1) {
        throw new Error(`MerkleTree: ${JSON.stringify(keyId)} leaves the tree, but the tree does not hold it`);
      }
      const last = keys.pop() as string;
      if (index < keys.length) keys[index] = last;
      if (keys.length === 0) this.#keys[segment] = undefined;
      this.#size--;
    } else sum += murmur3Pair(idHash, next, entrySeed);
    this.#hashes[at] = sum; // a Uint32Array stores the sum mod 2^32
    this.#markDirty(at);
  }

  /** The root hash: equal roots mean (but for a 2^-32 chance) equal contents. O(dirty paths). */
  root(): number {
    this.#refresh();
    return this.#hashes[1] as number;
  }

  /** The hashes of the nodes `indexes` (each in [0, 2^level)) at `level` (0 = root, depth = segments). */
  hashesAt(level: number, indexes: readonly number[]): number[] {
    this.#checkLevel(level, this.depth);
    this.#refresh();
    const first = 1 << level;
    return indexes.map((index) => {
      this.#checkIndex(level, index);
      return this.#hashes[first + index] as number;
    });
  }

  /** The indexes, one level down, of the two children of node `index` at `level` (< depth). */
  childrenOf(level: number, index: number): [number, number] {
    this.#checkLevel(level, this.depth - 1);
    this.#checkIndex(level, index);
    return [2 * index, 2 * index + 1];
  }

  /**
   * The entries (key id -> the owner's digest) of `segment`: what replicas
   * exchange once the walk has found the segments that differ. A new map.
   */
  segmentEntries(segment: number): Map<string, number> {
    this.#checkIndex(this.depth, segment);
    const entries = new Map<string, number>();
    for (const keyId of this.#keys[segment] ?? []) {
      const digest = this.#digestOf(keyId);
      if (digest === undefined) throw new Error(`MerkleTree: the owner holds no digest of ${JSON.stringify(keyId)}`);
      entries.set(keyId, digest);
    }
    return entries;
  }

  #markDirty(at: number): void {
    if (this.#dirty[at] === 1) return;
    this.#dirty[at] = 1;
    this.#dirtySegments[this.#dirtyCount++] = at;
  }

  /**
   * Recomputes the ancestors of dirty segments, one level at a time, each
   * once: O(dirty paths), and no allocation (the levels' lists live in
   * buffers shared by every tree, as refreshing is never re-entered).
   */
  #refresh(): void {
    let level = this.#dirtySegments;
    let count = this.#dirtyCount;
    if (count === 0) return;
    this.#dirtyCount = 0;
    const dirty = this.#dirty;
    let parents = scratch(0, count);
    while (level[0] !== 1) {
      let parentCount = 0;
      for (let i = 0; i < count; i++) {
        const at = level[i] as number;
        dirty[at] = 0;
        const parent = at >> 1;
        if (dirty[parent] === 0) {
          dirty[parent] = 1;
          parents[parentCount++] = parent;
        }
      }
      for (let i = 0; i < parentCount; i++) this.#combine(parents[i] as number);
      const consumed = level;
      level = parents;
      count = parentCount;
      parents = consumed === this.#dirtySegments ? scratch(1, count) : consumed;
    }
    dirty[1] = 0;
  }

  #combine(at: number): void {
    this.#hashes[at] = murmur3Pair(this.#hashes[2 * at] as number, this.#hashes[2 * at + 1] as number, innerSeed);
  }

  #checkLevel(level: number, max: number): void {
    if (!Number.isInteger(level) || level < 0 || level > max) {
      throw new RangeError(`MerkleTree: level must be an integer in [0, ${max}], got ${describeValue(level)}`);
    }
  }

  #checkIndex(level: number, index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= 2 ** level) {
      throw new RangeError(
        `MerkleTree: index at level ${level} must be an integer in [0, ${2 ** level}), got ${describeValue(index)}`,
      );
    }
  }
}

/** Two work lists for `#refresh`, grown to the largest level refreshed so far. */
const scratchLists: [Uint32Array, Uint32Array] = [new Uint32Array(0), new Uint32Array(0)];

function scratch(which: 0 | 1, length: number): Uint32Array {
  let list = scratchLists[which];
  if (list.length < length) {
    list = new Uint32Array(Math.max(length, list.length * 2));
    scratchLists[which] = list;
  }
  return list;
}

function checkKeyId(keyId: unknown): asserts keyId is string {
  if (typeof keyId !== "string") throw new TypeError(`MerkleTree: keyId must be a string, got ${typeof keyId}`);
}
