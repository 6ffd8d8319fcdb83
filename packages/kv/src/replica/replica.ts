/**
 * A replica's data: one record per key it holds, in memory, merged on every
 * write, repair or handoff it receives. Durability is the node's business
 * (every change becomes a StorageOp); this class only keeps the join.
 *
 * Beside each record it keeps the record's digest (`recordDigest` of its one
 * encoding), the entry anti-entropy's Merkle tree holds for the key: a
 * change hands the caller the new record's bytes and both digests, so that
 * the store, the tree and the tombstone tracker follow it without looking
 * the key up again (merkle/tree.ts says why the tree keeps no digests).
 *
 * The fencing check is here because it is a replica's decision (the chapter,
 * section 4.3: "the storage service tracks the highest token it has seen and
 * rejects writes with lower tokens"): a write whose token is below the
 * highest token of the record it would merge into is refused and changes
 * nothing. Repairs are not writes; they merge unconditionally, which is safe
 * because the fence is the most significant part of every LWW stamp and a
 * causal record's fence is joined by max.
 */
import { encodeRecord, fenceOf, type KvRecord, mergeRecords, recordDigest } from "../record/index.js";

/** What a replica holds of a key. */
export interface ReplicaEntry {
  readonly record: KvRecord;
  /** `recordDigest` of the record's encoding. */
  readonly digest: number;
}

/** A replica's entry, updated in place (one lookup a write). */
interface Held {
  record: KvRecord;
  digest: number;
}

/** A merge or write the replica took; `changed` says whether its record moved. */
export type Applied =
  | {
      readonly refused: null;
      readonly changed: false;
      /** The record held, unchanged (or, for a caller's own outcome, the one that absorbed the incoming). */
      readonly record: KvRecord;
      readonly before: KvRecord | undefined;
    }
  | {
      readonly refused: null;
      readonly changed: true;
      /** The record held now. */
      readonly record: KvRecord;
      /** Its encoding: the incoming bytes when it is the incoming record (a record has one encoding), else new. */
      readonly bytes: Uint8Array;
      readonly digest: number;
      /** The record held before, and its digest (undefined: none), so that the caller need not look the key up again. */
      readonly before: KvRecord | undefined;
      readonly beforeDigest: number | undefined;
    };

export type ApplyOutcome = { readonly refused: "FENCED"; readonly fence: number } | Applied;

export class Replica {
  readonly #held = new Map<string, Held>();

  get size(): number {
    return this.#held.size;
  }

  get(keyId: string): KvRecord | undefined {
    return this.#held.get(keyId)?.record;
  }

  /** The record held for `keyId` and its digest. */
  entry(keyId: string): ReplicaEntry | undefined {
    return this.#held.get(keyId);
  }

  /** The digest of the record held for `keyId`. */
  digest(keyId: string): number | undefined {
    return this.#held.get(keyId)?.digest;
  }

  keyIds(): IterableIterator<string> {
    return this.#held.keys();
  }

  /**
   * Sets a record the caller computed from this replica's own (a causal
   * coordinator's update) or read back at start, with `bytes`, its
   * encoding; the digest it replaced (undefined: none).
   */
  set(keyId: string, record: KvRecord, bytes: Uint8Array): number | undefined {
    const digest = recordDigest(bytes);
    const held = this.#held.get(keyId);
    if (held === undefined) {
      this.#held.set(keyId, { record, digest });
      return undefined;
    }
    const before = held.digest;
    held.record = record;
    held.digest = digest;
    return before;
  }

  /**
   * Forgets the key: only tombstone removal does this (node/tombstones.ts),
   * once every node holds the tombstone. The digest it held (undefined: none).
   */
  delete(keyId: string): number | undefined {
    const held = this.#held.get(keyId);
    if (held !== undefined) this.#held.delete(keyId);
    return held?.digest;
  }

  /**
   * Merges a write carrying fencing token `fence`, unless a higher token has
   * been seen for the key. `bytes`: the encoding of `incoming`, when the
   * caller has it (else it is encoded, if it is what the replica keeps).
   */
  write(keyId: string, incoming: KvRecord, fence: number, bytes?: Uint8Array): ApplyOutcome {
    const held = this.#held.get(keyId);
    if (held !== undefined && fence < fenceOf(held.record)) return { refused: "FENCED", fence: fenceOf(held.record) };
    return this.#merge(keyId, held, incoming, bytes);
  }

  /** Merges a version from another replica (read repair, handoff, anti-entropy); `bytes` as for `write`. */
  merge(keyId: string, incoming: KvRecord, bytes?: Uint8Array): Applied {
    return this.#merge(keyId, this.#held.get(keyId), incoming, bytes);
  }

  /**
   * The join of the held record and `incoming`. When the join is the
   * incoming record itself, unmerged, its received bytes are stored and
   * hashed rather than encoded again: every record has one encoding
   * (`decodeRecord` checks every length, the UTF-8 of an LWW node id and
   * every double's bits, and a causal set's bytes are @skew/vector's
   * canonical encoding, minimal varints and ordered ids and dots, of siblings
   * in a fixed layout; a law in test/record/codec.test.ts). For a causal put
   * to a new key that skipped encoding took 73 to 75 µs to 59 to 61 in one
   * process (`LocalCluster`, 100-byte values), and about 237 to 212 µs of
   * CPU on the 3-node cluster at 150 connections.
   */
  #merge(keyId: string, held: Held | undefined, incoming: KvRecord, incomingBytes: Uint8Array | undefined): Applied {
    const before = held?.record;
    const record = before === undefined ? incoming : mergeRecords(before, incoming);
    if (record === before) return { refused: null, changed: false, record, before };
    const bytes = record === incoming && incomingBytes !== undefined ? incomingBytes : encodeRecord(record);
    const digest = recordDigest(bytes);
    const beforeDigest = held?.digest;
    if (held === undefined) this.#held.set(keyId, { record, digest });
    else {
      held.record = record;
      held.digest = digest;
    }
    return { refused: null, changed: true, record, bytes, digest, before, beforeDigest };
  }
}
