/**
 * What the client takes and gives back. Options mirror the node's query
 * parameters (README of @skew/node), with `timeoutMs` for its `timeout`;
 * replies are the node's JSON with values decoded from base64 to bytes
 * (their shapes: shapes.ts, exported by api.ts and index.ts).
 */
import type { Dispatcher } from "undici";
import type { Sibling } from "./shapes.js";

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

/** What `update`'s resolver returns: the value to write (bytes, text, or either with its content type). */
export type Resolved = Uint8Array | string | { readonly value: Uint8Array | string; readonly contentType?: string };

/** Merges the siblings of a read into one value; called with `[]` when the key has none. */
export type Resolver = (siblings: readonly Sibling[]) => Resolved | Promise<Resolved>;
