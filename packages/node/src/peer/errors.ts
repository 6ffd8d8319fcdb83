/**
 * Why a replica refused another's request, as values: each code has one
 * message and one HTTP status, so the server answers every refusal the same
 * way and the sender can tell a damaged or malformed body (4xx it should not
 * retry unchanged) from a credential problem (401: missing or stale, 403:
 * wrong). A misconfigured secret is a third kind, found at start and never
 * sent over HTTP.
 */
import { SkewError } from "@skew/env";

export const wireErrorCodes = Object.freeze({
  /** The body is not a version 1 envelope: not msgpack, a field missing, extra or of the wrong type, non-plain data. */
  ENVELOPE_MALFORMED: { status: 400, message: "a frame is not a well-formed envelope" },
  /** The envelope's `v` is not one this node speaks (a rolling upgrade gone wrong). */
  ENVELOPE_VERSION_UNSUPPORTED: { status: 400, message: "the envelope's version is not supported" },
  /** A frame is larger than `envelopeBytesMax`, or carries more than `envelopeMessagesMax` messages. */
  ENVELOPE_TOO_LARGE: { status: 413, message: "the envelope is larger than the limit" },
  /** A frame's envelope names another cluster, sender or recipient than the stream's signed opening. */
  ENVELOPE_MISMATCH: { status: 400, message: "the envelope disagrees with the stream's signed opening" },
  /** A frame's payload does not have the CRC-32C its header states: it was damaged on the way. */
  CHECKSUM_MISMATCH: { status: 400, message: "a frame's checksum does not match" },
} as const);

export const authErrorCodes = Object.freeze({
  /** A required authentication header is absent: the caller is not a replica of any cluster. */
  AUTH_MISSING: { status: 401, message: "the request is not authenticated" },
  /** A malformed credential, a wrong signature (wrong secret, altered request), another cluster or recipient, a sender that is not a member. */
  AUTH_INVALID: { status: 403, message: "the request's credentials are not valid" },
  /** The signed send time is further from this machine's clock than `authSkewToleranceMs`: a replay, or a clock far off. */
  AUTH_EXPIRED: { status: 401, message: "the request's signature has expired" },
  /** A stream opening whose nonce was already used within the replay window: a captured opening sent again. */
  AUTH_REPLAYED: { status: 401, message: "the stream's opening was already used" },
} as const);

export type WireErrorCode = keyof typeof wireErrorCodes;
export type AuthErrorCode = keyof typeof authErrorCodes;

/** A body that is not what a replica sends. */
export class WireError extends SkewError<WireErrorCode> {
  override name = "WireError";

  constructor(code: WireErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(code, withDetail(wireErrorCodes[code].message, detail), options);
  }
}

/** A request that did not prove it comes from a member of this cluster, recently. */
export class AuthError extends SkewError<AuthErrorCode> {
  override name = "AuthError";

  constructor(code: AuthErrorCode, detail?: string) {
    super(code, withDetail(authErrorCodes[code].message, detail));
  }
}

export const peerConfigErrorCodes = Object.freeze({
  /** The cluster secret is not a string or bytes, or is shorter than `clusterSecretBytesMin`. */
  CLUSTER_SECRET_INVALID: "the cluster secret is not acceptable",
} as const);

export type PeerConfigErrorCode = keyof typeof peerConfigErrorCodes;

/** A configuration that cannot authenticate anyone safely; found when the node starts. */
export class PeerConfigError extends SkewError<PeerConfigErrorCode> {
  override name = "PeerConfigError";

  constructor(code: PeerConfigErrorCode, detail?: string) {
    super(code, withDetail(peerConfigErrorCodes[code], detail));
  }
}

/** The status the server answers a refused peer request with. */
export function httpStatusOf(error: WireError | AuthError): number {
  if (error instanceof WireError) return wireErrorCodes[error.code].status;
  if (error instanceof AuthError) return authErrorCodes[error.code].status;
  throw new TypeError("httpStatusOf: not a WireError or an AuthError");
}

function withDetail(message: string, detail: string | undefined): string {
  return detail === undefined ? message : `${message}: ${detail}`;
}
