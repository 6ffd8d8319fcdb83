/**
 * Replica-to-replica streams: each node keeps one long HTTP request open to
 * each peer, and its body is an endless sequence of frames, each carrying
 * one envelope (codec.ts) of messages. Messages flow in order, and a batch
 * costs one frame, not an HTTP exchange.
 *
 * Why a stream and not one request per batch. The node benchmark's profile
 * put a replica's peer traffic at nearly half of its busy time when every
 * batch was a request: undici's request machinery, the server's header
 * parsing and routing, and a 204 response written back and read. None of it
 * carries information once the two ends know each other. A frame costs its
 * encoding, a CRC, an HMAC and a socket write. This is how Riak and
 * Cassandra talk between replicas: long-lived connections, framed messages.
 *
 * Opening (`openStream` / `acceptStream`): `POST /internal/stream` with the
 * headers auth.ts signs, where the signed "body" is the stream's nonce (16
 * random bytes, in `x-skew-stream` as hex). The receiver checks them as it
 * checks any signed request (401/403, a 5 minute window), and refuses a
 * nonce it has seen in that window (`StreamNonces`): a captured opening
 * cannot be replayed.
 *
 * Frames: a 40-byte header, then the payload (an envelope's msgpack bytes):
 *
 *   bytes 0-3    payload length, unsigned, big-endian
 *   bytes 4-7    CRC-32C of the payload, big-endian
 *   bytes 8-39   HMAC-SHA256 under the stream's key of (frame number as 8
 *                bytes, big-endian) followed by the payload
 *
 * The stream's key is HMAC-SHA256 under the cluster secret of the cluster,
 * sender, recipient and nonce, so a frame verifies only in the stream it
 * was written for, and only at its position in it: a frame replayed,
 * dropped, reordered or moved to another stream fails its HMAC. The frame
 * number is not sent; both ends count. The CRC comes first for the reason
 * the request checksum did: a frame damaged on the way is named as damage
 * (400 CHECKSUM_MISMATCH), not as a forgery.
 *
 * The receiver reads a frame's length before it buffers the frame, and
 * refuses one over `envelopeBytesMax` at once. The first bad frame ends the
 * stream: whatever follows a damaged or forged frame cannot be trusted to
 * be framed right. The sender opens a new stream; the messages lost with
 * the old one are what the core's timeouts, hints and repairs recover, as
 * on any lossy network.
 */
import { createHash, type Hash, timingSafeEqual } from "node:crypto";
import { err, ok, type Result } from "@skew/env";
import { crc32c, type PeerMessage } from "@skew/kv";
import {
  type AuthHeaders,
  type PeerAuth,
  type ReceivedHeaders,
  type ReceivedRequest,
  signRequest,
  verifyRequest,
} from "./auth.js";
import { decodeEnvelope, type Envelope, encodeEnvelope, type UncheckedMessage } from "./codec.js";
import { authSkewToleranceMs, envelopeBytesMax, envelopeVersion } from "./constants.js";
import { AuthError, WireError } from "./errors.js";

/** The route a node opens its stream to a peer at. */
export const peerStreamPath = "/internal/stream";
/** The method of the opening request, signed with the path. */
export const peerStreamMethod = "POST";
/** The media type of a stream's body: frames. */
export const peerStreamContentType = "application/x-skew-frames";
/** The header that carries the stream's nonce. */
export const streamNonceHeader = "x-skew-stream";
/** Random bytes in a nonce: 128 bits never repeat by chance. */
export const streamNonceBytes = 16;
/** A frame's header: length, CRC-32C, HMAC-SHA256. */
export const frameHeaderBytes = 4 + 4 + 32;
/**
 * Nonces remembered at most. Only a sender holding the secret gets a nonce
 * remembered (the signature is checked first), and an honest one opens a
 * stream when it starts or reconnects: a handful a minute. The bound only
 * keeps a buggy member from growing the map without end; past it the oldest
 * is forgotten early.
 */
export const streamNoncesMax = 65_536;

const nonceLength = streamNonceBytes * 2;
const noncePattern = /^[0-9a-f]{32}$/;

export type StreamHeaders = AuthHeaders & {
  readonly "content-type": typeof peerStreamContentType;
  readonly [streamNonceHeader]: string;
};

/**
 * The opening of a stream from `auth.self` to `to`: its headers, and the
 * encoder that writes its frames. `nonce` is `streamNonceBytes` random
 * bytes (the caller draws them: this module reads no randomness or clock);
 * `realNowMs` is the REAL system clock. Throws on a programming mistake.
 */
export function openStream(
  auth: PeerAuth,
  to: string,
  nonce: Uint8Array,
  realNowMs: number,
): { headers: StreamHeaders; encoder: FrameEncoder } {
  if (!(nonce instanceof Uint8Array) || nonce.byteLength !== streamNonceBytes) {
    throw new TypeError(`openStream: the nonce must be ${streamNonceBytes} bytes`);
  }
  const signed = signRequest(auth, {
    method: peerStreamMethod,
    path: peerStreamPath,
    to,
    sentAtMs: realNowMs,
    body: nonce,
  });
  const nonceHex = Buffer.from(nonce.buffer, nonce.byteOffset, nonce.byteLength).toString("hex");
  return {
    headers: { ...signed, "content-type": peerStreamContentType, [streamNonceHeader]: nonceHex },
    encoder: new FrameEncoder(auth, to, streamKey(auth, auth.self, to, nonceHex)),
  };
}

/** A stream whose opening passed every check. */
export interface AcceptedStream {
  readonly from: string;
  readonly sentAtMs: number;
  /** The nonce, as hex: remember it (`StreamNonces`) before reading frames. */
  readonly nonce: string;
  readonly decoder: FrameDecoder;
}

/**
 * Checks a stream's opening request (not its body). `realNowMs` is the REAL
 * system clock. Never throws on what arrived.
 */
export function acceptStream(
  auth: PeerAuth,
  request: ReceivedRequest,
  realNowMs: number,
): Result<AcceptedStream, AuthError> {
  const nonce = nonceOf(request.headers);
  if (!nonce.ok) return nonce;
  const verified = verifyRequest(auth, request, Buffer.from(nonce.value, "hex"), realNowMs);
  if (!verified.ok) return verified;
  const { from, sentAtMs } = verified.value;
  const key = streamKey(auth, from, auth.self, nonce.value);
  return ok({ from, sentAtMs, nonce: nonce.value, decoder: new FrameDecoder(auth, from, key) });
}

function nonceOf(headers: ReceivedHeaders): Result<string, AuthError> {
  const value = headers[streamNonceHeader];
  if (value === undefined) return err(new AuthError("AUTH_MISSING", `no ${streamNonceHeader} header`));
  if (typeof value !== "string" || value.length !== nonceLength || !noncePattern.test(value)) {
    return err(new AuthError("AUTH_INVALID", `${streamNonceHeader} must be ${nonceLength} lowercase hex digits, once`));
  }
  return ok(value);
}

/** The key a stream's frames are signed with: bound to its cluster, both ends and its nonce. */
function streamKey(auth: PeerAuth, from: string, to: string, nonceHex: string): Buffer {
  const canonical = JSON.stringify(["skew-stream-v1", auth.cluster, from, to, nonceHex]);
  return auth.secret.hmac().update(canonical, "utf8").digest();
}

/** SHA-256's block: a key of at most this many bytes is padded, not hashed, by HMAC. */
const sha256BlockBytes = 64;

/**
 * HMAC-SHA-256 of a frame under its stream's key, with the position of the
 * frame in the stream (8 bytes, big-endian) before its payload.
 *
 * The two blocks HMAC derives from the key, (key XOR ipad) and (key XOR
 * opad), are hashed once per stream, and each frame continues from copies of
 * those two states: the precomputation RFC 2104 (section 4) describes, with
 * the same result as `createHmac("sha256", key)`. Node's `createHmac` sets up
 * a fresh HMAC context per call, which cost about 10 µs a MAC inside a busy
 * node (OpenSSL fetches the digest's implementation at every init; perf, 10
 * connections), against about 2 µs in a loop of its own.
 */
export class FrameMac {
  readonly #inner: Hash;
  readonly #outer: Hash;

  constructor(key: Uint8Array) {
    if (key.byteLength > sha256BlockBytes) {
      throw new RangeError(`FrameMac: a key of at most ${sha256BlockBytes} bytes, got ${key.byteLength}`);
    }
    const inner = Buffer.alloc(sha256BlockBytes, 0x36);
    const outer = Buffer.alloc(sha256BlockBytes, 0x5c);
    for (let i = 0; i < key.byteLength; i++) {
      inner[i] = (inner[i] as number) ^ (key[i] as number);
      outer[i] = (outer[i] as number) ^ (key[i] as number);
    }
    this.#inner = createHash("sha256").update(inner);
    this.#outer = createHash("sha256").update(outer);
  }

  /** The 32-byte MAC of frame number `frameNumber` carrying `payload`. */
  of(frameNumber: number, payload: Uint8Array): Buffer {
    const position = Buffer.allocUnsafe(8);
    position.writeUInt32BE(Math.floor(frameNumber / 2 ** 32), 0);
    position.writeUInt32BE(frameNumber >>> 0, 4);
    const inner = this.#inner.copy().update(position).update(payload).digest();
    return this.#outer.copy().update(inner).digest();
  }
}

/** Writes one stream's frames, numbering them. */
export class FrameEncoder {
  readonly #auth: PeerAuth;
  readonly #to: string;
  readonly #mac: FrameMac;
  #frames = 0;

  constructor(auth: PeerAuth, to: string, key: Buffer) {
    this.#auth = auth;
    this.#to = to;
    this.#mac = new FrameMac(key);
  }

  /** Frames written so far. */
  get frames(): number {
    return this.#frames;
  }

  /**
   * One frame carrying `messages`. Throws what `encodeEnvelope` throws (the
   * sender has a bug): the transport keeps batches within the envelope's limits.
   */
  encode(messages: readonly PeerMessage[], realNowMs: number): Buffer {
    const auth = this.#auth;
    const payload = encodeEnvelope({
      v: envelopeVersion,
      cluster: auth.cluster,
      from: auth.self,
      to: this.#to,
      sentAtMs: realNowMs,
      messages,
    });
    const frame = Buffer.allocUnsafe(frameHeaderBytes + payload.byteLength);
    frame.writeUInt32BE(payload.byteLength, 0);
    frame.writeUInt32BE(crc32c(payload), 4);
    this.#mac.of(this.#frames, payload).copy(frame, 8);
    frame.set(payload, frameHeaderBytes);
    this.#frames++;
    return frame;
  }
}

/**
 * Reads one stream's frames as its chunks arrive, in any sizes. After the
 * first error it answers every call with that error: the stream is over.
 */
export class FrameDecoder {
  readonly #auth: PeerAuth;
  readonly #from: string;
  readonly #mac: FrameMac;
  #pending: Buffer = Buffer.alloc(0);
  #frames = 0;
  #failure: WireError | AuthError | undefined;

  constructor(auth: PeerAuth, from: string, key: Buffer) {
    this.#auth = auth;
    this.#from = from;
    this.#mac = new FrameMac(key);
  }

  /** Frames read so far. */
  get frames(): number {
    return this.#frames;
  }

  /** Bytes received that do not yet make a whole frame. */
  get buffered(): number {
    return this.#pending.byteLength;
  }

  /** The envelopes of the frames `chunk` completes, in order; or why the stream must end. */
  push(chunk: Uint8Array): Result<Envelope<UncheckedMessage>[], WireError | AuthError> {
    if (this.#failure !== undefined) return err(this.#failure);
    if (!(chunk instanceof Uint8Array)) return this.#fail(new WireError("ENVELOPE_MALFORMED", "a chunk is not bytes"));
    const view = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let data = this.#pending.byteLength === 0 ? view : Buffer.concat([this.#pending, view]);
    const envelopes: Envelope<UncheckedMessage>[] = [];
    while (data.byteLength >= 4) {
      const length = data.readUInt32BE(0);
      if (length > envelopeBytesMax) {
        return this.#fail(
          new WireError("ENVELOPE_TOO_LARGE", `a frame of ${length} bytes, the limit is ${envelopeBytesMax}`),
        );
      }
      if (data.byteLength < frameHeaderBytes + length) break;
      const payload = data.subarray(frameHeaderBytes, frameHeaderBytes + length);
      const crc = data.readUInt32BE(4);
      const actual = crc32c(payload);
      if (actual !== crc) {
        return this.#fail(
          new WireError(
            "CHECKSUM_MISMATCH",
            `frame ${this.#frames} says ${hex8(crc)}, its payload's is ${hex8(actual)}`,
          ),
        );
      }
      const mac = this.#mac.of(this.#frames, payload);
      if (!timingSafeEqual(mac, data.subarray(8, frameHeaderBytes))) {
        return this.#fail(
          new AuthError(
            "AUTH_INVALID",
            `frame ${this.#frames}'s signature does not match: forged, replayed, reordered or from another stream`,
          ),
        );
      }
      const decoded = decodeEnvelope(payload);
      if (!decoded.ok) return this.#fail(decoded.error);
      const envelope = decoded.value;
      const disagreements: string[] = [];
      if (envelope.cluster !== this.#auth.cluster) disagreements.push("cluster");
      if (envelope.from !== this.#from) disagreements.push("from");
      if (envelope.to !== this.#auth.self) disagreements.push("to");
      if (disagreements.length > 0) {
        return this.#fail(
          new WireError(
            "ENVELOPE_MISMATCH",
            `frame ${this.#frames}'s ${disagreements.join(", ")} differ from the stream's`,
          ),
        );
      }
      envelopes.push(envelope);
      this.#frames++;
      data = data.subarray(frameHeaderBytes + length);
    }
    // Keep a copy of a partial frame, not a view that would pin the whole chunk it arrived in.
    this.#pending = data.byteLength === 0 ? Buffer.alloc(0) : Buffer.from(data);
    return ok(envelopes);
  }

  /** The stream's body ended: fine between frames, an error inside one. */
  finish(): Result<void, WireError | AuthError> {
    if (this.#failure !== undefined) return err(this.#failure);
    if (this.#pending.byteLength > 0) {
      return this.#fail(
        new WireError("ENVELOPE_MALFORMED", `the stream ended ${this.#pending.byteLength} bytes into a frame`),
      );
    }
    return ok(undefined);
  }

  #fail(error: WireError | AuthError): Result<never, WireError | AuthError> {
    this.#failure = error;
    this.#pending = Buffer.alloc(0);
    return err(error);
  }
}

/**
 * The nonces of streams opened within the replay window, each forgotten
 * once an opening that carries it would have expired anyway.
 */
export class StreamNonces {
  readonly #seen = new Map<string, number>();

  /** Remembers `nonce`; false when it was seen within the window (a replayed opening). */
  remember(nonce: string, realNowMs: number): boolean {
    for (const [old, expiresAtMs] of this.#seen) {
      if (expiresAtMs > realNowMs && this.#seen.size < streamNoncesMax) break;
      this.#seen.delete(old);
    }
    if (this.#seen.has(nonce)) return false;
    // Twice the tolerance: an opening is accepted while its send time is within it of this clock, either way.
    this.#seen.set(nonce, realNowMs + 2 * authSkewToleranceMs);
    return true;
  }

  get size(): number {
    return this.#seen.size;
  }
}

function hex8(value: number): string {
  return value.toString(16).padStart(8, "0");
}
