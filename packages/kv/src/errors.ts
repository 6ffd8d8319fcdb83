/**
 * The one registry of @skew/kv's failures (each documented in the README).
 *
 * A client's request fails as a value: `{ ok: false, code, definite, ... }`
 * (`Failure`). `definite: true` means nothing was written anywhere, so the
 * client may retry freely; `definite: false` means the write may have been
 * applied at some replica and may yet surface (Jepsen's `:info`). Data that
 * is not what it claims to be (a record whose checksum fails, a message
 * that does not parse) comes back as a `KvError` value from the decoders.
 * Programming mistakes (a node id that is not a string, a quorum larger than
 * N) are `TypeError`/`RangeError`; broken invariants are `AssertionError`.
 */
import { SkewError } from "@skew/env";

export const kvErrorCodes = Object.freeze({
  /** The request is not well-formed: unknown kind, a missing key, a quorum larger than N, a bad context. */
  INVALID_REQUEST: "the request is not well-formed",
  /** The key is longer than `keyBytesMax` or the bucket than `bucketBytesMax`. */
  KEY_TOO_LARGE: "the key or bucket is longer than the limit",
  /** The value is longer than `valueBytesMax`. */
  VALUE_TOO_LARGE: "the value is longer than the limit",
  /** A causal write would leave more than `siblingsMax` siblings: read, resolve, write back. */
  SIBLINGS_EXCEEDED: "the write would leave more siblings than the limit",
  /** The write's fencing token is below the highest one a replica has seen for the key. */
  FENCED: "a newer fencing token has been seen for this key",
  /** Fewer replicas answered in time than the quorum needs. */
  TIMEOUT: "the quorum did not answer in time",
  /** Too few replicas are unsuspected for the quorum (R/W or strict PR/PW): nothing was sent, or every replica refused. */
  UNAVAILABLE: "too few replicas are available for the quorum",
  /** The coordinator's clock cannot stamp the write: a TrueTime clock never synchronized. */
  CLOCK_UNAVAILABLE: "the clock that stamps this bucket's writes is not available",
  /** The context handed back carries a timestamp too far ahead of this node's clock (HLC max offset). */
  CLOCK_OFFSET_EXCEEDED: "the context's timestamp is too far ahead of this node's clock",
  /** A read at a timestamp below the history's horizon at too many replicas: the versions that would answer it were dropped. */
  HISTORY_TRUNCATED: "the history was truncated above the timestamp read at",
  /** A read at a timestamp that a write may still land at or before (not yet safe, or never in this mode) and the request did not ask to wait. */
  SNAPSHOT_NOT_SAFE: "the timestamp read at is not safe: a write at or before it may still be accepted",
  /** The node coordinates `requestsInFlightMax` requests already. */
  OVERLOADED: "the node coordinates too many requests",
  /** Stored or replicated bytes that are not a record (truncated, unknown version or kind). */
  RECORD_MALFORMED: "the bytes are not an encoded record",
  /** A record whose CRC-32C does not match: bit rot or a torn write. Treated as missing, never served. */
  RECORD_CORRUPT: "the record's checksum does not match",
  /** A peer message that does not parse. */
  MESSAGE_MALFORMED: "the peer message is not well-formed",
} as const);

export type KvErrorCode = keyof typeof kvErrorCodes;

export class KvError extends SkewError<KvErrorCode> {
  override name = "KvError";

  constructor(code: KvErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(code, detail === undefined ? kvErrorCodes[code] : `${kvErrorCodes[code]}: ${detail}`, options);
  }
}

/** The codes a client request can fail with. */
export type FailureCode = Exclude<KvErrorCode, "RECORD_MALFORMED" | "RECORD_CORRUPT" | "MESSAGE_MALFORMED">;

/** A client request's failure, as a value. */
export interface Failure {
  readonly ok: false;
  readonly code: FailureCode;
  /** True: nothing was written anywhere. False: the write may have been applied somewhere (Jepsen's `:info`). */
  readonly definite: boolean;
  readonly message: string;
  /** For quorum failures: how many replicas answered, and how many were needed. */
  readonly got?: number;
  readonly need?: number;
}

export function failure(
  code: FailureCode,
  definite: boolean,
  detail?: string,
  counts?: { readonly got: number; readonly need: number },
): Failure {
  const message = detail === undefined ? kvErrorCodes[code] : `${kvErrorCodes[code]}: ${detail}`;
  return counts === undefined
    ? { ok: false, code, definite, message }
    : { ok: false, code, definite, message, ...counts };
}
