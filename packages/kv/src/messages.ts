/**
 * What nodes say to each other. Plain objects with a `kind`, values and
 * records as `Uint8Array` (the records in their stored, checksummed bytes),
 * so the real node can serialize them with any codec and the simulator can
 * pass them by reference.
 *
 * Every message carries the sender's HLC timestamp (`ts`): nodes exchange
 * HLC timestamps on every message, so a node's HLC is always ahead of every
 * write it has heard of (the chapter, section 3.3: "node 3 has heard node
 * 1's timestamp"). The receiver refuses a message whose timestamp is beyond
 * its clock's max offset, and counts it.
 *
 * Messages come off the network, so `parsePeerMessage` checks every field
 * before the node trusts one.
 */
import { describeValue, err, ok, type Result } from "@skew/env";
import { isTimestamp, type Timestamp } from "@skew/hlc";
import { fenceMax, historyVersionsPerKeyMax, requestIdCharsMax, siblingsMax } from "./constants.js";
import { KvError } from "./errors.js";
import { parseRepairMessage, type RepairPeerMessage, repairMessageKinds } from "./node/repair-messages.js";

/** A coordinator's operation id, unique across its restarts: `<incarnation>.<sequence>`. */
export type OperationId = string;

/** Coordinator to replica: merge this record into your copy of the key (unless `fence` is below what you have seen). */
export interface WriteMessage {
  readonly kind: "write";
  readonly ts: Timestamp;
  readonly op: OperationId;
  readonly bucket: string;
  readonly key: string;
  /** The writer's fencing token, checked against the highest the replica has seen for the key. */
  readonly fence: number;
  readonly record: Uint8Array;
  /**
   * Sloppy quorum (Dynamo 4.6): set when the receiver is a fallback standing
   * in for this suspected primary. The receiver keeps the record as a hint,
   * apart from its own data, and hands it off to the primary later.
   */
  readonly hint?: string;
}

/** Replica to coordinator: the write is durable here, or was refused. */
export interface WriteAckMessage {
  readonly kind: "write-ack";
  readonly ts: Timestamp;
  readonly op: OperationId;
  /**
   * `null`: merged and durable. `FENCED`: a newer token was seen. `RECORD_CORRUPT`: the bytes arrived damaged.
   * `HINTS_FULL`: a fallback already holds its limit of hints.
   */
  readonly refused: null | "FENCED" | "RECORD_CORRUPT" | "HINTS_FULL";
}

/** Coordinator to replica: send me your copy of the key. */
export interface ReadMessage {
  readonly kind: "read";
  readonly ts: Timestamp;
  readonly op: OperationId;
  readonly bucket: string;
  readonly key: string;
}

/** Replica to coordinator: my copy (`null`: I have none). */
export interface ReadReplyMessage {
  readonly kind: "read-reply";
  readonly ts: Timestamp;
  readonly op: OperationId;
  readonly record: Uint8Array | null;
  /**
   * Set by a replica that may have forgotten writes it acknowledged and has
   * not yet taken the key's partition back from the other replicas (node/recovery.ts):
   * its copy is merged but does not count as a primary's (coordinator/read.ts).
   */
  readonly recovering?: true;
}

/** Coordinator to replica: your history's newest version of the key at or before `at` (a read at a timestamp). */
export interface ReadAtMessage {
  readonly kind: "read-at";
  readonly ts: Timestamp;
  readonly op: OperationId;
  readonly bucket: string;
  readonly key: string;
  readonly at: number;
}

/**
 * Replica to coordinator: the version (`null`: provably none; a `null`
 * value is a tombstone), or, with `horizon` set, "my history was truncated
 * at `horizon`, above `at`" (then `version` is `null`).
 */
export interface ReadAtReplyMessage {
  readonly kind: "read-at-reply";
  readonly ts: Timestamp;
  readonly op: OperationId;
  readonly version: { readonly at: number; readonly node: string; readonly value: Uint8Array | null } | null;
  readonly horizon: number | null;
  /** Set (with `version` and `horizon` null) by a replica recovering the key's partition: it gives no answer. */
  readonly recovering?: true;
}

/** Coordinator to replica: every version of the key your history keeps (the `history` request). */
export interface HistoryReadMessage {
  readonly kind: "history-read";
  readonly ts: Timestamp;
  readonly op: OperationId;
  readonly bucket: string;
  readonly key: string;
}

/** One version a replica's history keeps, as `history` shows it: no value, only its size. */
export interface HistoryEntry {
  /** The write's stamp in the bucket's clock (a causal sibling: its coordinator's HLC timestamp). */
  readonly at: number;
  /** The node that stamped it (a causal sibling: the replica that issued its dot). */
  readonly node: string;
  /** The value's length in bytes (0 for a tombstone). */
  readonly bytes: number;
  readonly tombstone: boolean;
  /** A causal sibling's dot counter (with `node`, the dot); `null` in last-write-wins buckets. */
  readonly counter: number | null;
  /** A causal sibling: the stamp of the write that superseded it; `null` while it is live, and in LWW buckets. */
  readonly supersededAt: number | null;
}

/**
 * Replica to coordinator: the versions its history keeps of the key, oldest
 * first, and the horizon below which it dropped versions (`null`: nothing
 * dropped yet).
 */
export interface HistoryReplyMessage {
  readonly kind: "history-reply";
  readonly ts: Timestamp;
  readonly op: OperationId;
  readonly horizon: number | null;
  readonly versions: readonly HistoryEntry[];
}

/**
 * Replica to coordinator, for a read at a timestamp of a causal bucket (the
 * same `read-at` request): the siblings its history says existed at `at`
 * (each a dot, its stamp and its value, `null` a tombstone), or, with
 * `horizon` set, "my history was truncated at `horizon`, above `at`" (then
 * `siblings` is `null`). node/causal-history.ts.
 */
export interface ReadSiblingsAtReplyMessage {
  readonly kind: "read-siblings-at-reply";
  readonly ts: Timestamp;
  readonly op: OperationId;
  readonly siblings:
    | readonly {
        readonly replica: string;
        readonly counter: number;
        readonly at: number;
        readonly value: Uint8Array | null;
      }[]
    | null;
  readonly horizon: number | null;
  /** Set (with `siblings` and `horizon` null) by a replica recovering the key's partition: it gives no answer. */
  readonly recovering?: true;
}

/** Coordinator to a replica that answered a read with less than the others: merge this (read repair). No reply. */
export interface RepairMessage {
  readonly kind: "repair";
  readonly ts: Timestamp;
  readonly bucket: string;
  readonly key: string;
  readonly record: Uint8Array;
  /** Set when the record answers an anti-entropy pull (node/anti-entropy.ts), which a recovering node counts. */
  readonly pulled?: true;
}

/**
 * A causal write reaching a node that does not replicate its key: handed to
 * a primary, which coordinates it (Riak forwards such puts to a vnode of the
 * preference list, because the dot must be issued by a replica).
 */
export interface ForwardMessage {
  readonly kind: "forward";
  readonly ts: Timestamp;
  readonly op: OperationId;
  /** The client's request, as the forwarding node normalised it. */
  readonly request: unknown;
}

/** The primary's answer to a forwarded request: the reply the client gets. */
export interface ForwardReplyMessage {
  readonly kind: "forward-reply";
  readonly ts: Timestamp;
  readonly op: OperationId;
  readonly reply: unknown;
}

/**
 * Every node to every other, each heartbeat interval: "I am alive" for the
 * phi accrual detector (any message counts as much; this one is sent when
 * there is nothing else to say), and `wallMs`, the sender's wall clock when
 * it was sent, from which the receiver estimates the sender's clock offset.
 */
export interface HeartbeatMessage {
  readonly kind: "heartbeat";
  readonly ts: Timestamp;
  readonly wallMs: number;
}

/** Fallback to primary: a hint, the record a sloppy write left with me in your place. Merge it and acknowledge. */
export interface HandoffMessage {
  readonly kind: "handoff";
  readonly ts: Timestamp;
  readonly op: OperationId;
  readonly bucket: string;
  readonly key: string;
  /** The highest fencing token of the writes the hint holds, checked as a write's. */
  readonly fence: number;
  readonly record: Uint8Array;
}

/** Primary to fallback: the hint is durable here (or refused for good): the fallback may forget it. */
export interface HandoffAckMessage {
  readonly kind: "handoff-ack";
  readonly ts: Timestamp;
  readonly op: OperationId;
  readonly refused: null | "FENCED" | "RECORD_CORRUPT";
}

export type PeerMessage =
  | HeartbeatMessage
  | HandoffMessage
  | HandoffAckMessage
  | WriteMessage
  | WriteAckMessage
  | ReadMessage
  | ReadReplyMessage
  | ReadAtMessage
  | ReadAtReplyMessage
  | ReadSiblingsAtReplyMessage
  | HistoryReadMessage
  | HistoryReplyMessage
  | RepairMessage
  | ForwardMessage
  | ForwardReplyMessage
  | RepairPeerMessage;

export type PeerMessageKind = PeerMessage["kind"];

/** Checks a message received from the network, field by field. */
export function parsePeerMessage(message: unknown): Result<PeerMessage, KvError> {
  if (typeof message !== "object" || message === null) return malformed("not an object");
  const m = message as Record<string, unknown>;
  if (!isTimestamp(m.ts)) return malformed("ts is not an HLC timestamp");
  switch (m.kind) {
    case "write":
      if (!isOp(m.op) || !isName(m.bucket) || typeof m.key !== "string") return malformed("write: bad address");
      if (!isFence(m.fence) || !(m.record instanceof Uint8Array)) return malformed("write: bad fence or record");
      if (m.hint !== undefined && !isName(m.hint)) return malformed("write: bad hint");
      return ok(message as WriteMessage);
    case "write-ack":
      if (!isOp(m.op)) return malformed("write-ack: bad op");
      if (
        m.refused !== null &&
        m.refused !== "FENCED" &&
        m.refused !== "RECORD_CORRUPT" &&
        m.refused !== "HINTS_FULL"
      ) {
        return malformed("write-ack: bad refusal");
      }
      return ok(message as WriteAckMessage);
    case "heartbeat":
      if (typeof m.wallMs !== "number" || !Number.isFinite(m.wallMs)) return malformed("heartbeat: bad wallMs");
      return ok(message as HeartbeatMessage);
    case "handoff":
      if (!isOp(m.op) || !isName(m.bucket) || typeof m.key !== "string") return malformed("handoff: bad address");
      if (!isFence(m.fence) || !(m.record instanceof Uint8Array)) return malformed("handoff: bad fence or record");
      return ok(message as HandoffMessage);
    case "handoff-ack":
      if (!isOp(m.op)) return malformed("handoff-ack: bad op");
      if (m.refused !== null && m.refused !== "FENCED" && m.refused !== "RECORD_CORRUPT") {
        return malformed("handoff-ack: bad refusal");
      }
      return ok(message as HandoffAckMessage);
    case "read":
      if (!isOp(m.op) || !isName(m.bucket) || typeof m.key !== "string") return malformed("read: bad address");
      return ok(message as ReadMessage);
    case "read-reply":
      if (!isOp(m.op) || !(m.record === null || m.record instanceof Uint8Array)) return malformed("read-reply");
      if (m.recovering !== undefined && m.recovering !== true) return malformed("read-reply: bad recovering");
      return ok(message as ReadReplyMessage);
    case "read-at":
      if (!isOp(m.op) || !isName(m.bucket) || typeof m.key !== "string") return malformed("read-at: bad address");
      if (!isTime(m.at)) return malformed("read-at: bad at");
      return ok(message as ReadAtMessage);
    case "read-at-reply":
      if (!isOp(m.op) || !isVersion(m.version)) return malformed("read-at-reply: bad op or version");
      if (m.horizon !== null && (!isTime(m.horizon) || m.version !== null)) {
        return malformed("read-at-reply: bad horizon");
      }
      if (m.recovering !== undefined && (m.recovering !== true || m.version !== null || m.horizon !== null)) {
        return malformed("read-at-reply: bad recovering");
      }
      return ok(message as ReadAtReplyMessage);
    case "read-siblings-at-reply":
      if (!isOp(m.op) || !isSiblingList(m.siblings)) return malformed("read-siblings-at-reply: bad op or siblings");
      if (m.horizon !== null && (!isTime(m.horizon) || m.siblings !== null)) {
        return malformed("read-siblings-at-reply: bad horizon");
      }
      if (m.recovering !== undefined && (m.recovering !== true || m.siblings !== null || m.horizon !== null)) {
        return malformed("read-siblings-at-reply: bad recovering");
      }
      if (m.horizon === null && m.siblings === null && m.recovering !== true) {
        return malformed("read-siblings-at-reply: neither siblings nor horizon");
      }
      return ok(message as ReadSiblingsAtReplyMessage);
    case "history-read":
      if (!isOp(m.op) || !isName(m.bucket) || typeof m.key !== "string") return malformed("history-read: bad address");
      return ok(message as HistoryReadMessage);
    case "history-reply":
      if (!isOp(m.op) || !(m.horizon === null || isTime(m.horizon)))
        return malformed("history-reply: bad op or horizon");
      if (!isHistoryList(m.versions)) return malformed("history-reply: bad versions");
      return ok(message as HistoryReplyMessage);
    case "repair":
      if (!isName(m.bucket) || typeof m.key !== "string" || !(m.record instanceof Uint8Array)) {
        return malformed("repair: bad address or record");
      }
      if (m.pulled !== undefined && m.pulled !== true) return malformed("repair: bad pulled");
      return ok(message as RepairMessage);
    case "forward":
      if (!isOp(m.op) || typeof m.request !== "object" || m.request === null) return malformed("forward");
      return ok(message as ForwardMessage);
    case "forward-reply":
      if (!isOp(m.op) || typeof m.reply !== "object" || m.reply === null) return malformed("forward-reply");
      return ok(message as ForwardReplyMessage);
    default:
      // Anti-entropy and tombstone removal (node/repair-messages.ts).
      if (typeof m.kind === "string" && repairMessageKinds.includes(m.kind)) return parseRepairMessage(m);
      return malformed(`unknown kind ${describeValue(m.kind)}`);
  }
}

function isOp(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= requestIdCharsMax;
}

function isName(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

function isFence(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 && value <= fenceMax;
}

function isTime(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function isVersion(value: unknown): boolean {
  if (value === null) return true;
  if (typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return isTime(v.at) && isName(v.node) && (v.value === null || v.value instanceof Uint8Array);
}

/**
 * A replica's siblings at a timestamp (`null` with a horizon). At most the
 * live ones (`siblingsMax`) and the superseded ones a history keeps per key
 * (`historyVersionsPerKeyMax`) can be in one answer.
 */
function isSiblingList(value: unknown): boolean {
  if (value === null) return true;
  if (!Array.isArray(value) || value.length > siblingsMax + historyVersionsPerKeyMax) return false;
  return value.every((s: unknown) => {
    if (typeof s !== "object" || s === null) return false;
    const v = s as Record<string, unknown>;
    return (
      isName(v.replica) &&
      Number.isSafeInteger(v.counter) &&
      (v.counter as number) >= 1 &&
      isTime(v.at) &&
      (v.value === null || v.value instanceof Uint8Array)
    );
  });
}

function isHistoryList(value: unknown): boolean {
  if (!Array.isArray(value) || value.length > siblingsMax + historyVersionsPerKeyMax) return false;
  return value.every((e: unknown) => {
    if (typeof e !== "object" || e === null) return false;
    const v = e as Record<string, unknown>;
    return (
      isTime(v.at) &&
      isName(v.node) &&
      Number.isSafeInteger(v.bytes) &&
      (v.bytes as number) >= 0 &&
      typeof v.tombstone === "boolean" &&
      (v.counter === null || (Number.isSafeInteger(v.counter) && (v.counter as number) >= 1)) &&
      (v.supersededAt === null || isTime(v.supersededAt))
    );
  });
}

function malformed(detail: string): Result<PeerMessage, KvError> {
  return err(new KvError("MESSAGE_MALFORMED", detail));
}
