/**
 * What a client asks of a coordinator, and what it gets back (Dynamo's
 * interface: `get(key) -> (values, context)`, `put(key, context, value)`;
 * Riak's per-request `n_val`, `r`, `w`, `pr`, `pw` and `timeout`).
 *
 * `parseClientRequest` validates and normalises: limits are checked here,
 * at the edge, with typed failures, and every default is filled in so the
 * coordinator trusts what it is handed. A refused request was never started,
 * so its failure is definite.
 */
import { err, hasLoneSurrogate, ok, type Result, utf8Length } from "@skew/env";
import {
  bucketBytesMax,
  fenceMax,
  keyBytesMax,
  readQuorumDefault,
  replicasDefault,
  replicasMax,
  requestTimeoutMsDefault,
  requestTimeoutMsMax,
  valueBytesMax,
  writeQuorumDefault,
} from "./constants.js";
import { type Failure, failure } from "./errors.js";
import type { HistoryEntry } from "./messages.js";
import type { ConflictMode } from "./modes.js";

/** Per-request replication and quorums; absent fields take the defaults (3/2/2, PR = PW = 0). */
export interface QuorumOptions {
  /** Replicas of the key (N). */
  readonly n?: number;
  /** Replies a read waits for (R). */
  readonly r?: number;
  /** Acknowledgements a write waits for (W). */
  readonly w?: number;
  /** Of the R replies, how many must come from primaries (PR, strict quorum). */
  readonly pr?: number;
  /** Of the W acknowledgements, how many must come from primaries (PW, strict quorum). */
  readonly pw?: number;
  /** How long the coordinator waits before answering `TIMEOUT`, in ms of its monotonic clock. */
  readonly timeoutMs?: number;
}

export interface GetRequest extends QuorumOptions {
  readonly kind: "get";
  readonly bucket: string;
  readonly key: string;
  /**
   * Read the key as of this timestamp, in the bucket's clock (a packed HLC
   * timestamp for `lww-hlc`, ms for `lww-wall` and `lww-truetime`, a
   * counter for `lww-lamport`; in a causal bucket, an HLC timestamp): the newest
   * version at or before it, or `HISTORY_TRUNCATED` when it is below the
   * replicas' history horizon. Safe time: see `wait`.
   */
  readonly at?: number;
  /**
   * With `at`: what to do when `at` is not safe yet (a write stamped at or
   * before it may still be accepted; README, "Reading the past"): `true`
   * holds the read until it is safe (within `timeoutMs`), `false` (the
   * default) fails it with `SNAPSHOT_NOT_SAFE`. In `lww-wall` and
   * `lww-lamport` no timestamp is ever safe: `true` fails, `false` reads
   * unsafely.
   */
  readonly wait?: boolean;
}

/** Several keys of one bucket as of one timestamp (at most `snapshotKeysMax` keys); in a causal bucket, the siblings that existed then. */
export interface SnapshotRequest extends Omit<QuorumOptions, "w" | "pw"> {
  readonly kind: "snapshot";
  readonly bucket: string;
  readonly keys: readonly string[];
  readonly at: number;
  readonly wait?: boolean;
}

export interface SnapshotReply {
  readonly ok: true;
  readonly kind: "snapshot";
  readonly at: number;
  /** Per requested key, in the request's order: the value at `at` (empty: absent or deleted). */
  readonly entries: readonly { readonly key: string; readonly values: Uint8Array[] }[];
  /** Always "": the past is not a read to write after (as a `get` with `at`), and every success carries a context. */
  readonly context: "";
}

/**
 * What each replica of a key keeps of its history (for the dashboard and for
 * debugging): the versions, oldest first, with their stamps, writers and
 * sizes, never their values. Asks the key's N primaries; suspected ones are
 * not asked.
 */
export interface HistoryRequest extends Pick<QuorumOptions, "n" | "timeoutMs"> {
  readonly kind: "history";
  readonly bucket: string;
  readonly key: string;
}

/** One replica's part of a `history` reply. */
export type ReplicaHistory =
  | {
      readonly node: string;
      readonly state: "answered";
      /** Below this stamp the replica dropped versions (`null`: none dropped). */
      readonly horizon: number | null;
      readonly versions: readonly HistoryEntry[];
    }
  /** Not asked (`suspected` by the failure detector) or silent until the deadline (`no-answer`). */
  | { readonly node: string; readonly state: "suspected" | "no-answer" };

export interface HistoryReply {
  readonly ok: true;
  readonly kind: "history";
  readonly bucket: string;
  readonly key: string;
  readonly mode: ConflictMode;
  /** One per primary of the key, in preference-list order. */
  readonly replicas: readonly ReplicaHistory[];
  /** Always "": a history is not a read to write after. */
  readonly context: "";
}

export interface PutRequest extends QuorumOptions {
  readonly kind: "put";
  readonly bucket: string;
  readonly key: string;
  readonly value: Uint8Array;
  /** The context of the read this write follows ("" or absent: a blind write). */
  readonly context?: string;
  /** The writer's fencing token (absent: 0). */
  readonly fence?: number;
}

export interface DeleteRequest extends QuorumOptions {
  readonly kind: "delete";
  readonly bucket: string;
  readonly key: string;
  readonly context?: string;
  readonly fence?: number;
}

export type ClientRequest = GetRequest | PutRequest | DeleteRequest | SnapshotRequest | HistoryRequest;

/** A request with every default filled in and every limit checked. */
export interface NormalRequest {
  readonly kind: "get" | "put" | "delete";
  readonly bucket: string;
  readonly key: string;
  /** The value to write; `null` for a delete (a tombstone) and for a get. */
  readonly value: Uint8Array | null;
  readonly context: string;
  readonly fence: number;
  readonly n: number;
  /** R for a get, W for a write. */
  readonly quorum: number;
  /** PR for a get, PW for a write. */
  readonly primaryQuorum: number;
  readonly timeoutMs: number;
  /** A get's timestamp to read at (absent: the current version). */
  readonly at?: number;
  /** With `at`: wait for safe time rather than fail `SNAPSHOT_NOT_SAFE` (absent: false). */
  readonly wait?: boolean;
}

export interface GetReply {
  readonly ok: true;
  readonly kind: "get";
  /** The live sibling values (one at most in a last-write-wins bucket); empty when not found or deleted. */
  readonly values: Uint8Array[];
  /** Opaque: hand it back with the next write of this key. */
  readonly context: string;
}

export interface WriteReply {
  readonly ok: true;
  readonly kind: "put" | "delete";
  /** The context of the version just written. */
  readonly context: string;
  /** Siblings the key holds at the coordinator after the write (causal buckets); 1 in last-write-wins buckets. */
  readonly siblings: number;
  /** Set when `siblings` passed `siblingsWarn`: read, resolve and write back. */
  readonly warning?: "SIBLINGS_WARN";
}

export type ClientReply = GetReply | WriteReply | SnapshotReply | HistoryReply | Failure;

export function parseClientRequest(request: unknown, clusterSize: number): Result<NormalRequest, Failure> {
  if (typeof request !== "object" || request === null) return invalid("a request is an object");
  const r = request as Record<string, unknown>;
  const kind = r.kind;
  if (kind !== "get" && kind !== "put" && kind !== "delete") return invalid('kind is "get", "put" or "delete"');
  const { bucket, key } = r;
  if (typeof bucket !== "string" || bucket === "" || bucket.includes("\u0000")) {
    return invalid("bucket is a non-empty string without NUL");
  }
  if (typeof key !== "string") return invalid("key is a string");
  if (hasLoneSurrogate(bucket) || hasLoneSurrogate(key)) {
    return invalid("bucket and key hold no lone surrogate (UTF-8 cannot carry one, so two keys would become one)");
  }
  if (utf8Length(bucket) > bucketBytesMax) {
    return err(failure("KEY_TOO_LARGE", true, `the bucket is longer than ${bucketBytesMax} UTF-8 bytes`));
  }
  if (utf8Length(key) > keyBytesMax) {
    return err(failure("KEY_TOO_LARGE", true, `the key is longer than ${keyBytesMax} UTF-8 bytes`));
  }
  let value: Uint8Array | null = null;
  if (kind === "put") {
    if (!(r.value instanceof Uint8Array)) return invalid("a put's value is a Uint8Array");
    if (r.value.length > valueBytesMax) {
      return err(failure("VALUE_TOO_LARGE", true, `${r.value.length} bytes, more than ${valueBytesMax}`));
    }
    value = r.value;
  }
  const context = r.context ?? "";
  if (kind === "get" ? r.context !== undefined : typeof context !== "string") return invalid("context is a string");
  const fence = r.fence ?? 0;
  if (kind === "get" ? r.fence !== undefined : !isCount(fence, fenceMax)) {
    return invalid("fence is an integer in [0, 2^53 - 1], on writes only");
  }
  const n = r.n ?? Math.min(replicasDefault, clusterSize);
  if (!isCount(n, Math.min(replicasMax, clusterSize)) || n === 0) {
    return invalid(`n is an integer in [1, ${Math.min(replicasMax, clusterSize)}] (the cluster's size)`);
  }
  const quorumField = kind === "get" ? "r" : "w";
  const quorum = r[quorumField] ?? Math.min(kind === "get" ? readQuorumDefault : writeQuorumDefault, n);
  if (!isCount(quorum, n) || quorum === 0) return invalid(`${quorumField} is an integer in [1, n]`);
  const primaryField = kind === "get" ? "pr" : "pw";
  const primaryQuorum = r[primaryField] ?? 0;
  if (!isCount(primaryQuorum, n)) return invalid(`${primaryField} is an integer in [0, n]`);
  const timeoutMs = r.timeoutMs ?? requestTimeoutMsDefault;
  if (typeof timeoutMs !== "number" || !(timeoutMs > 0 && timeoutMs <= requestTimeoutMsMax)) {
    return invalid(`timeoutMs is in (0, ${requestTimeoutMsMax}]`);
  }
  const at = r.at;
  if (at !== undefined && (kind !== "get" || typeof at !== "number" || !Number.isFinite(at) || at < 0)) {
    return invalid("at is a finite number >= 0, on gets only");
  }
  const wait = r.wait;
  if (wait !== undefined && (at === undefined || typeof wait !== "boolean")) {
    return invalid("wait is a boolean, on reads at a timestamp only");
  }
  const extra = Object.keys(r).find((name) => !knownFields.has(name));
  if (extra !== undefined) return invalid(`unknown field ${JSON.stringify(extra)}`);
  return ok({
    kind,
    bucket,
    key,
    value,
    context: context as string,
    fence: fence as number,
    n: n as number,
    quorum: quorum as number,
    primaryQuorum: primaryQuorum as number,
    timeoutMs,
    ...(at === undefined ? {} : { at: at as number }),
    ...(wait === undefined ? {} : { wait }),
  });
}

const knownFields = new Set([
  "kind",
  "bucket",
  "key",
  "value",
  "context",
  "fence",
  "n",
  "r",
  "w",
  "pr",
  "pw",
  "timeoutMs",
  "at",
  "wait",
]);

function isCount(value: unknown, max: number): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 && value <= max;
}

function invalid(detail: string): Result<never, Failure> {
  return err(failure("INVALID_REQUEST", true, detail));
}
