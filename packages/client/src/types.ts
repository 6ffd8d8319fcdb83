/**
 * What the client takes and gives back. Options mirror the node's query
 * parameters (README of @skew/node), with `timeoutMs` for its `timeout`;
 * replies are the node's JSON with values decoded from base64 to bytes.
 */
import type { Dispatcher } from "undici";

export interface SkewClientOptions {
  /** Base URLs of the nodes (`http://host:port`, optionally with a path prefix); any node coordinates any request. */
  readonly nodes: readonly string[];
  /** How long to wait for one node's answer, in ms (default 5000). */
  readonly timeoutMs?: number;
  /** How many further attempts a call may make after a failure that allows one (default 2). */
  readonly retries?: number;
  /** An undici dispatcher to send through (default: the client's own keep-alive `Agent`, closed by `close()`). */
  readonly dispatcher?: Dispatcher;
  /** How long the client's own agent waits for a connection, in ms (default 1000); not with `dispatcher`. */
  readonly connectTimeoutMs?: number;
}

/** Options every call takes. */
export interface CallOptions {
  /** Aborts the call (code `ABORTED`), whatever attempt it is at. */
  readonly signal?: AbortSignal;
}

/** How many replicas, and how long the coordinator waits for them. */
export interface QuorumOptions extends CallOptions {
  /** Replicas of the key (N). */
  readonly n?: number;
  /**
   * How long the coordinator waits for its quorum, in ms (the node's
   * `timeout`; the node's default is 2000). The client then waits this long
   * plus a margin, or its own `timeoutMs` if that is longer.
   */
  readonly timeoutMs?: number;
}

export interface ReadQuorumOptions extends QuorumOptions {
  /** Replies a read waits for (R). */
  readonly r?: number;
  /** Of those, how many must come from primaries (PR). */
  readonly pr?: number;
}

export interface WriteQuorumOptions extends QuorumOptions {
  /** Acknowledgements a write waits for (W). */
  readonly w?: number;
  /** Of those, how many must come from primaries (PW). */
  readonly pw?: number;
}

export interface GetOptions extends ReadQuorumOptions {
  /** Read the key as of this timestamp, in the bucket's clock (ms, a packed HLC timestamp or a Lamport counter). */
  readonly at?: number;
  /** With `at`: wait until no write at or before `at` can still be accepted, instead of failing `SNAPSHOT_NOT_SAFE`. */
  readonly wait?: boolean;
}

export interface WriteOptions extends WriteQuorumOptions {
  /** The context of the read this write follows: the write supersedes what that read saw. */
  readonly context?: string;
  /** A fencing token: replicas refuse the write (`FENCED`) if they have seen a higher one for the key. */
  readonly fence?: number;
  /** Write only if the key's context is still this one (`PRECONDITION_FAILED` otherwise); checked by a read first, not atomically. */
  readonly ifMatch?: string;
}

export interface PutOptions extends WriteOptions {
  /** The value's content type (default `text/plain; charset=utf-8` for a string, `application/octet-stream` for bytes). */
  readonly contentType?: string;
  /** Write only if the key has no value (`PRECONDITION_FAILED` otherwise); checked by a read first, not atomically. */
  readonly ifNoneMatch?: boolean;
}

export type DeleteOptions = WriteOptions;

export interface SnapshotOptions extends ReadQuorumOptions {
  /** Wait until `at` is safe instead of failing `SNAPSHOT_NOT_SAFE`. */
  readonly wait?: boolean;
}

export type HistoryOptions = QuorumOptions;

export interface UpdateOptions extends ReadQuorumOptions {
  readonly w?: number;
  readonly pw?: number;
  readonly fence?: number;
  /** The content type of what `resolve` returns, when it returns bare bytes or a string. */
  readonly contentType?: string;
}

/** For `/health` and `/cluster`, which are about one node. */
export interface NodeCallOptions extends CallOptions {
  /** The node to ask, a base URL (default: the first of the client's nodes). */
  readonly node?: string;
}

/** One value of a key; a causal bucket may hold several at once (siblings). */
export interface Sibling {
  readonly value: Uint8Array;
  readonly contentType: string;
}

export interface GetResult {
  /** False when the key has no value (never written, or deleted). */
  readonly found: boolean;
  /** Every sibling; one in an LWW bucket, none when not found. */
  readonly siblings: readonly Sibling[];
  /** The opaque causal context: hand it back with the write that follows (empty for a read of the past). */
  readonly context: string;
}

export interface PutResult {
  /** The context after the write: a write with it supersedes this one. */
  readonly context: string;
  /** How many siblings the key holds after the write. */
  readonly siblings: number;
  /** Set when the key holds many siblings: read, resolve, write back. */
  readonly warning?: string;
}

export interface DeleteResult {
  readonly context: string;
  readonly siblings: number;
}

export interface SnapshotEntry {
  readonly key: string;
  readonly found: boolean;
  readonly siblings: readonly Sibling[];
}

export interface SnapshotResult {
  readonly at: number;
  /** One per requested key, in the request's order. */
  readonly entries: readonly SnapshotEntry[];
}

export interface HistoryVersion {
  /** The version's stamp, in the bucket's clock. */
  readonly at: number;
  /** The node that stamped it. */
  readonly node: string;
  readonly bytes: number;
  readonly tombstone: boolean;
  /** A causal sibling's dot counter; null in LWW buckets. */
  readonly counter: number | null;
  /** A causal sibling: the stamp of the write that superseded it; null while live and in LWW buckets. */
  readonly supersededAt: number | null;
}

export interface HistoryReplica {
  readonly node: string;
  readonly state: "answered" | "suspected" | "no-answer";
  /** Below this stamp the replica's history was dropped; null if nothing was. */
  readonly horizon?: number | null;
  readonly versions?: readonly HistoryVersion[];
}

export interface HistoryResult {
  readonly bucket: string;
  readonly key: string;
  readonly mode: string;
  readonly replicas: readonly HistoryReplica[];
}

export interface HealthResult {
  /** `ok` while the node serves; `closing` or `failed` otherwise (answered with 503). */
  readonly status: string;
  readonly node: string;
  readonly uptimeMs: number;
  readonly requestsInFlight: number;
}

export interface ClusterMember {
  readonly id: string;
  readonly url: string;
  readonly self: boolean;
  readonly phi?: number | null;
  readonly suspected?: boolean;
  readonly lastHeartbeatAgoMs?: number | null;
  readonly clockOffsetMs?: number | null;
}

/** A node's clocks as it reads them: its wall clock (with the admin's offset and drift), the HLC and TrueTime. */
export interface ClusterClock {
  readonly wallMs: number;
  /** The machine's own clock, before the admin's offset and drift. */
  readonly systemMs: number;
  readonly offsetMs: number;
  readonly driftPpm: number;
  /** The last HLC timestamp issued, packed (a value for `at` in `lww-hlc` and `causal` buckets). */
  readonly hlc: number;
  /** TrueTime's interval; null until the clock has synchronised. */
  readonly truetime: { readonly earliest: number; readonly latest: number } | null;
}

export interface ClusterView {
  /** The id of the node that answered. */
  readonly node: string;
  readonly cluster: string;
  /** Bucket name to conflict mode. */
  readonly buckets: Readonly<Record<string, string>>;
  readonly clock: ClusterClock;
  readonly members: readonly ClusterMember[];
  readonly hints: number;
  readonly storage: Readonly<Record<string, unknown>>;
  readonly transport: Readonly<Record<string, unknown>>;
}

/** What `update`'s resolver returns: the value to write (bytes, text, or either with its content type). */
export type Resolved = Uint8Array | string | { readonly value: Uint8Array | string; readonly contentType?: string };

/** Merges the siblings of a read into one value; called with `[]` when the key has none. */
export type Resolver = (siblings: readonly Sibling[]) => Resolved | Promise<Resolved>;
