/**
 * Streams between replicas (src/peer/stream.ts): what one end writes, the
 * other reads back exactly, however the bytes are cut into chunks; any
 * damage, reordering, replay or transplant of a frame ends the stream with
 * a named error and never delivers a changed message; openings are checked
 * like any signed request, and a replayed one is refused by its nonce.
 */
import { createHmac } from "node:crypto";
import type { PeerMessage } from "@skew/kv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  acceptStream,
  authSkewToleranceMs,
  type Envelope,
  envelopeBytesMax,
  frameHeaderBytes,
  openStream,
  peerStreamMethod,
  peerStreamPath,
  StreamNonces,
  streamNonceBytes,
  streamNonceHeader,
  type UncheckedMessage,
} from "../../src/peer/index.js";
import { FrameMac } from "../../src/peer/stream.js";
import { authOf, realNowMs } from "./support.js";

const n1 = authOf("n1");
const n2 = authOf("n2");

const message = fc.record({
  kind: fc.constantFrom("write", "write-ack", "heartbeat"),
  ts: fc.maxSafeNat(),
  key: fc.string({ maxLength: 24 }),
  record: fc.uint8Array({ maxLength: 64 }),
});
const batches = fc.array(fc.array(message, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 6 });

function nonce(seed: number): Uint8Array {
  return Uint8Array.from({ length: streamNonceBytes }, (_, i) => (seed * 31 + i * 7) & 0xff);
}

/** n1 writes `messages` to n2 as frames; n2 accepts the opening. */
function pair(messages: readonly (readonly PeerMessage[])[], seed = 1) {
  const opened = openStream(n1, "n2", nonce(seed), realNowMs);
  const frames = messages.map((m) => opened.encoder.encode(m, realNowMs));
  const accepted = acceptStream(
    n2,
    { method: peerStreamMethod, path: peerStreamPath, headers: opened.headers },
    realNowMs,
  );
  if (!accepted.ok) throw accepted.error;
  return { opened, frames, accepted: accepted.value, body: Buffer.concat(frames) };
}

/** Pushes `body` cut at `cuts` (sorted offsets), then finishes: the envelopes read, and the first error. */
function read(decoder: ReturnType<typeof pair>["accepted"]["decoder"], body: Uint8Array, cuts: readonly number[]) {
  const envelopes: Envelope<UncheckedMessage>[] = [];
  let start = 0;
  for (const cut of [...cuts, body.length]) {
    const result = decoder.push(body.subarray(start, cut));
    if (!result.ok) return { envelopes, error: result.error };
    envelopes.push(...result.value);
    start = cut;
  }
  const end = decoder.finish();
  return { envelopes, error: end.ok ? undefined : end.error };
}

const cutsOf = (length: number) =>
  fc.uniqueArray(fc.integer({ min: 0, max: length }), { maxLength: 12 }).map((cuts) => cuts.sort((a, b) => a - b));

describe("frames", () => {
  it("round-trip: every batch arrives whole and in order, whatever the chunking", () => {
    fc.assert(
      fc.property(
        batches.chain((b) => fc.tuple(fc.constant(b), cutsOf(pair(b as unknown as PeerMessage[][]).body.length))),
        ([b, cuts]) => {
          const { accepted, body } = pair(b as unknown as PeerMessage[][]);
          const { envelopes, error } = read(accepted.decoder, body, cuts);
          expect(error).toBeUndefined();
          expect(envelopes.map((e) => e.messages)).toEqual(b);
          for (const e of envelopes) expect([e.cluster, e.from, e.to]).toEqual([n1.cluster, "n1", "n2"]);
          expect(accepted.decoder.frames).toBe(b.length);
          expect(accepted.decoder.buffered).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("a flipped byte anywhere ends the stream with a named error and never delivers a changed batch", () => {
    fc.assert(
      fc.property(
        batches,
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 255 }),
        (b, where, mask) => {
          const { accepted, body } = pair(b as unknown as PeerMessage[][]);
          const damaged = Buffer.from(body);
          const at = Math.floor(where * damaged.length);
          damaged[at] = (damaged[at] as number) ^ mask;
          const { envelopes, error } = read(accepted.decoder, damaged, []);
          expect(error?.code).toMatch(/^(CHECKSUM_MISMATCH|AUTH_INVALID|ENVELOPE_TOO_LARGE|ENVELOPE_MALFORMED)$/);
          // What was delivered before the damage is exactly what was sent.
          expect(envelopes.map((e) => e.messages)).toEqual(b.slice(0, envelopes.length));
          // And the stream stays ended.
          expect(accepted.decoder.push(new Uint8Array(1)).ok).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("frames reordered, repeated or moved from another stream fail their HMAC: AUTH_INVALID", () => {
    const messages = [[{ kind: "heartbeat", ts: 1 }], [{ kind: "heartbeat", ts: 2 }]] as unknown as PeerMessage[][];
    const { accepted, frames } = pair(messages);
    const swapped = read(accepted.decoder, Buffer.concat([frames[1] as Buffer, frames[0] as Buffer]), []);
    expect(swapped.error?.code).toBe("AUTH_INVALID");
    expect(swapped.envelopes).toEqual([]);

    const again = pair(messages);
    const twice = Buffer.concat([frames[0] as Buffer, frames[0] as Buffer]);
    const repeated = read(again.accepted.decoder, twice, [(frames[0] as Buffer).length]);
    expect(repeated.error?.code).toBe("AUTH_INVALID");
    expect(repeated.envelopes.length).toBe(1);

    const otherStream = pair(messages, 2);
    const transplanted = read(otherStream.accepted.decoder, Buffer.concat(frames), []);
    expect(transplanted.error?.code).toBe("AUTH_INVALID");
  });

  it("a frame's MAC is HMAC-SHA-256 (RFC 2104) of its position (8 bytes, big-endian) and payload, under the stream's key", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.array(fc.tuple(fc.maxSafeNat(), fc.uint8Array({ maxLength: 300 })), { maxLength: 4 }),
        (key, frames) => {
          const mac = new FrameMac(key);
          for (const [frameNumber, payload] of frames) {
            const position = Buffer.alloc(8);
            position.writeBigUInt64BE(BigInt(frameNumber));
            const expected = createHmac("sha256", key).update(position).update(payload).digest();
            expect(mac.of(frameNumber, payload)).toEqual(expected);
          }
        },
      ),
    );
    expect(() => new FrameMac(new Uint8Array(65))).toThrow(/at most 64 bytes, got 65/);
  });

  it("a frame whose length is past envelopeBytesMax is refused from its header, before its bytes arrive", () => {
    const { accepted, frames } = pair([[{ kind: "heartbeat", ts: 1 }]] as unknown as PeerMessage[][]);
    const header = Buffer.from((frames[0] as Buffer).subarray(0, frameHeaderBytes));
    header.writeUInt32BE(envelopeBytesMax + 1, 0);
    const result = accepted.decoder.push(header.subarray(0, 4));
    expect(result.ok ? undefined : result.error.code).toBe("ENVELOPE_TOO_LARGE");
  });

  it("a stream that ends inside a frame is malformed; one that ends between frames is not", () => {
    const { accepted, body } = pair([[{ kind: "heartbeat", ts: 1 }]] as unknown as PeerMessage[][]);
    expect(read(accepted.decoder, body.subarray(0, body.length - 1), []).error?.code).toBe("ENVELOPE_MALFORMED");
    expect(read(pair([]).accepted.decoder, new Uint8Array(0), []).error).toBeUndefined();
  });
});

describe("openings", () => {
  const request = (headers: Record<string, string | undefined>) => ({
    method: peerStreamMethod,
    path: peerStreamPath,
    headers,
  });

  it("needs the nonce header, well-formed, and signed: AUTH_MISSING, AUTH_INVALID", () => {
    const { headers } = openStream(n1, "n2", nonce(1), realNowMs);
    const without = acceptStream(n2, request({ ...headers, [streamNonceHeader]: undefined }), realNowMs);
    expect(without.ok ? undefined : without.error.code).toBe("AUTH_MISSING");
    const malformed = acceptStream(n2, request({ ...headers, [streamNonceHeader]: "XYZ" }), realNowMs);
    expect(malformed.ok ? undefined : malformed.error.code).toBe("AUTH_INVALID");
    const swappedNonce = acceptStream(n2, request({ ...headers, [streamNonceHeader]: "0".repeat(32) }), realNowMs);
    expect(swappedNonce.ok ? undefined : swappedNonce.error.code).toBe("AUTH_INVALID");
    const otherPath = acceptStream(n2, { ...request(headers), path: "/internal/other" }, realNowMs);
    expect(otherPath.ok ? undefined : otherPath.error.code).toBe("AUTH_INVALID");
    const forN3 = acceptStream(authOf("n3"), request(headers), realNowMs);
    expect(forN3.ok ? undefined : forN3.error.code).toBe("AUTH_INVALID");
    const late = acceptStream(n2, request(headers), realNowMs + authSkewToleranceMs + 1);
    expect(late.ok ? undefined : late.error.code).toBe("AUTH_EXPIRED");
    const accepted = acceptStream(n2, request(headers), realNowMs);
    expect(accepted.ok && accepted.value.from).toBe("n1");
  });

  it("openStream refuses a nonce of the wrong size (a bug in the caller)", () => {
    expect(() => openStream(n1, "n2", new Uint8Array(4), realNowMs)).toThrow(TypeError);
  });

  it("StreamNonces refuses a nonce seen within the window and forgets it after", () => {
    const nonces = new StreamNonces();
    expect(nonces.remember("a".repeat(32), realNowMs)).toBe(true);
    expect(nonces.remember("a".repeat(32), realNowMs + authSkewToleranceMs)).toBe(false);
    expect(nonces.remember("b".repeat(32), realNowMs + 1)).toBe(true);
    // Past the window the old ones are gone (the map does not grow without end).
    expect(nonces.remember("c".repeat(32), realNowMs + 2 * authSkewToleranceMs + 2)).toBe(true);
    expect(nonces.size).toBe(1);
  });
});
