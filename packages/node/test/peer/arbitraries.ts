/**
 * fast-check arbitraries for the peer wire tests: plain data as kv's
 * messages are made of (byte arrays included), messages shaped like kv's
 * (a kind, an HLC-like timestamp, a record of bytes, anything else), and
 * envelopes of them.
 */
import type { PeerMessage } from "@skew/kv";
import fc from "fast-check";
import type { Envelope } from "../../src/peer/codec.js";

/** Keys msgpack carries unchanged (an own `__proto__` is refused on encoding, on purpose: codec.test.ts). */
const keyArb = fc.string({ unit: "binary", maxLength: 12 }).filter((key) => key !== "__proto__");

/** -0 is the one value msgpack does not keep (it decodes as 0); codec.test.ts states that case on its own. */
const numberArb = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double().map((x) => (Object.is(x, -0) ? 0 : x)),
);

const leafArb = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  numberArb,
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.uint8Array({ maxLength: 300 }),
);

export const plainDataArb: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leafArb,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(keyArb, tie("value"), { maxKeys: 4, noNullPrototype: true }),
  ),
})).value;

const kinds = ["write", "write-ack", "read", "read-reply", "repair", "heartbeat", "handoff", "forward-reply"] as const;

/** A message with kv's envelope-visible shape; its other fields are anything plain, byte arrays included. */
export const messageArb: fc.Arbitrary<PeerMessage> = fc
  .record({
    extra: fc.dictionary(keyArb, plainDataArb, { maxKeys: 5, noNullPrototype: true }),
    kind: fc.constantFrom(...kinds),
    ts: fc.maxSafeNat(),
    record: fc.uint8Array({ maxLength: 300 }),
  })
  // Cast: the fields are kv-like, not kv-valid; the envelope does not check them (kv does).
  .map(({ extra, kind, ts, record }) => ({ ...extra, kind, ts, record }) as unknown as PeerMessage);

/** A cluster name or node id: any non-empty UTF-8 within the wire's bound. */
export const nameArb = fc.string({ unit: "binary", minLength: 1, maxLength: 20 });

export const envelopeArb: fc.Arbitrary<Envelope> = fc.record({
  v: fc.constant(1 as const),
  cluster: nameArb,
  from: nameArb,
  to: nameArb,
  sentAtMs: fc.maxSafeNat(),
  messages: fc.array(messageArb, { maxLength: 8 }),
});

/** Every byte array inside `value`, however deep. */
export function byteArraysIn(value: unknown): Uint8Array[] {
  const found: Uint8Array[] = [];
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (item instanceof Uint8Array) found.push(item);
    else if (Array.isArray(item)) pending.push(...item);
    else if (typeof item === "object" && item !== null) pending.push(...Object.values(item));
  }
  return found;
}
