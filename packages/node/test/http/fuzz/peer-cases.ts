/**
 * The malformed requests to `/internal/messages`: unsigned ones (random
 * credentials, random bodies and content types), signed envelopes cut
 * short, envelopes signed with the wrong secret, by a stranger, for another
 * cluster or node, or at a time far from now, and correctly signed
 * envelopes of garbage messages, which the node may take: kv must then
 * count what does not parse and refuse the damaged records aimed at the
 * stored keys.
 *
 * A case is a plan; `materializePeer` seals it with the real clock of the
 * moment it is sent.
 */
import { encodeRecord, type PeerMessage } from "@skew/kv";
import fc from "fast-check";
import { authSkewToleranceMs, checksumOf, type PeerAuth, sealPeerRequest, signRequest } from "../../../src/index.js";
import { peerAuthAs } from "../support.js";
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

export const peerCategories = ["peer-unsigned", "peer-truncated", "peer-foreign", "peer-garbage"] as const;

export type PeerCategory = (typeof peerCategories)[number];

export type PeerCase =
  | { readonly category: "peer-unsigned"; readonly request: WireRequest }
  | { readonly category: "peer-truncated"; readonly plan: TruncatedPlan }
  | { readonly category: "peer-foreign"; readonly plan: ForeignPlan }
  | { readonly category: "peer-garbage"; readonly plan: GarbagePlan };

interface TruncatedPlan {
  readonly from: string;
  readonly messages: readonly PlainMessage[];
  /** Where the body is cut, as a fraction of its length (the cut keeps at least nothing and at most all but one byte). */
  readonly cutFraction: number;
  /** Sign and checksum the cut body (so only the envelope's decoder can tell), or keep the whole body's headers. */
  readonly resign: boolean;
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
      "x-skew-crc32c": fc.oneof(fc.stringMatching(/^[0-9a-f]{8}$/), headerValue(12), fc.constant("body")),
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
      .map((envelope) => new Uint8Array(packr.pack(envelope))),
  );
  return fc
    .record({
      headers: authHeaders,
      body,
      type: fc.oneof(
        { weight: 3, arbitrary: fc.constant("application/msgpack") },
        { weight: 1, arbitrary: contentType },
      ),
      noise: noiseHeaders,
      query: fc.option(fc.string({ unit: queryChar, maxLength: 20 }), { nil: undefined }),
    })
    .map(({ headers, body: bytes, type, noise, query }) => {
      const now = String(Date.now());
      const list = Object.entries(headers).map(([name, value]) => {
        if (value === "now") return [name, now] as const;
        if (value === "body") return [name, checksumOf(bytes)] as const;
        return [name, value] as const;
      });
      return {
        category: "peer-unsigned",
        request: {
          method: "POST",
          path: `/internal/messages${query === undefined ? "" : `?${query}`}`,
          headers: withBody(list, bytes, type, noise),
          body: bytes,
        },
      } as const;
    });
}

function peerTruncated(targets: FuzzTargets): fc.Arbitrary<PeerCase> {
  return fc
    .record({
      from: signers(targets),
      messages: heartbeats,
      cutFraction: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      resign: fc.boolean(),
    })
    .map((plan) => ({ category: "peer-truncated", plan }) as const);
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
    "peer-truncated": peerTruncated(targets),
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

function sealed(auth: PeerAuth, to: string, messages: readonly PeerMessage[], sentAtMs: number): WireRequest {
  const s = sealPeerRequest(auth, to, messages, sentAtMs);
  return { method: s.method, path: s.path, headers: Object.entries(s.headers), body: s.body };
}

/** A well-formed envelope cut short, with the whole one's credentials or with its own (so only the decoder can tell). */
function truncated(plan: TruncatedPlan, targets: FuzzTargets, nowMs: number): WireRequest {
  const auth = peerAuthAs(plan.from, { size: targets.members.length });
  const whole = sealPeerRequest(auth, targets.self, plan.messages as unknown as PeerMessage[], nowMs);
  const body = whole.body.slice(0, Math.floor(plan.cutFraction * whole.body.length));
  const headers = plan.resign
    ? {
        ...signRequest(auth, { method: whole.method, path: whole.path, to: targets.self, sentAtMs: nowMs, body }),
        "content-type": whole.headers["content-type"],
        "x-skew-crc32c": checksumOf(body),
      }
    : whole.headers;
  return { method: whole.method, path: whole.path, headers: Object.entries(headers), body };
}

/** A well-formed envelope whose credentials this node must refuse. */
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
  return sealed(auth, to, messages, sentAtMs);
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
    case "peer-truncated":
      return { request: truncated(fuzzCase.plan, targets, nowMs), counts: nothingToCount };
    case "peer-foreign":
      return { request: foreign(fuzzCase.plan, targets, nowMs), counts: nothingToCount };
    case "peer-garbage": {
      const { messages, malformed, damaged } = garbageMessages(fuzzCase.plan, context);
      const auth = peerAuthAs(fuzzCase.plan.from, { size: targets.members.length });
      return { request: sealed(auth, targets.self, messages, nowMs), counts: { malformed, damaged } };
    }
  }
}

/** A stored record as replicas send it, for damaging. */
export function recordBytes(record: Parameters<typeof encodeRecord>[0] | undefined): Uint8Array | undefined {
  return record === undefined ? undefined : encodeRecord(record);
}
