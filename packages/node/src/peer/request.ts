/**
 * One replica-to-replica request end to end, so the transport and the
 * server each make one call: `sealPeerRequest` builds the body and every
 * header for a batch of messages, `openPeerRequest` checks a received one
 * and hands back the sender and its messages (for `KvNode.handlePeerMessage`,
 * which checks each message's fields).
 *
 * The receiver's order, and why:
 * 1. the body's size, before any work proportional to it;
 * 2. a checksum header that is well-formed but does not match: the body was
 *    damaged on the way, and is named so (400), not taken for a forgery;
 * 3. the signature (401/403): nothing is decoded for a caller without the secret;
 * 4. the checksum header's presence (an authenticated sender always sends it);
 * 5. the envelope, and that it agrees with the signed headers.
 */
import { err, ok, type Result } from "@skew/env";
import type { PeerMessage } from "@skew/kv";
import { type AuthHeaders, type PeerAuth, type ReceivedRequest, signRequest, verifyRequest } from "./auth.js";
import { checksumHeader, checksumOf, verifyChecksum } from "./checksum.js";
import { decodeEnvelope, type Envelope, encodeEnvelope, type UncheckedMessage } from "./codec.js";
import {
  envelopeBytesMax,
  envelopeVersion,
  peerContentType,
  peerMessagesMethod,
  peerMessagesPath,
} from "./constants.js";
import { type AuthError, WireError } from "./errors.js";

export type PeerRequestHeaders = AuthHeaders & {
  readonly "content-type": string;
  readonly [checksumHeader]: string;
};

/** A request ready to POST to `peerMessagesPath` of node `to`. */
export interface SealedPeerRequest {
  readonly method: typeof peerMessagesMethod;
  readonly path: typeof peerMessagesPath;
  readonly headers: PeerRequestHeaders;
  readonly body: Uint8Array;
}

/**
 * Encodes, checksums and signs a batch of messages from `auth.self` to `to`.
 * `realNowMs` is the REAL system clock (`Date.now()`). Throws on a
 * programming mistake, such as more than `envelopeMessagesMax` messages.
 */
export function sealPeerRequest(
  auth: PeerAuth,
  to: string,
  messages: readonly PeerMessage[],
  realNowMs: number,
): SealedPeerRequest {
  const body = encodeEnvelope({
    v: envelopeVersion,
    cluster: auth.cluster,
    from: auth.self,
    to,
    sentAtMs: realNowMs,
    messages,
  });
  const signed = signRequest(auth, {
    method: peerMessagesMethod,
    path: peerMessagesPath,
    to,
    sentAtMs: realNowMs,
    body,
  });
  return {
    method: peerMessagesMethod,
    path: peerMessagesPath,
    headers: { ...signed, "content-type": peerContentType, [checksumHeader]: checksumOf(body) },
    body,
  };
}

/** A request that passed every check: who sent it, and its messages, not yet checked by kv. */
export interface OpenedPeerRequest {
  readonly from: string;
  readonly envelope: Envelope<UncheckedMessage>;
}

/**
 * Checks a received request (the order is in this file's header).
 * `realNowMs` is the REAL system clock (`Date.now()`). Never throws on what
 * arrived; answer a failure with `httpStatusOf(error)`.
 */
export function openPeerRequest(
  auth: PeerAuth,
  request: ReceivedRequest,
  body: Uint8Array,
  realNowMs: number,
): Result<OpenedPeerRequest, WireError | AuthError> {
  if (!(body instanceof Uint8Array)) return err(new WireError("ENVELOPE_MALFORMED", "the body is not bytes"));
  if (body.byteLength > envelopeBytesMax) {
    return err(new WireError("ENVELOPE_TOO_LARGE", `${body.byteLength} bytes, the limit is ${envelopeBytesMax}`));
  }
  const checksum = verifyChecksum(request.headers[checksumHeader], body);
  if (!checksum.ok && checksum.error.code === "CHECKSUM_MISMATCH") return checksum;
  const verified = verifyRequest(auth, request, body, realNowMs);
  if (!verified.ok) return verified;
  if (!checksum.ok) return checksum;
  const decoded = decodeEnvelope(body);
  if (!decoded.ok) return decoded;
  const envelope = decoded.value;
  const { from, sentAtMs } = verified.value;
  const disagreements: string[] = [];
  if (envelope.cluster !== auth.cluster) disagreements.push("cluster");
  if (envelope.from !== from) disagreements.push("from");
  if (envelope.to !== auth.self) disagreements.push("to");
  if (envelope.sentAtMs !== sentAtMs) disagreements.push("sentAtMs");
  if (disagreements.length > 0) {
    return err(
      new WireError("ENVELOPE_MISMATCH", `the envelope's ${disagreements.join(", ")} differ from the headers'`),
    );
  }
  return ok({ from, envelope });
}
