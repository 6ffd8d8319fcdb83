/**
 * The one error a call of the client fails with at run time. A failure says
 * what a caller most needs to know after a write that did not come back:
 * `definite` is true only when nothing was written (the node said so, or
 * the request certainly never reached a node); false means the write may
 * have been applied and may yet show up (Jepsen's `:info`). Programming
 * mistakes (an option of the wrong type, a closed client) are `TypeError`s
 * and `RangeError`s, thrown before anything is sent.
 */
import { SkewError } from "@skew/env";

/** Failures that the client itself observed: no node answered with a code. */
export const clientErrorCodes = Object.freeze({
  /** The connection failed: refused, unresolvable or timed out while connecting (definite), or dropped after the request left (not). */
  NETWORK_ERROR: "the node could not be reached, or the connection dropped",
  /** No answer within the client's wait; the request may have been handled (never definite). */
  CLIENT_TIMEOUT: "the node did not answer in time",
  /** The answer is not what the node's API sends (not JSON, or not the documented shape). */
  INVALID_RESPONSE: "the node's answer is not a valid reply",
  /** The caller's `signal` aborted the call. */
  ABORTED: "the call was aborted",
} as const);

export type ClientErrorCode = keyof typeof clientErrorCodes;

/**
 * The codes a node answers with (its README lists each with its status):
 * the store's failures, then the node's own. `NOT_FOUND` never reaches a
 * caller of `get` (that is `found: false`).
 */
export const serverErrorCodes = Object.freeze([
  "INVALID_REQUEST",
  "KEY_TOO_LARGE",
  "VALUE_TOO_LARGE",
  "SIBLINGS_EXCEEDED",
  "FENCED",
  "CLOCK_OFFSET_EXCEEDED",
  "HISTORY_TRUNCATED",
  "SNAPSHOT_NOT_SAFE",
  "OVERLOADED",
  "TIMEOUT",
  "UNAVAILABLE",
  "CLOCK_UNAVAILABLE",
  "NOT_FOUND",
  "BUCKET_NOT_FOUND",
  "ROUTE_NOT_FOUND",
  "PRECONDITION_FAILED",
  "BODY_TOO_LARGE",
  "HEADERS_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "MALFORMED_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "ADMIN_DISABLED",
  "SHUTTING_DOWN",
  "UNKNOWN_NODE",
  "NODE_UNREACHABLE",
  "DEMO_RUNNING",
  "DEMO_FAILED",
  "DASHBOARD_NOT_BUILT",
  "INTERNAL",
] as const);

export type ServerErrorCode = (typeof serverErrorCodes)[number];

/** Every documented code; a newer node may send one that is not listed yet, which comes through as it is. */
export type SkewClientErrorCode = ClientErrorCode | ServerErrorCode;

/** What one attempt's failure is made of; `SkewClientError` adds how the whole call went. */
export interface FailureDetails {
  readonly code: SkewClientErrorCode | (string & Record<never, never>);
  readonly message: string;
  readonly definite: boolean;
  /** The HTTP status, when a node answered. */
  readonly status?: number;
  /** For quorum failures: how many replicas answered, and how many were needed. */
  readonly got?: number;
  readonly need?: number;
  /** The base URL of the node the attempt went to. */
  readonly node?: string;
  readonly cause?: unknown;
}

export class SkewClientError extends SkewError<SkewClientErrorCode | (string & Record<never, never>)> {
  override name = "SkewClientError";
  /** The HTTP status of the node's answer; absent when no node answered (network, timeout, abort). */
  declare readonly status?: number;
  /**
   * True: no attempt of this call can have written anything (a node said so,
   * a node refused the request outright with a 4xx status, or no connection
   * was ever opened). False: a write may have been applied.
   */
  readonly definite: boolean;
  declare readonly got?: number;
  declare readonly need?: number;
  /** The node the last attempt went to (absent if the call was aborted before any). */
  declare readonly node?: string;
  /** Requests this call made (1 + retries taken). */
  readonly attempts: number;

  constructor(details: FailureDetails, attempts: number) {
    super(details.code, details.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.definite = details.definite;
    this.attempts = attempts;
    if (details.status !== undefined) this.status = details.status;
    if (details.got !== undefined) this.got = details.got;
    if (details.need !== undefined) this.need = details.need;
    if (details.node !== undefined) this.node = details.node;
  }
}

export function isSkewClientError(error: unknown): error is SkewClientError {
  return error instanceof SkewClientError;
}
