/**
 * Operations: `/health`, `/metrics` (Prometheus text), `/cluster` (each
 * peer's phi, last heartbeat and measured clock offset; this node's
 * clocks), `/debug/keys/:bucket/:key` (this replica's record: stamp, or
 * dots and siblings; and every primary's kept versions), `/debug/merkle`
 * (the root of this replica's Merkle tree of each partition it replicates:
 * equal across a partition's replicas once they hold the same records, the
 * convergence anti-entropy works towards and the fault tests wait for).
 */
import { Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { KvRecord } from "@skew/kv";
import type { FastifyInstance } from "fastify";
import { unframeValue } from "../http/values.js";
import { clockView } from "./admin.js";
import { call } from "./keys.js";

function describeRecord(record: KvRecord | undefined): unknown {
  if (record === undefined) return null;
  if (record.kind === "lww") {
    const { time, node, fence } = record.stamp;
    const value = record.value === null ? null : unframeValue(record.value);
    return {
      kind: "lww",
      stamp: { time, node, fence },
      tombstone: value === null,
      contentType: value?.contentType,
      bytes: value?.bytes.length ?? 0,
    };
  }
  return {
    kind: "causal",
    fence: record.fence,
    versionVector: Object.fromEntries(record.set.join().entries()),
    siblings: record.set.siblings().map((s) => {
      const value = s.value.value === null ? null : unframeValue(s.value.value);
      return {
        dot: `${s.replica}:${s.counter}`,
        at: s.value.at,
        fence: s.value.fence,
        tombstone: value === null,
        contentType: value?.contentType,
        bytes: value?.bytes.length ?? 0,
      };
    }),
  };
}

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
    { schema: { summary: "Members, their phi, last heartbeat and clock offset; this node's clocks" } },
    async () => {
      const now = runtime.monotonic.now();
      const views = new Map(runtime.driver.node.membership(now).map((v) => [v.peer, v]));
      return {
        node: runtime.config.id,
        cluster: runtime.config.cluster,
        buckets: runtime.config.buckets,
        clock: clockView(runtime),
        members: runtime.config.peers.map(({ id, url }) => {
          if (id === runtime.config.id) return { id, url, self: true };
          const view = views.get(id);
          return {
            id,
            url,
            self: false,
            phi: view === undefined || !Number.isFinite(view.phi) ? null : view.phi,
            suspected: view?.suspected ?? false,
            lastHeartbeatAgoMs: view?.lastHeartbeatMs === undefined ? null : Math.round(now - view.lastHeartbeatMs),
            clockOffsetMs: view?.clockOffsetMs ?? null,
          };
        }),
        hints: [...runtime.driver.node.hints()].length,
        storage: runtime.store.stats,
        transport: runtime.transport.stats,
      };
    },
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
        summary: "This replica's record of a key, and every primary's kept versions",
        params: Type.Object({
          bucket: Type.String({ minLength: 1, maxLength: 255 }),
          key: Type.String({ maxLength: 4096 }),
        }),
      },
    },
    async (request) => {
      const { bucket, key } = request.params;
      const history = await call(runtime, "history", bucket, { key });
      return {
        node: runtime.config.id,
        bucket,
        key,
        mode: runtime.config.buckets[bucket],
        local: describeRecord(runtime.driver.node.localRecord(bucket, key)),
        replicas: history.kind === "history" ? history.replicas : [],
      };
    },
  );
}
