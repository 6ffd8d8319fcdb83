/**
 * The envelope replicas exchange: one batch of @skew/kv peer messages from
 * one node to another, in msgpack (msgpackr), because kv's messages carry
 * records and values as bytes and msgpack carries bytes as bytes (JSON would
 * need base64: a third more on the wire and a copy each way).
 *
 * Decoding never throws: whatever arrives (random bytes, truncated msgpack,
 * wrong types, extra fields, huge array headers, nesting that would
 * overflow the stack) comes back as a `WireError` value. The envelope
 * checks its own fields and that each message is a plain object made of
 * plain data (plain-data.ts); what a message means, field by field, is
 * @skew/kv's to check (`parsePeerMessage`, inside `handlePeerMessage`).
 *
 * Decoder options, and why:
 * - `useRecords: false`: maps, readable by any msgpack implementation.
 * - `copyBuffers: true`: a decoded byte array is a copy, not a view into
 *   the request body. kv keeps the bytes it is sent (hints, pending writes,
 *   history) long after the request, and one retained 100-byte view would
 *   otherwise pin a whole body of up to `envelopeBytesMax`. The copies cost
 *   about half a microsecond per byte array (32 puts of 100-byte values:
 *   msgpackr's decode takes ~40 µs with them, ~20 µs without, on the
 *   development machine), a price worth paying not to pin megabytes.
 * - `int64AsType: "auto"`: msgpackr writes numbers past 32 bits as float64,
 *   so int64 only comes from other writers; within 2^53 it is a number,
 *   beyond it a bigint, which the plain-data walk refuses (never rounded).
 * - `structuredClone: false`: refuses msgpackr's object-reference extension,
 *   which could otherwise make one decoded object appear at two places.
 * The decoder is handed a fresh Uint8Array view of the body, so decoded bytes
 * are plain Uint8Arrays (not Buffers), and msgpackr's habit of caching a
 * `dataView` property on its input lands on that view, not on the caller's.
 *
 * Known, accepted changes across a round trip: -0 decodes as 0, a Buffer as a
 * Uint8Array. A non-plain value, a lone surrogate or an own `__proto__` key
 * is refused on encoding (a TypeError: the sender has a bug), so nothing is
 * altered silently.
 */
import { err, ok, type Result } from "@skew/env";
import type { PeerMessage } from "@skew/kv";
import { type Options, Packr } from "msgpackr";
import { envelopeBytesMax, envelopeMessagesMax, envelopeVersion, messageDepthMax } from "./constants.js";
import { WireError } from "./errors.js";
import { peerNameProblem } from "./names.js";
import { plainDataProblem } from "./plain-data.js";

/**
 * What one request carries. `sentAtMs` is the sender's REAL system clock
 * (not its skewable node clock): it is signed in the headers too, and the
 * receiver checks the two agree.
 */
export interface Envelope<Message = PeerMessage> {
  readonly v: typeof envelopeVersion;
  readonly cluster: string;
  readonly from: string;
  readonly to: string;
  readonly sentAtMs: number;
  readonly messages: readonly Message[];
}

/** A message as decoded: a plain object whose fields @skew/kv has not checked yet. */
export type UncheckedMessage = Readonly<Record<string, unknown>>;

const envelopeFields: readonly string[] = ["v", "cluster", "from", "to", "sentAtMs", "messages"];

const packr = new Packr({ useRecords: false });
// msgpackr's README documents int64AsType "auto"; its type declarations lag behind (they list three of the four).
const unpackrOptions = { useRecords: false, copyBuffers: true, int64AsType: "auto", structuredClone: false } as const;
const unpackr = new Packr(unpackrOptions as unknown as Options);

/**
 * The envelope's msgpack bytes. Throws (the sender has a bug) when a field
 * is not what it must be, a message is not plain data, there are more than
 * `envelopeMessagesMax` messages or the result is larger than
 * `envelopeBytesMax`: the transport splits its batches to stay within both.
 * The bytes may be a view into msgpackr's shared output slab; they stay valid.
 */
export function encodeEnvelope(envelope: Envelope): Uint8Array {
  const headerProblem = envelopeHeaderProblem(envelope);
  if (headerProblem !== undefined) throw new TypeError(`encodeEnvelope: ${headerProblem}`);
  const { messages } = envelope;
  if (messages.length > envelopeMessagesMax) {
    throw new RangeError(
      `encodeEnvelope: ${messages.length} messages, more than envelopeMessagesMax (${envelopeMessagesMax})`,
    );
  }
  for (let i = 0; i < messages.length; i++) {
    const problem = messageProblem(messages[i], true);
    if (problem !== undefined) throw new TypeError(`encodeEnvelope: message ${i}: ${problem}`);
  }
  const { v, cluster, from, to, sentAtMs } = envelope;
  const bytes: Uint8Array = packr.pack({ v, cluster, from, to, sentAtMs, messages });
  if (bytes.byteLength > envelopeBytesMax) {
    throw new RangeError(
      `encodeEnvelope: ${bytes.byteLength} bytes, more than envelopeBytesMax (${envelopeBytesMax}); send fewer messages`,
    );
  }
  return bytes;
}

/** Reads an envelope off the network. Never throws. */
export function decodeEnvelope(bytes: Uint8Array): Result<Envelope<UncheckedMessage>, WireError> {
  if (!(bytes instanceof Uint8Array)) return malformed("the body is not bytes");
  if (bytes.byteLength > envelopeBytesMax) {
    return err(new WireError("ENVELOPE_TOO_LARGE", `${bytes.byteLength} bytes, the limit is ${envelopeBytesMax}`));
  }
  if (bytes.byteLength === 0) return malformed("the body is empty");
  let decoded: unknown;
  try {
    decoded = unpackr.unpack(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    return err(new WireError("ENVELOPE_MALFORMED", `not msgpack: ${describeError(error)}`, { cause: error }));
  }
  if (typeof decoded !== "object" || decoded === null || Object.getPrototypeOf(decoded) !== Object.prototype) {
    return malformed("the body is not a msgpack map");
  }
  const fields = decoded as Record<string, unknown>;
  const v = fields.v;
  if (v !== envelopeVersion) {
    if (typeof v === "number" && Number.isSafeInteger(v)) {
      return err(new WireError("ENVELOPE_VERSION_UNSUPPORTED", `version ${v}, this node speaks ${envelopeVersion}`));
    }
    return malformed("v is not a version number");
  }
  for (const key of Object.keys(fields)) {
    if (!envelopeFields.includes(key)) return malformed(`unexpected field ${JSON.stringify(key.slice(0, 64))}`);
  }
  const envelope = decoded as Envelope<unknown>;
  const headerProblem = envelopeHeaderProblem(envelope);
  if (headerProblem !== undefined) return malformed(headerProblem);
  const { messages } = envelope;
  if (messages.length > envelopeMessagesMax) {
    return err(new WireError("ENVELOPE_TOO_LARGE", `${messages.length} messages, the limit is ${envelopeMessagesMax}`));
  }
  for (let i = 0; i < messages.length; i++) {
    const problem = messageProblem(messages[i], false);
    if (problem !== undefined) return malformed(`message ${i}: ${problem}`);
  }
  return ok(envelope as Envelope<UncheckedMessage>);
}

/** What is wrong with the envelope's own fields (not its messages), if anything. */
function envelopeHeaderProblem(envelope: Envelope<unknown>): string | undefined {
  if (typeof envelope !== "object" || envelope === null) return "the envelope is not an object";
  if (envelope.v !== envelopeVersion) return `v is not ${envelopeVersion}`;
  for (const field of ["cluster", "from", "to"] as const) {
    const problem = peerNameProblem(envelope[field]);
    if (problem !== undefined) return `${field} ${problem}`;
  }
  const { sentAtMs } = envelope;
  if (typeof sentAtMs !== "number" || !Number.isSafeInteger(sentAtMs) || sentAtMs < 0) {
    return "sentAtMs is not a non-negative integer of ms";
  }
  if (!Array.isArray(envelope.messages)) return "messages is not an array";
  return undefined;
}

function messageProblem(message: unknown, sending: boolean): string | undefined {
  if (typeof message !== "object" || message === null || Array.isArray(message) || message instanceof Uint8Array) {
    return "not an object";
  }
  return plainDataProblem(message, messageDepthMax, sending);
}

function malformed(detail: string): Result<never, WireError> {
  return err(new WireError("ENVELOPE_MALFORMED", detail));
}

/** A decoder's complaint, shortened: it may quote the body, and the body is not ours to echo at length. */
function describeError(error: unknown): string {
  let text: string;
  try {
    text = error instanceof Error ? String(error.message) : String(error);
  } catch {
    text = "an unprintable error";
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
