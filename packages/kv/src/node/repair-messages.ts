/**
 * The messages of repair: the anti-entropy exchange (anti-entropy.ts) and
 * tombstone removal rounds (tombstones.ts). They join `PeerMessage` in
 * messages.ts, which hands their checking to `parseRepairMessage`: they come
 * off the network, so every field is checked before a node trusts one.
 * Index ranges (a level's width, a tree's depth) depend on the receiver's
 * tree and are checked there.
 */
import { describeValue, err, ok, type Result } from "@skew/env";
import type { Timestamp } from "@skew/hlc";
import { antiEntropyKeysPerRoundMax, antiEntropyNodesPerStepMax, requestIdCharsMax } from "../constants.js";
import { KvError } from "../errors.js";

/** Initiator to peer, a step of the walk: your hashes of these nodes of your tree of `partition`, at `level`. */
export interface AeHashesMessage {
  readonly kind: "ae-hashes";
  readonly ts: Timestamp;
  readonly session: string;
  readonly partition: number;
  readonly level: number;
  readonly indexes: readonly number[];
}

/** Peer to initiator: the hashes asked for, in order; `null` when it keeps no tree of that partition. */
export interface AeHashesReplyMessage {
  readonly kind: "ae-hashes-reply";
  readonly ts: Timestamp;
  readonly session: string;
  readonly level: number;
  readonly hashes: readonly number[] | null;
}

/** Initiator to peer: these segments differ; your entries in them. */
export interface AeEntriesMessage {
  readonly kind: "ae-entries";
  readonly ts: Timestamp;
  readonly session: string;
  readonly partition: number;
  readonly segments: readonly number[];
}

/** Peer to initiator: (key id, digest) of every key in the segments asked for, as two arrays of one length. */
export interface AeEntriesReplyMessage {
  readonly kind: "ae-entries-reply";
  readonly ts: Timestamp;
  readonly session: string;
  readonly keyIds: readonly string[];
  readonly digests: readonly number[];
}

/** Initiator to peer: send me your records of these keys (as `repair` messages). */
export interface AePullMessage {
  readonly kind: "ae-pull";
  readonly ts: Timestamp;
  readonly partition: number;
  readonly keyIds: readonly string[];
}

/** A removal round asks every node: what do you hold for this key, and do you hold a hint for it? */
export interface TombstoneQueryMessage {
  readonly kind: "tombstone-query";
  readonly ts: Timestamp;
  readonly round: string;
  readonly bucket: string;
  readonly key: string;
}

/** The answer, sent once what it describes is durable: the digest of the record held (`null`: none), hints. */
export interface TombstoneStatusMessage {
  readonly kind: "tombstone-status";
  readonly ts: Timestamp;
  readonly round: string;
  readonly digest: number | null;
  readonly hinted: boolean;
}

/** Remove your record of this key if it still is the tombstone with this digest, and keep its ghost. */
export interface TombstoneRemoveMessage {
  readonly kind: "tombstone-remove";
  readonly ts: Timestamp;
  readonly round: string;
  readonly bucket: string;
  readonly key: string;
  readonly digest: number;
}

export type RepairPeerMessage =
  | AeHashesMessage
  | AeHashesReplyMessage
  | AeEntriesMessage
  | AeEntriesReplyMessage
  | AePullMessage
  | TombstoneQueryMessage
  | TombstoneStatusMessage
  | TombstoneRemoveMessage;

export const repairMessageKinds: readonly string[] = [
  "ae-hashes",
  "ae-hashes-reply",
  "ae-entries",
  "ae-entries-reply",
  "ae-pull",
  "tombstone-query",
  "tombstone-status",
  "tombstone-remove",
];

/** Checks a repair message's fields (its `ts` was checked by `parsePeerMessage`). */
export function parseRepairMessage(m: Record<string, unknown>): Result<RepairPeerMessage, KvError> {
  switch (m.kind) {
    case "ae-hashes":
      if (!isId(m.session) || !isIndex(m.partition) || !isIndex(m.level)) return malformed("ae-hashes: bad header");
      if (!isList(m.indexes, antiEntropyNodesPerStepMax, isIndex)) return malformed("ae-hashes: bad indexes");
      return ok(m as unknown as AeHashesMessage);
    case "ae-hashes-reply":
      if (!isId(m.session) || !isIndex(m.level)) return malformed("ae-hashes-reply: bad header");
      if (m.hashes !== null && !isList(m.hashes, antiEntropyNodesPerStepMax, isHash)) {
        return malformed("ae-hashes-reply: bad hashes");
      }
      return ok(m as unknown as AeHashesReplyMessage);
    case "ae-entries":
      if (!isId(m.session) || !isIndex(m.partition)) return malformed("ae-entries: bad header");
      if (!isList(m.segments, antiEntropyNodesPerStepMax, isIndex)) return malformed("ae-entries: bad segments");
      return ok(m as unknown as AeEntriesMessage);
    case "ae-entries-reply":
      if (!isId(m.session)) return malformed("ae-entries-reply: bad session");
      // A segment holds any number of keys: the reply is bounded by the sender's segments, not here.
      if (
        !isList(m.keyIds, Number.POSITIVE_INFINITY, isKeyId) ||
        !isList(m.digests, Number.POSITIVE_INFINITY, isHash)
      ) {
        return malformed("ae-entries-reply: bad entries");
      }
      if ((m.keyIds as unknown[]).length !== (m.digests as unknown[]).length) {
        return malformed("ae-entries-reply: as many digests as keys");
      }
      return ok(m as unknown as AeEntriesReplyMessage);
    case "ae-pull":
      if (!isIndex(m.partition) || !isList(m.keyIds, antiEntropyKeysPerRoundMax, isKeyId)) return malformed("ae-pull");
      return ok(m as unknown as AePullMessage);
    case "tombstone-query":
      if (!isId(m.round) || !isName(m.bucket) || typeof m.key !== "string") return malformed("tombstone-query");
      return ok(m as unknown as TombstoneQueryMessage);
    case "tombstone-status":
      if (!isId(m.round) || !(m.digest === null || isHash(m.digest)) || typeof m.hinted !== "boolean") {
        return malformed("tombstone-status");
      }
      return ok(m as unknown as TombstoneStatusMessage);
    case "tombstone-remove":
      if (!isId(m.round) || !isName(m.bucket) || typeof m.key !== "string" || !isHash(m.digest)) {
        return malformed("tombstone-remove");
      }
      return ok(m as unknown as TombstoneRemoveMessage);
    default:
      return malformed(`unknown kind ${describeValue(m.kind)}`);
  }
}

function isId(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= requestIdCharsMax;
}

function isName(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && !value.includes("\u0000");
}

/** A key id is bucket, NUL, key (storage.ts). */
function isKeyId(value: unknown): value is string {
  return typeof value === "string" && value.indexOf("\u0000") > 0;
}

function isIndex(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function isHash(value: unknown): value is number {
  return typeof value === "number" && value >>> 0 === value;
}

function isList(value: unknown, max: number, each: (item: unknown) => boolean): boolean {
  return Array.isArray(value) && value.length <= max && value.every(each);
}

function malformed(detail: string): Result<RepairPeerMessage, KvError> {
  return err(new KvError("MESSAGE_MALFORMED", detail));
}
