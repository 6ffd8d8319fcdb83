/**
 * Every error the HTTP API answers with: a status and a JSON body
 * `{ code, message }`, plus `definite` (and `got`/`need` for quorum
 * failures) when the store decided it. The table below is the one place a
 * code meets its status; the README lists both.
 */
import type { Failure, FailureCode } from "@skew/kv";

/** The store's failures (`@skew/kv`), by HTTP status. */
export const statusOfFailure: Readonly<Record<FailureCode, number>> = Object.freeze({
  INVALID_REQUEST: 400,
  KEY_TOO_LARGE: 413,
  VALUE_TOO_LARGE: 413,
  SIBLINGS_EXCEEDED: 409,
  FENCED: 409,
  CLOCK_OFFSET_EXCEEDED: 409,
  HISTORY_TRUNCATED: 410,
  SNAPSHOT_NOT_SAFE: 425,
  OVERLOADED: 429,
  TIMEOUT: 503,
  UNAVAILABLE: 503,
  CLOCK_UNAVAILABLE: 503,
});

/** The node's own codes (the store never saw the request, or it is not the store's business). */
export const nodeErrorCodes = Object.freeze({
  NOT_FOUND: { status: 404, message: "no value: the key was never written, or it was deleted" },
  BUCKET_NOT_FOUND: { status: 404, message: "no such bucket on this cluster" },
  ROUTE_NOT_FOUND: { status: 404, message: "no such route" },
  PRECONDITION_FAILED: { status: 412, message: "the condition of the request does not hold" },
  BODY_TOO_LARGE: { status: 413, message: "the request's body is larger than the limit" },
  HEADERS_TOO_LARGE: { status: 431, message: "the request's headers are larger than the limit" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: "this route does not take that content type" },
  MALFORMED_REQUEST: { status: 400, message: "the request is not well-formed" },
  UNAUTHORIZED: { status: 401, message: "credentials are required" },
  FORBIDDEN: { status: 403, message: "the credentials are wrong" },
  ADMIN_DISABLED: { status: 404, message: "the admin endpoints are off: start the node with an admin token" },
  SHUTTING_DOWN: { status: 503, message: "the node is shutting down" },
  UNKNOWN_NODE: { status: 404, message: "no member of this cluster has that id" },
  NODE_UNREACHABLE: { status: 502, message: "the member gave no usable answer" },
  DEMO_RUNNING: { status: 409, message: "a demonstration is already running on this node: wait for it" },
  DEMO_FAILED: { status: 502, message: "the demonstration could not finish" },
  DASHBOARD_NOT_BUILT: {
    status: 503,
    message: "the dashboard is not built: run `npm run build` (or `npm run build -w @skew/dashboard`) and reload",
  },
  INTERNAL: { status: 500, message: "an internal error; the node's log has the details" },
} as const);

export type NodeErrorCode = keyof typeof nodeErrorCodes;

export interface ErrorBody {
  readonly code: FailureCode | NodeErrorCode | string;
  readonly message: string;
  readonly definite?: boolean;
  readonly got?: number;
  readonly need?: number;
  readonly context?: string;
}

export class HttpError extends Error {
  readonly status: number;
  readonly body: ErrorBody;

  constructor(status: number, body: ErrorBody) {
    super(body.message);
    this.status = status;
    this.body = body;
  }

  /** A refusal of the node's own: the store never saw the request, so nothing was written (definite). */
  static of(code: NodeErrorCode, detail?: string): HttpError {
    const { status, message } = nodeErrorCodes[code];
    return new HttpError(status, {
      code,
      message: detail === undefined ? message : `${message}: ${detail}`,
      definite: true,
    });
  }

  static fromFailure(failure: Failure): HttpError {
    const { code, message, definite, got, need } = failure;
    const body: ErrorBody = {
      code,
      message,
      definite,
      ...(got === undefined ? {} : { got }),
      ...(need === undefined ? {} : { need }),
    };
    return new HttpError(statusOfFailure[code] ?? 500, body);
  }
}
