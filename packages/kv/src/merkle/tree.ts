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
 * A segment's hash is the sum mod 2^32 of one strong 32-bit hash per entry,
 * MurmurHash3 of (key id hash, digest): an additive multiset hash
 * (MSet-Add-Hash, Clarke, Devadas, van Dijk, Gassend and Suh 2003). It does
 * not depend on the order in which entries arrived, so replicas that hold the
 * same records agree whatever their histories, and it is updated in O(1):
 * subtract the old entry, add the new one; deleting undoes setting exactly.
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
}

const noEntries: ReadonlyMap<string, number> = new Map();

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
  readonly #entries: (Map<string, number> | undefined)[];
  readonly #segmentMask: number;
  #size = 0;

  constructor(options: MerkleTreeOptions = {}) {
    const depth = options.depth ?? merkleDepthDefault;
    if (!Number.isInteger(depth) || depth < 0 || depth > merkleDepthMax) {
      throw new RangeError(
        `MerkleTree: depth must be an integer in [0, ${merkleDepthMax}], got ${describeValue(depth)}`,
      );
    }
    this.depth = depth;
    this.#hashes = new Uint32Array(2 << depth);
    this.#dirty = new Uint8Array(2 << depth);
    this.#dirtySegments = new Uint32Array(1 << depth);
    this.#entries = new Array<Map<string, number> | undefined>(1 << depth);
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

  /** Records `digest` as the state of `keyId`, replacing what was recorded. O(1). */
  set(keyId: string, digest: number): void {
    checkKeyId(keyId);
    checkUint32("MerkleTree: digest", digest);
    const idHash = murmur3Utf8(keyId, keyIdSeed);
    const segment = idHash & this.#segmentMask;
    let entries = this.#entries[segment];
    if (entries === undefined) {
      entries = new Map();
      this.#entries[segment] = entries;
    }
    const previous = entries.get(keyId);
    if (previous === digest) return;
    const at = this.#segmentMask + 1 + segment;
    let sum = (this.#hashes[at] as number) + murmur3Pair(idHash, digest, entrySeed);
    if (previous === undefined) this.#size++;
    else sum -= murmur3Pair(idHash, previous, entrySeed);
    this.#hashes[at] = sum; // a Uint32Array stores the sum mod 2^32
    entries.set(keyId, digest);
    this.#markDirty(at);
  }

  /** Forgets `keyId`; exactly undoes its `set`. O(1). Whether it was there. */
  delete(keyId: string): boolean {
    checkKeyId(keyId);
    const idHash = murmur3Utf8(keyId, keyIdSeed);
    const segment = idHash & this.#segmentMask;
    const entries = this.#entries[segment];
    const previous = entries?.get(keyId);
    if (entries === undefined || previous === undefined) return false;
    entries.delete(keyId);
    if (entries.size === 0) this.#entries[segment] = undefined;
    const at = this.#segmentMask + 1 + segment;
    this.#hashes[at] = (this.#hashes[at] as number) - murmur3Pair(idHash, previous, entrySeed);
    this.#size--;
    this.#markDirty(at);
    return true;
  }

  /** The digest recorded for `keyId`, if any. */
  get(keyId: string): number | undefined {
    return this.#entries[this.segmentOf(keyId)]?.get(keyId);
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
   * The entries (key id -> digest) of `segment`: what replicas exchange once
   * the walk has found the segments that differ. A live view, valid until the
   * next `set` or `delete`.
   */
  segmentEntries(segment: number): ReadonlyMap<string, number> {
    this.#checkIndex(this.depth, segment);
    return this.#entries[segment] ?? noEntries;
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
