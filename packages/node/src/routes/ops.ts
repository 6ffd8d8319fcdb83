/**
 * Operations: `/health`, `/metrics` (Prometheus text), `/cluster` (each
 * peer's phi, last heartbeat and measured clock offset; this node's
 * clocks, hints and repairs: views.ts), `/debug/keys/:bucket/:key` (this
 * replica's record: stamp, or dots and siblings; the key's preference
 * list; and every primary's kept versions), `/debug/merkle`
 * (the root of this replica's Merkle tree of each partition it replicates:
 * equal across a partition's replicas once they hold the same records, the
 * convergence anti-entropy works towards and the fault tests wait for).
 */
import { type Static, Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { call } from "./keys.js";
import { ClusterViewSchema } from "./schemas.js";
import { checkKey, clusterView, describeRecord, preferenceOf } from "./views.js";

export async function registerOpsRoutes(app: FastifyInstance): Promise<void> {
  const runtime = app.skew;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  typed.get(
    "/health",
    { schema: { summary: "200 while the node serves; 503 when it is stopping or stopped" } },
    async (_request, reply) => {
      const { driver } = runtime;
      const status = driver.failed ? "failed" : runtime.closing ? "closing" : "ok";
      return reply.status(status === "ok" ? 200 : 503).send({
        status,
        node: runtime.config.id,
        uptimeMs: Math.round(runtime.monotonic.now() - runtime.startedAtMs),
        requestsInFlight: driver.inFlight,
      });
    },
  );

  typed.get("/metrics", { schema: { summary: "Prometheus text format" } }, async (_request, reply) => {
    const text = await runtime.metrics.registry.metrics();
    return reply.type(runtime.metrics.registry.contentType).send(text);
  });

  typed.get(
    "/cluster",
    {
      schema: {
        summary: "Members, their phi, last heartbeat and clock offset; this node's clocks, hints and repairs",
        description:
          "This node's view: each member's phi (suspicion), last heartbeat and clock offset as measured from its heartbeats; this node's wall clock, HLC and TrueTime interval; hinted writes it holds for members that were down; repairs: `running` is the anti-entropy exchange in flight (0 or 1), `completed` counts read repairs sent and exchanges that repaired keys since start.",
        response: { 200: ClusterViewSchema },
      },
    },
    // The schema documents the answer (the reply is serialized as it is); the view's type is the client's, read-only.
    async () => clusterView(runtime) as Static<typeof ClusterViewSchema>,
  );

  typed.get(
    "/debug/merkle",
    {
      schema: {
        summary: "The root of this replica's Merkle tree of each partition it replicates",
        description:
          "Roots are 32-bit additive hashes of the partition's records (every bucket): two replicas of a partition that hold the same records show the same root, whatever order the writes came in.",
        response: {
          200: Type.Object({
            node: Type.String(),
            roots: Type.Record(Type.String({ pattern: "^[0-9]+$" }), Type.Integer({ minimum: 0 })),
          }),
        },
      },
    },
    async () => ({
      node: runtime.config.id,
      roots: Object.fromEntries(
        [...runtime.driver.node.merkleRoots()].map(([partition, root]) => [String(partition), root]),
      ),
    }),
  );

  typed.get(
    "/debug/keys/:bucket/:key",
    {
      schema: {
        summary: "This replica's record of a key, its preference list, and every primary's kept versions",
        description:
          "`local`: this replica's record (an LWW stamp, or a causal record's dots, version vector and siblings; each value's `text` when it is UTF-8 of at most 1 KiB), null when it holds none. `preference`: the key's preference list with the default N. `replicas`: every primary's kept versions (a history request through the store); `?history=false` leaves them out (empty) and answers from this replica alone, without asking the others.",
        params: Type.Object({
          bucket: Type.String({ minLength: 1, maxLength: 255 }),
          key: Type.String({ maxLength: 4096 }),
        }),
        querystring: Type.Object({ history: Type.Optional(Type.Boolean({ default: true })) }),
      },
    },
    async (request) => {
      const { bucket, key } = request.params;
      const withHistory = request.query.history !== false;
      if (!withHistory) checkKey(runtime, bucket, key);
      const history = withHistory ? await call(runtime, "history", bucket, { key }) : undefined;
      return {
        node: runtime.config.id,
        bucket,
        key,
        mode: runtime.config.buckets[bucket],
        preference: preferenceOf(runtime, bucket, key),
        local: describeRecord(runtime.driver.node.localRecord(bucket, key)),
        replicas: history?.kind === "history" ? history.replicas : [],
      };
    },
  );
}
