/**
 * What a replica stores for one key, in either family of modes, and how two
 * replicas' versions of it merge.
 *
 * Merging is a join (commutative, associative, idempotent) in every mode, so
 * read repair, hinted handoff and anti-entropy converge whatever order they
 * deliver in and however often (the CRDT argument of Shapiro et al. 2011,
 * which is also why Dynamo's reconciliation is safe to repeat):
 *
 * - last-write-wins: the greater record in a total order (stamp, then a
 *   tombstone above a value, then the larger value), so the join is `max`;
 * - causal: a dotted version vector set, joined by `sync` (Riak 2.0's
 *   dvvset), which keeps exactly the siblings no other write has seen.
 *
 * Both carry the highest fencing token seen for the key (`fence`): joined by
 * `max`, it is what a replica checks a new write's token against.
 *
 * Fencing across replicas (the chapter, section 4.3). A replica cut off from
 * the new leaseholder's write (token 34) may still accept the zombie's
 * (token 33). Last-write-wins puts the token in the stamp's most significant
 * place, so the zombie's version loses every merge. The causal analogue:
 * each sibling keeps the token it was written with, and a sibling whose
 * token is below its record's fence is superseded, dropped from the set with
 * its dot kept in the history, exactly as if a write had overwritten it
 * (`retain` in @skew/vector). Dropping commutes with `sync` and the fence
 * only rises, so "sync, then drop the siblings below the max fence" is still
 * a join; the property tests check it.
 */
import { assert } from "@skew/env";
import { DottedVersionVectorSet, type VectorClock } from "@skew/vector";
import { compareStamps, type LwwStamp } from "./stamp.js";

/** A sibling's value: bytes, or `null` for a tombstone (a delete). */
export type Value = Uint8Array | null;

/**
 * One causal sibling: its value, the fencing token of the write that created
 * it (0: none), and `at`, the HLC timestamp its coordinator stamped the write
 * with (its dot's write time), so that every replica that learns of the
 * sibling, by whatever path (write, repair, handoff, anti-entropy), can keep
 * it in its history from the same time (issue 5, node/causal-history.ts).
 */
export interface Sibling {
  readonly fence: number;
  readonly at: number;
  readonly value: Value;
}

export interface LwwRecord {
  readonly kind: "lww";
  readonly stamp: LwwStamp;
  readonly value: Value;
}

export interface CausalRecord {
  readonly kind: "causal";
  /** The highest fencing token any write of this key carried (0: none); every sibling's is at least this. */
  readonly fence: number;
  readonly set: DottedVersionVectorSet<Sibling>;
}

export type KvRecord = LwwRecord | CausalRecord;

/** The highest fencing token seen for the key this record belongs to. */
export function fenceOf(record: KvRecord): number {
  return record.kind === "lww" ? record.stamp.fence : record.fence;
}

/** The values a read returns: the live siblings, tombstones left out. */
export function liveValues(record: KvRecord): Uint8Array[] {
  if (record.kind === "lww") return record.value === null ? [] : [record.value];
  const live: Uint8Array[] = [];
  for (const { value } of record.set.values()) if (value !== null) live.push(value);
  return live;
}

/** True when the record says only "deleted": a tombstone, or siblings that are all tombstones. */
export function isTombstone(record: KvRecord): boolean {
  if (record.kind === "lww") return record.value === null;
  return record.set.values().every(({ value }) => value === null);
}

/**
 * The causal record of `set` under `fence`: the siblings written under a
 * lower token are superseded (dropped, their dots left in the history). Every
 * causal record is made through this, so none keeps a sibling below its
 * record's fence.
 */
export function fencedRecord(fence: number, set: DottedVersionVectorSet<Sibling>): CausalRecord {
  return { kind: "causal", fence, set: set.retain((sibling) => sibling.fence >= fence) };
}

/**
 * A causal write at `replica` (a primary coordinating it): the value is
 * dotted against `current` and the client's `context` (DVVSet `update`) with
 * the write's token, and the record's fence rises to it. The caller has
 * checked the token against the fences it knows (a write below them is
 * refused); were it below, the new sibling would be superseded at once.
 * `at` is the write's stamp (the coordinator's HLC reading).
 */
export function causalWrite(
  current: CausalRecord | undefined,
  value: Value,
  context: VectorClock,
  fence: number,
  replica: string,
  at: number,
): CausalRecord {
  const set = (current?.set ?? DottedVersionVectorSet.empty<Sibling>()).update({ fence, at, value }, context, replica);
  return fencedRecord(Math.max(current?.fence ?? 0, fence), set);
}

/** Byte-wise order of two values, `null` (a tombstone) above every value. */
export function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** The total order of last-write-wins records: stamp, then tombstone above value, then value bytes. */
export function compareLwwRecords(a: LwwRecord, b: LwwRecord): number {
  return compareStamps(a.stamp, b.stamp) || compareValues(a.value, b.value);
}

export function valuesEqual(a: Value, b: Value): boolean {
  return compareValues(a, b) === 0;
}

/** Same sibling: same token, same stamp and same value. */
export function siblingsEqual(a: Sibling, b: Sibling): boolean {
  return a.fence === b.fence && a.at === b.at && valuesEqual(a.value, b.value);
}

/**
 * The join of two versions of one key. Both must be of one family (a bucket
 * has one mode); mixing them is a bug. Returns an input when it already is
 * the join, so callers can tell "nothing new" by identity.
 */
export function mergeRecords(a: KvRecord, b: KvRecord): KvRecord {
  if (a.kind === "lww") {
    assert(b.kind === "lww", "mergeRecords: a last-write-wins record cannot merge with a causal one");
    return compareLwwRecords(a, b) >= 0 ? a : b;
  }
  assert(b.kind === "causal", "mergeRecords: a causal record cannot merge with a last-write-wins one");
  const fence = Math.max(a.fence, b.fence);
  const { set } = fencedRecord(fence, a.set.sync(b.set));
  if (set === a.set && fence === a.fence) return a;
  if (set === b.set && fence === b.fence) return b;
  return { kind: "causal", fence, set };
}

/** Same record: equal stamps and values, or equal sets (same history, dots, values and tokens) and fences. */
export function recordsEqual(a: KvRecord, b: KvRecord): boolean {
  if (a === b) return true;
  if (a.kind === "lww") return b.kind === "lww" && compareLwwRecords(a, b) === 0;
  return b.kind === "causal" && a.fence === b.fence && a.set.equals(b.set, siblingsEqual);
}
