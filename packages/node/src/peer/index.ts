/**
 * Replica-to-replica traffic: the msgpack envelope (codec.ts),
 * authentication with the shared cluster secret (secret.ts, auth.ts), and
 * the stream of checksummed, signed frames that carries envelopes
 * (stream.ts). The transport and the server's `/internal/stream` route are
 * built on `openStream` and `acceptStream`.
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
export { ClusterSecret, checkClusterSecret } from "./secret.js";
export {
  type AcceptedStream,
  acceptStream,
  FrameDecoder,
  FrameEncoder,
  frameHeaderBytes,
  openStream,
  peerStreamContentType,
  peerStreamMethod,
  peerStreamPath,
  type StreamHeaders,
  StreamNonces,
  streamNonceBytes,
  streamNonceHeader,
  streamNoncesMax,
} from "./stream.js";
