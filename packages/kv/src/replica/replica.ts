/**
 * A replica's data: one record per key it holds, in memory, merged on every
 * write, repair or handoff it receives. Durability is the node's business
 * (every change becomes a StorageOp); this class only keeps the join.
 *
 * The fencing check is here because it is a replica's decision (the chapter,
 * section 4.3: "the storage service tracks the highest token it has seen and
 * rejects writes with lower tokens"): a write whose token is below the
 * highest token of the record it would merge into is refused and changes
 * nothing. Repairs are not writes; they merge unconditionally, which is safe
 * because the fence is the most significant part of every LWW stamp and a
 * causal record's fence is joined by max.
 */
import { fenceOf, type KvRecord, mergeRecords } from "../record/index.js";

export type ApplyOutcome =
  | { readonly refused: "FENCED"; readonly fence: number }
  | {
      readonly refused: null;
      readonly record: KvRecord;
      readonly changed: boolean;
      /** The record held before (undefined: none), so that the caller need not look it up again. */
      readonly before: KvRecord | undefined;
    };

export class Replica {
  readonly #records = new Map<string, KvRecord>();

  get size(): number {
    return this.#records.size;
  }

  get(keyId: string): KvRecord | undefined {
    return this.#records.get(keyId);
  }

  keyIds(): IterableIterator<string> {
    return this.#records.keys();
  }

  /** Sets a record the caller computed from this replica's own (a causal coordinator's update). */
  set(keyId: string, record: KvRecord): void {
    this.#records.set(keyId, record);
  }

  /** Forgets the key: only tombstone removal does this (node/tombstones.ts), once every node holds the tombstone. */
  delete(keyId: string): boolean {
    return this.#records.delete(keyId);
  }

  /** Merges a write carrying fencing token `fence`, unless a higher token has been seen for the key. */
  write(keyId: string, incoming: KvRecord, fence: number): ApplyOutcome {
    const current = this.#records.get(keyId);
    if (current !== undefined && fence < fenceOf(current)) return { refused: "FENCED", fence: fenceOf(current) };
    return this.#merge(keyId, current, incoming);
  }

  /** Merges a version from another replica (read repair, handoff, anti-entropy). */
  merge(keyId: string, incoming: KvRecord): ApplyOutcome & { readonly refused: null } {
    return this.#merge(keyId, this.#records.get(keyId), incoming);
  }

  #merge(keyId: string, current: KvRecord | undefined, incoming: KvRecord): ApplyOutcome & { readonly refused: null } {
    const record = current === undefined ? incoming : mergeRecords(current, incoming);
    const changed = record !== current;
    if (changed) this.#records.set(keyId, record);
    return { refused: null, record, changed, before: current };
  }
}
