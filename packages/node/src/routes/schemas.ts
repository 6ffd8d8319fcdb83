/**
 * The operations routes' answers as JSON Schema (TypeBox), for the OpenAPI
 * description at `/docs` and for the tests that hold each answer to it. The
 * TypeScript shapes are `@skew/client/api`'s (a browser loads them, so they
 * cannot be TypeBox's); test/routes/schemas.test.ts checks live answers
 * against these, so the two cannot drift apart unnoticed.
 */
import { type TSchema, Type } from "@fastify/type-provider-typebox";

export const ErrorBody = Type.Object({
  code: Type.String(),
  message: Type.String(),
  definite: Type.Optional(Type.Boolean()),
});

/** An error as a fan-out reports a member that gave no usable answer. */
export const MemberError = Type.Object({
  code: Type.String({ description: "UNREACHABLE, TIMEOUT or INVALID_RESPONSE" }),
  message: Type.String(),
});

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const ClusterClockSchema = Type.Object({
  wallMs: Type.Number({ description: "this node's wall clock: the machine's plus the admin's offset and drift" }),
  systemMs: Type.Number({ description: "the machine's clock" }),
  offsetMs: Type.Number(),
  driftPpm: Type.Number(),
  hlc: Type.Number({ description: "the last HLC timestamp issued, packed" }),
  truetime: Nullable(Type.Object({ earliest: Type.Number(), latest: Type.Number() })),
});

export const ClusterViewSchema = Type.Object({
  node: Type.String(),
  cluster: Type.String(),
  buckets: Type.Record(Type.String(), Type.String(), { description: "bucket to conflict mode" }),
  clock: ClusterClockSchema,
  members: Type.Array(
    Type.Object({
      id: Type.String(),
      url: Type.String(),
      self: Type.Boolean(),
      phi: Type.Optional(Nullable(Type.Number())),
      suspected: Type.Optional(Type.Boolean()),
      lastHeartbeatAgoMs: Type.Optional(Nullable(Type.Number())),
      clockOffsetMs: Type.Optional(
        Nullable(Type.Number({ description: "the member's wall clock minus this node's, from its heartbeats" })),
      ),
    }),
  ),
  hints: Type.Integer({ minimum: 0, description: "hinted writes held for a primary that was down" }),
  repairs: Type.Object({
    running: Type.Integer({
      minimum: 0,
      maximum: 1,
      description: "the anti-entropy exchange in flight (one at a time); read repairs are never waited for",
    }),
    completed: Type.Integer({
      minimum: 0,
      description: "read repairs sent plus anti-entropy exchanges that repaired keys, since start",
    }),
    recovering: Type.Integer({
      minimum: 0,
      description:
        "partitions whose reads this node does not yet answer as a primary, after a start that may have lost acknowledged writes",
    }),
  }),
  storage: Type.Record(Type.String(), Type.Unknown()),
  transport: Type.Record(Type.String(), Type.Unknown()),
});

export const ClusterNodesSchema = Type.Object({
  node: Type.String({ description: "the node that asked the others" }),
  nodes: Type.Array(
    Type.Object({
      id: Type.String(),
      url: Type.String(),
      view: Nullable(ClusterViewSchema),
      error: Nullable(MemberError),
      tookMs: Type.Number({ minimum: 0 }),
    }),
    { description: "every member, in the configuration's order" },
  ),
});

const valueFields = {
  tombstone: Type.Boolean(),
  contentType: Type.Optional(Type.String()),
  bytes: Type.Integer({ minimum: 0 }),
  text: Type.Optional(Type.String({ description: "the value as text: valid UTF-8 of at most 1 KiB" })),
};

export const RecordViewSchema = Type.Union([
  Type.Object({
    kind: Type.Literal("lww"),
    stamp: Type.Object({ time: Type.Number(), node: Type.String(), fence: Type.Integer({ minimum: 0 }) }),
    ...valueFields,
  }),
  Type.Object({
    kind: Type.Literal("causal"),
    fence: Type.Integer({ minimum: 0 }),
    versionVector: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
    siblings: Type.Array(
      Type.Object({
        dot: Type.String({ description: "<replica>:<counter>" }),
        at: Type.Number(),
        fence: Type.Integer({ minimum: 0 }),
        ...valueFields,
      }),
    ),
  }),
]);

export const KeyReplicasSchema = Type.Object({
  node: Type.String(),
  bucket: Type.String(),
  key: Type.String(),
  mode: Type.String(),
  preference: Type.Array(Type.String()),
  replicas: Type.Array(
    Type.Object({
      node: Type.String(),
      url: Type.String(),
      record: Nullable(RecordViewSchema),
      error: Nullable(MemberError),
    }),
    { description: "one per node of the preference list, in its order" },
  ),
});

export const DemoWriteSchema = Type.Object({
  index: Type.Integer({ minimum: 0 }),
  item: Type.String({ description: "<index>@<via>" }),
  via: Type.String({ description: "the coordinator the append went through" }),
  startedAtMs: Type.Number({ description: "ms since the run began (the serving node's monotonic clock)" }),
  ackedAtMs: Type.Number({ description: "when the write was acknowledged, or failed" }),
  stamp: Nullable(Type.Number({ description: "LWW: the stamp the coordinator gave the write" })),
  context: Type.String(),
  kept: Type.Boolean({ description: "in the final read" }),
  beatenBy: Nullable(
    Type.Integer({ description: "a lost LWW write: the earlier acknowledged write with the highest stamp above it" }),
  ),
  reason: Nullable(Type.String()),
  error: Nullable(MemberError),
});

export const LostUpdateRunSchema = Type.Object({
  bucket: Type.String(),
  mode: Type.String(),
  key: Type.String(),
  skewed: Type.String(),
  skewMs: Type.Number(),
  offsets: Type.Record(Type.String(), Nullable(Type.Number()), {
    description: "each member's clock offset as the serving node measured it during the run (itself: 0)",
  }),
  writes: Type.Array(DemoWriteSchema),
  acknowledged: Type.Integer({ minimum: 0 }),
  kept: Type.Integer({ minimum: 0 }),
  lost: Type.Integer({ minimum: 0 }),
  finalReadR: Type.Optional(
    Type.Integer({
      minimum: 1,
      description:
        "set when not every replica answered the final read (a member past the max offset): it was read from a quorum of this many",
    }),
  ),
  tookMs: Type.Number({ minimum: 0 }),
});
