/**
 * What a node asks its driver to make durable, and how a restarted node reads
 * it back. The node holds its data in memory and describes every change as a
 * `StorageOp`; the driver writes a batch, syncs it (group commit: one fsync
 * for the batch), and only then calls `handleDurable`, which releases every
 * acknowledgement and reply that depended on it.
 *
 * Key layout (plain strings, so any ordered store will do):
 *
 * ```text
 * v/<bucket>\0<key>   a record (record/codec.ts: checksummed)
 * hv/[...]            a version of an LWW key's history, or its horizon (node/lww-history.ts)
 * m/incarnation       this node's start count (u32): operation ids stay unique across restarts
 * m/dvv-epoch         the epoch of this node's dots, bumped at a start that may have lost some (kv-node.ts, "Dots")
 * m/closed            the incarnation that last closed cleanly (`KvNode.close`); deleted by the next start
 * m/lamport           the Lamport counter of the last lww-lamport stamp issued
 * m/recovering        present while the node recovers what it may have forgotten (node/recovery.ts)
 * ```
 */
import { crc32c } from "../checksum/index.js";

export type StorageOp =
  | { readonly kind: "put"; readonly key: string; readonly value: Uint8Array }
  | { readonly kind: "delete"; readonly key: string };

export interface WriteBatch {
  /** Batch ids count 1, 2, 3, ...; `handleDurable` must be called in that order. */
  readonly batchId: number;
  readonly ops: readonly StorageOp[];
  /**
   * Set on the batch that starts an incarnation (and a dot epoch): it must
   * be on stable storage before it is reported durable, whatever durability
   * the driver's store was given for the others. A node that restarts
   * without it would reuse operation ids and dots.
   */
  readonly sync?: true;
}

export const recordPrefix = "v/";
export const incarnationKey = "m/incarnation";
export const dvvEpochKey = "m/dvv-epoch";
export const lamportKey = "m/lamport";
export const closedKey = "m/closed";
export const recoveringKey = "m/recovering";

/** The in-memory and on-disk id of a key: bucket, NUL, key (buckets hold no NUL). */
export function keyIdOf(bucket: string, key: string): string {
  return `${bucket}\u0000${key}`;
}

export function splitKeyId(keyId: string): { readonly bucket: string; readonly key: string } {
  const at = keyId.indexOf("\u0000");
  return { bucket: keyId.slice(0, at), key: keyId.slice(at + 1) };
}

/** A safe non-negative integer as 8 bytes (a double) and their CRC-32C, for metadata. */
export function encodeCount(value: number): Uint8Array {
  const bytes = new Uint8Array(12);
  const view = new DataView(bytes.buffer);
  view.setFloat64(0, value);
  view.setUint32(8, crc32c(bytes.subarray(0, 8)));
  return bytes;
}

/** The count in `bytes`, or `undefined` when they are not one or fail their checksum. */
export function decodeCount(bytes: Uint8Array | undefined): number | undefined {
  if (bytes === undefined || bytes.length !== 12) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 12);
  if (view.getUint32(8) !== crc32c(bytes.subarray(0, 8))) return undefined;
  const value = view.getFloat64(0);
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}
