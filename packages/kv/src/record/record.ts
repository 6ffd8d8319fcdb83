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
 */
import { assert } from "@skew/env";
import type { DottedVersionVectorSet } from "@skew/vector";
import { compareStamps, type LwwStamp } from "./stamp.js";

/** A sibling's value: bytes, or `null` for a tombstone (a delete). */
export type Value = Uint8Array | null;

export interface LwwRecord {
  readonly kind: "lww";
  readonly stamp: LwwStamp;
  readonly value: Value;
}

export interface CausalRecord {
  readonly kind: "causal";
  /** The highest fencing token any write of this key carried (0: none). */
  readonly fence: number;
  readonly set: DottedVersionVectorSet<Value>;
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
  for (const value of record.set.values()) if (value !== null) live.push(value);
  return live;
}

/** True when the record says only "deleted": a tombstone, or siblings that are all tombstones. */
export function isTombstone(record: KvRecord): boolean {
  if (record.kind === "lww") return record.value === null;
  return record.set.values().every((value) => value === null);
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
  const set = a.set.sync(b.set);
  const fence = Math.max(a.fence, b.fence);
  if (set === a.set && fence === a.fence) return a;
  if (set === b.set && fence === b.fence) return b;
  return { kind: "causal", fence, set };
}

/** Same record: equal stamps and values, or equal sets (same history, dots and values) and fences. */
export function recordsEqual(a: KvRecord, b: KvRecord): boolean {
  if (a === b) return true;
  if (a.kind === "lww") return b.kind === "lww" && compareLwwRecords(a, b) === 0;
  return b.kind === "causal" && a.fence === b.fence && a.set.equals(b.set, valuesEqual);
}
