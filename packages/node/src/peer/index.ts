/**
 * Replica-to-replica traffic: the msgpack envelope (codec.ts), its
 * checksum (checksum.ts), authentication with the shared cluster secret
 * (secret.ts, auth.ts), and both ends of one request (request.ts). The
 * HTTP transport and the server's `/internal/messages` route are built on
 * `sealPeerRequest` and `openPeerRequest`.
 */
export {
  type AuthHeaders,
  authHeader,
  clusterHeader,
  createPeerAuth,
  fromHeader,
  type PeerAuth,
  type ReceivedHeaders,
  type ReceivedRequest,
  type SignedRequest,
  sentAtHeader,
  signRequest,
  toHeader,
  type VerifiedRequest,
  verifyRequest,
} from "./auth.js";
export { checksumHeader, checksumOf, verifyChecksum } from "./checksum.js";
export { decodeEnvelope, type Envelope, encodeEnvelope, type UncheckedMessage } from "./codec.js";
export * from "./constants.js";
export {
  AuthError,
  type AuthErrorCode,
  authErrorCodes,
  httpStatusOf,
  PeerConfigError,
  type PeerConfigErrorCode,
  peerConfigErrorCodes,
  WireError,
  type WireErrorCode,
  wireErrorCodes,
} from "./errors.js";
export {
  type OpenedPeerRequest,
  openPeerRequest,
  type PeerRequestHeaders,
  type SealedPeerRequest,
  sealPeerRequest,
} from "./request.js";
export { ClusterSecret, checkClusterSecret } from "./secret.js";
