/**
 * Authentication between replicas with one shared cluster secret, so that
 * nobody without it can inject replica writes. The sender signs each
 * request with HMAC-SHA256 (RFC 2104) over a canonical string of what the
 * receiver trusts from the headers followed by the body itself:
 *
 *   JSON.stringify(["skew-peer-v1", method, path, cluster, from, to, sentAtMs]) + "\n" + body
 *
 * The body, not its CRC-32C: a CRC is linear, so anyone holding one signed
 * request could write a different body with the same CRC and replay the
 * signature with it. HMAC-SHA256 over the body is cheap: about 3 µs for a
 * 280-byte body and 8 µs for a 7 KiB one on the development machine. The
 * headers' fields are in the string so a signature cannot be moved to
 * another route, another cluster that shares the secret, another recipient,
 * or another time; JSON makes the string unambiguous whatever the names hold. This is AWS SigV4's and
 * Stripe's webhook scheme, minus what a private cluster does not need.
 *
 * Headers: `x-skew-auth: v1=<64 lowercase hex>`, `x-skew-cluster`,
 * `x-skew-from`, `x-skew-to` (names percent-encoded) and `x-skew-sent-at`
 * (ms since the epoch on the sender's REAL system clock, decimal).
 *
 * A request is refused as AUTH_MISSING (401) when a header is absent,
 * AUTH_INVALID (403) when a header is malformed, names another cluster or
 * recipient, its signature does not match (wrong secret, altered request)
 * or its sender is not a member, and AUTH_EXPIRED (401) when its send time
 * is further than `authSkewToleranceMs` from the receiver's REAL system
 * clock. Signatures are compared with `timingSafeEqual`, on two 32-byte
 * buffers always: a header that does not hold exactly 64 hex digits is
 * refused before any comparison.
 *
 * What this does not do: hide the traffic (use a private network or TLS),
 * or stop an eavesdropper from replaying a captured request within the
 * window (kv's messages are idempotent merges and acknowledgements, so a
 * replay repeats what already happened; a cache of recent signatures would
 * close it, at rate x window entries).
 */
import { timingSafeEqual } from "node:crypto";
import { assert, describeValue, err, ok, type Result } from "@skew/env";
import { authSkewToleranceMs } from "./constants.js";
import { AuthError } from "./errors.js";
import { nameFromHeader, nameToHeader, peerNameProblem } from "./names.js";
import { ClusterSecret } from "./secret.js";

export const authHeader = "x-skew-auth";
export const clusterHeader = "x-skew-cluster";
export const fromHeader = "x-skew-from";
export const toHeader = "x-skew-to";
export const sentAtHeader = "x-skew-sent-at";

/** The headers `signRequest` writes, every one of which `verifyRequest` requires. */
export type AuthHeaders = Readonly<Record<(typeof authHeaders)[number], string>>;

const authHeaders = [authHeader, clusterHeader, fromHeader, toHeader, sentAtHeader] as const;

/** Request headers as node's `http` hands them over (lowercase names; a repeated header may be an array). */
export type ReceivedHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

const signaturePrefix = "v1=";
const signaturePattern = /^v1=[0-9a-f]{64}$/;
const sentAtPattern = /^(?:0|[1-9][0-9]{0,15})$/;
const signatureBytes = 32;

/** One node's view of its cluster, for signing what it sends and checking what it receives. */
export interface PeerAuth {
  readonly secret: ClusterSecret;
  readonly cluster: string;
  /** This node's id: the `from` of what it signs, the `to` it requires of what it receives. */
  readonly self: string;
  /** Every node id of the cluster, this one included: the only senders accepted. */
  readonly members: ReadonlySet<string>;
}

/** Checks and freezes a node's authentication settings. Throws on a programming mistake (names are checked at config). */
export function createPeerAuth(options: {
  readonly secret: ClusterSecret;
  readonly cluster: string;
  readonly self: string;
  readonly members: Iterable<string>;
}): PeerAuth {
  const { secret, cluster, self } = options;
  if (!(secret instanceof ClusterSecret)) {
    throw new TypeError("createPeerAuth: secret must come from checkClusterSecret");
  }
  assertName("cluster", cluster);
  assertName("self", self);
  const members = new Set<string>();
  for (const member of options.members) {
    assertName("a member", member);
    members.add(member);
  }
  if (!members.has(self)) throw new TypeError(`createPeerAuth: self ${JSON.stringify(self)} is not among the members`);
  return Object.freeze({ secret, cluster, self, members });
}

/** What a signature covers, beyond the sender and its cluster (which come from `PeerAuth`). */
export interface SignedRequest {
  readonly method: string;
  /** The URL path, without a query string. */
  readonly path: string;
  readonly to: string;
  /** The sender's REAL system clock, in ms since the epoch (`Date.now()`), never the node's skewable clock. */
  readonly sentAtMs: number;
  readonly body: Uint8Array;
}

/** The headers that authenticate a request from `auth.self`. Throws on a programming mistake. */
export function signRequest(auth: PeerAuth, request: SignedRequest): AuthHeaders {
  const { method, path, to, sentAtMs, body } = request;
  if (typeof method !== "string" || typeof path !== "string") throw new TypeError("signRequest: method and path");
  assertName("to", to);
  if (!Number.isSafeInteger(sentAtMs) || sentAtMs < 0) {
    throw new TypeError(`signRequest: sentAtMs must be a non-negative integer of ms, got ${describeValue(sentAtMs)}`);
  }
  if (!(body instanceof Uint8Array)) throw new TypeError("signRequest: body must be bytes");
  const signature = sign(auth.secret, [method, path, auth.cluster, auth.self, to, sentAtMs], body);
  return {
    [authHeader]: `${signaturePrefix}${signature.toString("hex")}`,
    [clusterHeader]: nameToHeader(auth.cluster),
    [fromHeader]: nameToHeader(auth.self),
    [toHeader]: nameToHeader(to),
    [sentAtHeader]: String(sentAtMs),
  };
}

/** What the receiver knows of a request besides its body. */
export interface ReceivedRequest {
  readonly method: string;
  /** The URL path, without a query string. */
  readonly path: string;
  readonly headers: ReceivedHeaders;
}

/** Who sent a verified request, and when by its REAL clock (the signed `x-skew-sent-at`). */
export interface VerifiedRequest {
  readonly from: string;
  readonly sentAtMs: number;
}

/**
 * Whether the request comes from a member of this cluster, was meant for
 * this node, is unaltered and recent. `realNowMs` is this machine's REAL
 * system clock (`Date.now()`), never the node's skewable clock. Never throws
 * on what arrived.
 */
export function verifyRequest(
  auth: PeerAuth,
  request: ReceivedRequest,
  body: Uint8Array,
  realNowMs: number,
): Result<VerifiedRequest, AuthError> {
  if (!Number.isFinite(realNowMs))
    throw new TypeError(`verifyRequest: realNowMs must be a number, got ${describeValue(realNowMs)}`);
  if (typeof request.method !== "string" || typeof request.path !== "string" || !(body instanceof Uint8Array)) {
    throw new TypeError("verifyRequest: method and path must be strings, body bytes");
  }
  const { headers } = request;
  const missing = authHeaders.filter((name) => headers[name] === undefined);
  if (missing.length > 0) return err(new AuthError("AUTH_MISSING", `no ${missing.join(", ")} header`));
  const repeated = authHeaders.find((name) => typeof headers[name] !== "string");
  if (repeated !== undefined) return invalid(`${repeated} is repeated`);
  const get = (name: (typeof authHeaders)[number]): string => headers[name] as string;

  const signatureText = get(authHeader);
  if (!signaturePattern.test(signatureText)) {
    return invalid(`${authHeader} must be "${signaturePrefix}" and 64 lowercase hex digits`);
  }
  const sentAtText = get(sentAtHeader);
  const sentAtMs = Number(sentAtText);
  if (!sentAtPattern.test(sentAtText) || !Number.isSafeInteger(sentAtMs)) {
    return invalid(`${sentAtHeader} must be a non-negative integer of ms`);
  }
  if (get(clusterHeader) !== nameToHeader(auth.cluster)) {
    return invalid(`the request is for cluster ${quote(get(clusterHeader))}, this is ${quote(auth.cluster)}`);
  }
  if (get(toHeader) !== nameToHeader(auth.self)) {
    return invalid(`the request is for node ${quote(get(toHeader))}, this is ${quote(auth.self)}`);
  }
  const from = nameFromHeader(get(fromHeader));
  if (from === undefined) return invalid(`${fromHeader} is not a percent-encoded node id`);

  const expected = sign(auth.secret, [request.method, request.path, auth.cluster, from, auth.self, sentAtMs], body);
  const presented = Buffer.from(signatureText.slice(signaturePrefix.length), "hex");
  // timingSafeEqual throws on unequal lengths; the header's pattern makes both 32 bytes.
  assert(expected.byteLength === signatureBytes && presented.byteLength === signatureBytes, "signatures of 32 bytes");
  if (!timingSafeEqual(expected, presented)) {
    return invalid("the signature does not match: another secret, or the request was altered");
  }
  if (!auth.members.has(from)) return invalid(`${quote(from)} is not a member of this cluster`);
  const skewMs = realNowMs - sentAtMs;
  if (Math.abs(skewMs) > authSkewToleranceMs) {
    return err(
      new AuthError(
        "AUTH_EXPIRED",
        `sent at ${sentAtMs}, ${Math.round(skewMs)} ms from this machine's clock (${realNowMs}); ` +
          `the tolerance is ${authSkewToleranceMs} ms: a replay, or a machine clock (not a node clock) far off`,
      ),
    );
  }
  return ok({ from, sentAtMs });
}

function sign(
  secret: ClusterSecret,
  fields: readonly [method: string, path: string, cluster: string, from: string, to: string, sentAtMs: number],
  body: Uint8Array,
): Buffer {
  const canonical = `${JSON.stringify(["skew-peer-v1", ...fields])}\n`;
  return secret.hmac().update(canonical, "utf8").update(body).digest();
}

function assertName(role: string, name: unknown): asserts name is string {
  const problem = peerNameProblem(name);
  if (problem !== undefined) throw new TypeError(`${role} ${problem}`);
}

function invalid(detail: string): Result<never, AuthError> {
  return err(new AuthError("AUTH_INVALID", detail));
}

/** A header value or name, quoted and shortened for an error message: it came from whoever sent the request. */
function quote(text: string): string {
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);
}
