/**
 * The malformed streams sent to `/internal/stream`: unsigned ones (random
 * credentials and nonces, random bodies and content types), well-opened
 * streams whose frames are damaged (cut inside a frame, a payload byte
 * flipped under its old checksum or under a recomputed one, a frame sent
 * twice or two swapped, a length past the limit), openings signed with the
 * wrong secret, by a stranger, for another cluster or node, or at a time
 * far from now, and correctly framed garbage messages, which the node may
 * take: kv must then count what does not parse and refuse the damaged
 * records aimed at the stored keys.
 *
 * A case is a plan; `materializePeer` opens it with the real clock of the
 * moment it is sent.
 */

import { crc32c, encodeRecord, type PeerMessage } from "@skew/kv";
import fc from "fast-check";
import {
  authSkewToleranceMs,
  envelopeBytesMax,
  frameHeaderBytes,
  type PeerAuth,
  peerStreamContentType,
  peerStreamPath,
} from "../../../src/index.js";
import { peerAuthAs, peerStream } from "../support.js";
import {
  anyBody,
  contentType,
  type FuzzTargets,
  headerValue,
  noiseHeaders,
  packr,
  queryChar,
  type WireRequest,
  withBody,
} from "./wire.js";

export const peerCategories = ["peer-unsigned", "peer-damaged", "peer-foreign", "peer-garbage"] as const;

export type PeerCategory = (typeof peerCategories)[number];

export type PeerCase =
  | { readonly category: "peer-unsigned"; readonly request: WireRequest }
  | { readonly category: "peer-damaged"; readonly plan: DamagedPlan }
  | { readonly category: "peer-foreign"; readonly plan: ForeignPlan }
  | { readonly category: "peer-garbage"; readonly plan: GarbagePlan };

/**
 * How a well-opened stream's frames are damaged. `cut`: the body ends
 * inside frame `frame`, `atFraction` of the way through it. `flip`: a byte
 * of its payload flipped, under its old checksum (`recrc` false: damage) or
 * a recomputed one (`recrc` true: only the HMAC can tell). `repeat`: frame
 * `frame` sent twice. `swap`: it and the next one swapped. `oversize`: a
 * frame header whose length is past `envelopeBytesMax`.
 */
type FrameDamage =
  | { readonly how: "cut"; readonly atFraction: number }
  | { readonly how: "flip"; readonly atFraction: number; readonly mask: number; readonly recrc: boolean }
  | { readonly how: "repeat" }
  | { readonly how: "swap" }
  | { readonly how: "oversize"; readonly excessBytes: number };

interface DamagedPlan {
  readonly from: string;
  /** One frame per batch, two at least (for a swap). */
  readonly batches: readonly (readonly PlainMessage[])[];
  /** Which frame is damaged, as a fraction of their number. */
  readonly frameFraction: number;
  readonly damage: FrameDamage;
}

type ForeignVariant =
  | "other-secret"
  | "non-member"
  | "other-cluster"
  | "other-recipient"
  | "expired"
  | "from-the-future";

interface ForeignPlan {
  readonly variant: ForeignVariant;
  readonly from: string;
  readonly messages: readonly PlainMessage[];
}

interface GarbagePlan {
  readonly from: string;
  readonly messages: readonly GarbageMessage[];
}

type PlainMessage = Readonly<Record<string, unknown>>;

/**
 * A message of a garbage envelope. `malformed`: kv's parser must refuse it
 * (an unknown kind, or a `ts` that is no HLC timestamp), so the node counts
 * it in `messagesMalformed`. `aimed`: a replica write of a stored key whose
 * record is damaged (a flipped byte, cut short, or random bytes): it parses,
 * and its record must be refused.
 */
export type GarbageMessage =
  | { readonly shape: "malformed"; readonly fields: PlainMessage }
  | { readonly shape: "loose"; readonly kind: string; readonly fields: PlainMessage }
  | {
      readonly shape: "aimed";
      readonly kind: "write" | "repair" | "handoff";
      readonly bucket: string;
      readonly key: string;
      readonly op: string;
      readonly fence: number;
      readonly damage: RecordDamage;
    };

type RecordDamage =
  | { readonly how: "flip"; readonly atFraction: number; readonly mask: number }
  | { readonly how: "cut"; readonly atFraction: number }
  | { readonly how: "random"; readonly bytes: Uint8Array };

/** kv's message kinds (messages.ts and node/repair-messages.ts). */
export const peerMessageKinds = [
  "write",
  "write-ack",
  "read",
  "read-reply",
  "read-at",
  "read-at-reply",
  "history-read",
  "history-reply",
  "read-siblings-at-reply",
  "repair",
  "forward",
  "forward-reply",
  "heartbeat",
  "handoff",
  "handoff-ack",
  "ae-hashes",
  "ae-hashes-reply",
  "ae-entries",
  "ae-entries-reply",
  "ae-pull",
  "tombstone-query",
  "tombstone-status",
  "tombstone-remove",
] as const;

const plainValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ maxLength: 20 }),
    fc.uint8Array({ maxLength: 64 }),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(
      fc.string({ maxLength: 10 }).filter((k) => k !== "__proto__"),
      tie("value"),
      { maxKeys: 4, noNullPrototype: true },
    ),
  ),
})).value;

const plainFields = fc.dictionary(
  fc
    .oneof(
      fc.constantFrom(
        "op",
        "bucket",
        "key",
        "record",
        "fence",
        "wallMs",
        "request",
        "reply",
        "session",
        "round",
        "digest",
        "keyIds",
        "hint",
      ),
      fc.string({ maxLength: 10 }),
    )
    .filter((k) => k !== "__proto__" && k !== "kind" && k !== "ts"),
  plainValue,
  { maxKeys: 6, noNullPrototype: true },
);

/** A `ts` that is no HLC timestamp (a non-negative safe integer). */
const badTs = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: -1e9, max: -1 }),
  fc.double({ noNaN: true }).filter((x) => !Number.isSafeInteger(x) || x < 0),
  fc.string({ maxLength: 12 }),
  fc.constant(null),
  fc.uint8Array({ maxLength: 8 }),
);

const known = new Set<string>(peerMessageKinds);

const malformedMessage: fc.Arbitrary<GarbageMessage> = fc.oneof(
  // an unknown kind, any ts
  fc
    .tuple(
      fc
        .oneof(fc.string({ maxLength: 16 }), fc.integer(), fc.constant(null))
        .filter((k) => !known.has(String(k)) || typeof k !== "string"),
      fc.oneof(fc.maxSafeNat(), badTs),
      plainFields,
    )
    .map(([kind, ts, fields]) => ({ shape: "malformed", fields: { ...fields, kind, ts } }) as const),
  // a known kind and a ts that is not a timestamp
  fc
    .tuple(fc.constantFrom(...peerMessageKinds), badTs, plainFields)
    .map(([kind, ts, fields]) => ({ shape: "malformed", fields: { ...fields, kind, ts } }) as const),
);

const looseMessage: fc.Arbitrary<GarbageMessage> = fc
  .tuple(fc.constantFrom(...peerMessageKinds), plainFields)
  .map(([kind, fields]) => ({ shape: "loose", kind, fields }) as const);

function aimedMessage(targets: FuzzTargets): fc.Arbitrary<GarbageMessage> {
  const damage: fc.Arbitrary<RecordDamage> = fc.oneof(
    fc.record({
      how: fc.constant("flip" as const),
      atFraction: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      mask: fc.integer({ min: 1, max: 255 }),
    }),
    fc.record({
      how: fc.constant("cut" as const),
      atFraction: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    }),
    fc.record({ how: fc.constant("random" as const), bytes: fc.uint8Array({ maxLength: 200 }) }),
  );
  return fc.record({
    shape: fc.constant("aimed" as const),
    kind: fc.constantFrom("write" as const, "repair" as const, "handoff" as const),
    bucket: fc.constantFrom(...Object.keys(targets.buckets)),
    key: fc.constantFrom(...targets.keys),
    op: fc.string({ minLength: 1, maxLength: 20 }),
    fence: fc.nat({ max: 100 }),
    damage,
  });
}

function signers(targets: FuzzTargets): fc.Arbitrary<string> {
  return fc.constantFrom(...targets.members.filter((m) => m !== targets.self));
}

/** A few messages that parse (heartbeats), so that only the envelope's damage is refused. */
const heartbeats = fc.array(fc.record({ kind: fc.constant("heartbeat"), ts: fc.nat(), wallMs: fc.nat() }), {
  minLength: 1,
  maxLength: 6,
});

function peerUnsigned(targets: FuzzTargets): fc.Arbitrary<PeerCase> {
  const authHeaders = fc.record(
    {
      "x-skew-auth": fc.oneof(
        headerValue(70),
        fc.stringMatching(/^[0-9a-f]{64}$/).map((hex) => `v1=${hex}`),
      ),
      "x-skew-cluster": fc.oneof(fc.constant("skew"), headerValue(20)),
      "x-skew-from": fc.oneof(signers(targets), headerValue(20)),
      "x-skew-to": fc.oneof(fc.constant(targets.self), headerValue(20)),
      "x-skew-sent-at": fc.oneof(fc.constant("now"), headerValue(20), fc.maxSafeNat().map(String)),
      "x-skew-stream": fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), headerValue(40)),
    },
    { requiredKeys: [] },
  );
  const body = fc.oneof(
    anyBody,
    fc
      .record(
        {
          v: fc.oneof(fc.constant(1), plainValue),
          cluster: fc.constant("skew"),
          from: signers(targets),
          to: fc.constant(targets.self),
          sentAtMs: fc.nat(),
          messages: fc.array(plainValue, { maxLength: 4 }),
        },
        { requiredKeys: [] },
      )
      .map((envelope) => {
        const payload = packr.pack(envelope);
        const frame = Buffer.alloc(frameHeaderBytes + payload.length);
        frame.writeUInt32BE(payload.length, 0);
        frame.writeUInt32BE(crc32c(payload), 4);
        frame.set(payload, frameHeaderBytes);
        return new Uint8Array(frame);
      }),
  );
  return fc
    .record({
      headers: authHeaders,
      body,
      type: fc.oneof(
        { weight: 3, arbitrary: fc.constant(peerStreamContentType) },
        { weight: 1, arbitrary: contentType },
      ),
      noise: noiseHeaders,
      query: fc.option(fc.string({ unit: queryChar, maxLength: 20 }), { nil: undefined }),
    })
    .map(({ headers, body: bytes, type, noise, query }) => {
      const now = String(Date.now());
      const list = Object.entries(headers).map(([name, value]) => [name, value === "now" ? now : value] as const);
      return {
        category: "peer-unsigned",
        request: {
          method: "POST",
          path: `${peerStreamPath}${query === undefined ? "" : `?${query}`}`,
          headers: withBody(list, bytes, type, noise),
          body: bytes,
        },
      } as const;
    });
}

function peerDamaged(targets: FuzzTargets): fc.Arbitrary<PeerCase> {
  const fraction = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
  const damage: fc.Arbitrary<FrameDamage> = fc.oneof(
    fc.record({ how: fc.constant("cut" as const), atFraction: fraction }),
    fc.record({
      how: fc.constant("flip" as const),
      atFraction: fraction,
      mask: fc.integer({ min: 1, max: 255 }),
      recrc: fc.boolean(),
    }),
    fc.constant({ how: "repeat" as const }),
    fc.constant({ how: "swap" as const }),
    fc.record({ how: fc.constant("oversize" as const), excessBytes: fc.integer({ min: 1, max: 2 ** 31 }) }),
  );
  return fc
    .record({
      from: signers(targets),
      batches: fc.array(heartbeats, { minLength: 2, maxLength: 4 }),
      frameFraction: fraction,
      damage,
    })
    .map((plan) => ({ category: "peer-damaged", plan }) as const);
}

function peerForeign(targets: FuzzTargets): fc.Arbitrary<PeerCase> {
  return fc
    .record({
      variant: fc.constantFrom<ForeignVariant>(
        "other-secret",
        "non-member",
        "other-cluster",
        "other-recipient",
        "expired",
        "from-the-future",
      ),
      from: signers(targets),
      messages: heartbeats,
    })
    .map((plan) => ({ category: "peer-foreign", plan }) as const);
}

function peerGarbage(targets: FuzzTargets): fc.Arbitrary<PeerCase> {
  const message = fc.oneof(malformedMessage, looseMessage, aimedMessage(targets));
  return fc
    .record({ from: signers(targets), messages: fc.array(message, { minLength: 1, maxLength: 8 }) })
    .map((plan) => ({ category: "peer-garbage", plan }) as const);
}

/** Every peer category's arbitrary. */
export function peerArbitraries(targets: FuzzTargets): Readonly<Record<PeerCategory, fc.Arbitrary<PeerCase>>> {
  return {
    "peer-unsigned": peerUnsigned(targets),
    "peer-damaged": peerDamaged(targets),
    "peer-foreign": peerForeign(targets),
    "peer-garbage": peerGarbage(targets),
  };
}

// ---- on the wire ---------------------------------------------------------------------------------------------------

/** What a case needs of the live node when it is sent: a current HLC timestamp, and its stored records. */
export interface SendContext {
  readonly hlcNow: number;
  readonly record: (bucket: string, key: string) => Uint8Array | undefined;
}

/** What kv must count of an envelope it takes: messages that do not parse, records that fail their checks. */
export interface MustCount {
  readonly malformed: number;
  readonly damaged: number;
}

/** Messages of a garbage envelope, and what kv must count of them. */
export function garbageMessages(plan: GarbagePlan, context: SendContext): { messages: PeerMessage[] } & MustCount {
  let malformed = 0;
  let damaged = 0;
  const messages: Record<string, unknown>[] = [];
  for (const message of plan.messages) {
    if (message.shape === "malformed") {
      malformed++;
      messages.push({ ...message.fields });
    } else if (message.shape === "loose") {
      messages.push({ ...message.fields, kind: message.kind, ts: context.hlcNow });
    } else {
      damaged++;
      const stored = context.record(message.bucket, message.key) ?? new Uint8Array(16);
      const { kind, op, bucket, key, fence } = message;
      messages.push({ kind, ts: context.hlcNow, op, bucket, key, fence, record: spoilRecord(stored, message.damage) });
    }
  }
  return { messages: messages as unknown as PeerMessage[], malformed, damaged };
}

function spoilRecord(record: Uint8Array, damage: RecordDamage): Uint8Array {
  switch (damage.how) {
    case "flip": {
      const copy = Uint8Array.from(record);
      const at = Math.floor(damage.atFraction * copy.length);
      copy[at] = (copy[at] as number) ^ damage.mask;
      return copy;
    }
    case "cut":
      return record.slice(0, Math.floor(damage.atFraction * record.length));
    case "random":
      return damage.bytes;
  }
}

const otherSecret = "not-the-cluster-secret-at-all-0123";

/** A send time just outside the receiver's window, either way. */
const outsideWindowMs = authSkewToleranceMs + 60_000;

const nothingToCount: MustCount = { malformed: 0, damaged: 0 };

/** A stream of one frame per batch, opened by `auth` for `to` at `nowMs`, as one request. */
function stream(
  auth: PeerAuth,
  to: string,
  batches: readonly (readonly PeerMessage[])[],
  nowMs: number,
): { request: WireRequest; frames: Buffer[] } {
  const opened = peerStream(auth, to, batches, { nowMs });
  return {
    request: { method: "POST", path: peerStreamPath, headers: Object.entries(opened.headers), body: opened.body },
    frames: opened.frames,
  };
}

/** A well-opened stream whose frames are damaged as planned. */
function damaged(plan: DamagedPlan, targets: FuzzTargets, nowMs: number): WireRequest {
  const auth = peerAuthAs(plan.from, { size: targets.members.length });
  const { request, frames } = stream(auth, targets.self, plan.batches as unknown as PeerMessage[][], nowMs);
  const at = Math.min(frames.length - 2, Math.floor(plan.frameFraction * frames.length));
  const frame = frames[at] as Buffer;
  const damage = plan.damage;
  let body: Buffer;
  switch (damage.how) {
    case "cut": {
      const keep = 1 + Math.floor(damage.atFraction * (frame.length - 1)); // inside the frame: 1 .. length - 1 bytes
      body = Buffer.concat([...frames.slice(0, at), frame.subarray(0, keep)]);
      break;
    }
    case "flip": {
      const copy = Buffer.from(frame);
      const payloadBytes = copy.length - frameHeaderBytes;
      const offset = frameHeaderBytes + Math.floor(damage.atFraction * payloadBytes);
      copy[offset] = (copy[offset] as number) ^ damage.mask;
      if (damage.recrc) copy.writeUInt32BE(crc32c(copy.subarray(frameHeaderBytes)), 4);
      body = Buffer.concat([...frames.slice(0, at), copy, ...frames.slice(at + 1)]);
      break;
    }
    case "repeat":
      body = Buffer.concat([...frames.slice(0, at + 1), frame, ...frames.slice(at + 1)]);
      break;
    case "swap":
      body = Buffer.concat([...frames.slice(0, at), frames[at + 1] as Buffer, frame, ...frames.slice(at + 2)]);
      break;
    case "oversize": {
      const header = Buffer.from(frame.subarray(0, frameHeaderBytes));
      header.writeUInt32BE(Math.min(2 ** 32 - 1, envelopeBytesMax + damage.excessBytes), 0);
      body = Buffer.concat([...frames.slice(0, at), header]);
      break;
    }
  }
  return { ...request, body };
}

/** A well-formed stream whose opening this node must refuse. */
function foreign(plan: ForeignPlan, targets: FuzzTargets, nowMs: number): WireRequest {
  const size = targets.members.length;
  const messages = plan.messages as unknown as PeerMessage[];
  const member = peerAuthAs(plan.from, { size });
  const [auth, to, sentAtMs]: [PeerAuth, string, number] = {
    "other-secret": () => [peerAuthAs(plan.from, { size, secretText: otherSecret }), targets.self, nowMs] as const,
    "non-member": () => [peerAuthAs("intruder", { size }), targets.self, nowMs] as const,
    "other-cluster": () => [{ ...member, cluster: "another-cluster" }, targets.self, nowMs] as const,
    "other-recipient": () => [member, plan.from, nowMs] as const,
    expired: () => [member, targets.self, nowMs - outsideWindowMs] as const,
    "from-the-future": () => [member, targets.self, nowMs + outsideWindowMs] as const,
  }[plan.variant]() as [PeerAuth, string, number];
  return stream(auth, to, [messages], sentAtMs).request;
}

/** The bytes and headers of a case, now: signed with the real clock of this moment. */
export function materializePeer(
  fuzzCase: PeerCase,
  targets: FuzzTargets,
  context: SendContext,
): { request: WireRequest; counts: MustCount } {
  const nowMs = Date.now();
  switch (fuzzCase.category) {
    case "peer-unsigned":
      return { request: fuzzCase.request, counts: nothingToCount };
    case "peer-damaged":
      return { request: damaged(fuzzCase.plan, targets, nowMs), counts: nothingToCount };
    case "peer-foreign":
      return { request: foreign(fuzzCase.plan, targets, nowMs), counts: nothingToCount };
    case "peer-garbage": {
      const { messages, malformed, damaged } = garbageMessages(fuzzCase.plan, context);
      const auth = peerAuthAs(fuzzCase.plan.from, { size: targets.members.length });
      return { request: stream(auth, targets.self, [messages], nowMs).request, counts: { malformed, damaged } };
    }
  }
}

/** A stored record as replicas send it, for damaging. */
export function recordBytes(record: Parameters<typeof encodeRecord>[0] | undefined): Uint8Array | undefined {
  return record === undefined ? undefined : encodeRecord(record);
}
