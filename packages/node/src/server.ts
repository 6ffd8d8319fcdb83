/**
 * `buildServer(config)`: one replica node as a fastify app, not yet
 * listening (`skew node` listens). It opens the data directory, restores
 * the core from it, starts the clocks and the peer transport, and serves:
 *
 * - the client API (JSON over HTTP, in Riak's manner; routes/keys.ts);
 * - `/internal/stream`, replica-to-replica streams of signed msgpack frames (peer/);
 * - `/health`, `/metrics`, `/cluster`, `/debug/keys/:bucket/:key`;
 * - `/cluster/nodes` and `/debug/keys/:bucket/:key/replicas`, which ask
 *   every member (or replica) at once, for a page that talks to one node;
 * - `/admin/clock`, `/admin/nodes/:id/clock`, `/admin/demo/lost-update`,
 *   behind the admin token;
 * - `/docs`: the OpenAPI description and its UI;
 * - `/`: the web dashboard (`@skew/dashboard`), when it is built.
 *
 * Closing the app (`app.close()`, on SIGTERM/SIGINT from the CLI) stops
 * taking connections, lets in-flight requests finish, then closes the
 * driver (waiting for the core's pending requests and every write handed
 * to the store), the clocks, the transport and the store, in that order.
 */
import { mkdirSync } from "node:fs";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { MonotonicClock, Timers, WallClock } from "@skew/env";
import { SystemMonotonicClock, SystemTimers, SystemWallClock } from "@skew/env/system";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, LogController } from "fastify";
import { pino } from "pino";
import { startNodeClocks } from "./clocks.js";
import type { NodeConfig } from "./config.js";
import { NodeDriver } from "./driver.js";
import { HttpError, nodeErrorCodes } from "./http/errors.js";
import { strictValidatorCompiler } from "./http/validation.js";
import { createMetrics, type NodeMetrics } from "./metrics.js";
import { createPeerAuth } from "./peer/index.js";
import { registerAdminRoutes } from "./routes/admin.js";
import { registerClusterNodesRoutes } from "./routes/cluster-nodes.js";
import { registerDashboardRoutes } from "./routes/dashboard.js";
import { registerDemoRoutes } from "./routes/demo.js";
import { registerKeyRoutes } from "./routes/keys.js";
import { registerOpsRoutes } from "./routes/ops.js";
import { registerPeerRoutes } from "./routes/peer.js";
import { registerReplicaRoutes } from "./routes/replicas.js";
import type { NodeRuntime } from "./runtime.js";
import { encodeHlcUpperBound, hlcUpperBoundKey, LevelStore } from "./storage/index.js";
import { HttpPeerTransport } from "./transport.js";

export type { NodeRuntime } from "./runtime.js";

export interface BuildOptions {
  /** A pino logger, or false for none (default: pino at the config's level, to stdout). */
  readonly logger?: FastifyBaseLogger | false;
  /** The machine's clocks and timers (default: the system's). */
  readonly system?: WallClock;
  readonly monotonic?: MonotonicClock;
  readonly timers?: Timers;
  /** Called if the node must stop (a durable write failed); the CLI exits. */
  readonly onFatal?: (error: unknown) => void;
}

/** Bodies: a value plus framing, or a peer envelope, whichever route; each route sets its own limit. */
export const jsonBodyBytesMax = 1024 * 1024;
/** Node's HTTP parser refuses larger headers with 431 (it is Node's default, stated). */
export const headerBytesMax = 16 * 1024;

export type SkewApp = FastifyInstance & { readonly skew: NodeRuntime };

export async function buildServer(config: NodeConfig, options: BuildOptions = {}): Promise<SkewApp> {
  const logger: FastifyBaseLogger =
    options.logger === false
      ? (pino({ level: "silent" }) as FastifyBaseLogger)
      : (options.logger ?? (pino({ level: config.logLevel, base: { node: config.id } }) as FastifyBaseLogger));
  const system = options.system ?? new SystemWallClock();
  const monotonic = options.monotonic ?? new SystemMonotonicClock();
  const timers = options.timers ?? new SystemTimers();

  mkdirSync(config.dataDir, { recursive: true });
  let metrics: NodeMetrics | undefined;
  const store = await LevelStore.open({
    dir: config.dataDir,
    durability: config.durability,
    groupCommitWindowMs: config.groupCommitWindowMs,
    onFlush: (info) => metrics?.flushes.observe(info.durationMs / 1000),
  });
  const stored = await store.readAll();
  const restoredMs = await store.readHlcUpperBound();
  let driver: NodeDriver | undefined;
  const running = startNodeClocks({
    id: config.id,
    system,
    monotonic,
    timers,
    maxOffsetMs: config.maxOffsetMs,
    hlcUpperBound: {
      restoredMs,
      persist: (boundMs) => store.enqueueMeta(hlcUpperBoundKey, encodeHlcUpperBound(boundMs)),
    },
    trueTimeErrorMs: config.trueTimeErrorMs,
    trueTimeSyncIntervalMs: 1_000,
    onTrueTimeSync: () => driver?.poke(),
  });
  const auth = createPeerAuth({
    secret: config.secret,
    cluster: config.cluster,
    self: config.id,
    members: config.peers.map((p) => p.id),
  });
  const transport = new HttpPeerTransport({
    auth,
    peers: new Map(config.peers.map((p) => [p.id, p.url])),
    log: logger,
  });
  driver = new NodeDriver({
    node: {
      id: config.id,
      nodes: config.peers.map((p) => p.id),
      buckets: config.buckets,
      clocks: running.clocks,
      stored,
      durability: store.durability,
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      antiEntropyIntervalMs: config.antiEntropyIntervalMs,
    },
    store,
    peers: transport,
    monotonic,
    timers,
    onFatal: (error) => {
      logger.fatal({ err: error }, "a durable write failed: the node stops");
      options.onFatal?.(error);
    },
    onRecovered: (afterMs) => logger.warn({ afterMs: Math.round(afterMs) }, "recovered: every partition taken back"),
  });
  const nodeDriver = driver;
  const { partitionsRecovering } = nodeDriver.node;
  if (partitionsRecovering > 0) {
    // Said where it ends ("recovered", above), so that every server says both, not only the CLI's.
    logger.warn(
      { partitionsRecovering },
      "recovering: this node may have lost acknowledged writes; its reads count as a primary's once it has taken each partition back from the other primaries (skew_partitions_recovering)",
    );
  }
  metrics = createMetrics({
    node: () => nodeDriver.node,
    wall: running.wall,
    truetime: running.clocks.truetime,
    store,
    transport,
    nowMs: () => monotonic.now(),
  });
  const runtime: NodeRuntime = {
    config,
    driver: nodeDriver,
    store,
    transport,
    wall: running.wall,
    clocks: running.clocks,
    auth,
    metrics,
    monotonic,
    startedAtMs: monotonic.now(),
    closing: false,
  };

  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: jsonBodyBytesMax,
    routerOptions: { maxParamLength: 4096 },
    // The router's own refusals (bad percent-encoding, a parameter over the length limit) in the registry's shape.
    frameworkErrors: (error, _request, reply) => {
      const refusal = HttpError.of("MALFORMED_REQUEST", error.message);
      (reply as unknown as FastifyReply).status(refusal.status).send(refusal.body);
    },
    // What Node's HTTP parser refuses before fastify sees a request: headers over 16 KiB, an unknown method.
    clientErrorHandler: (error, socket) => {
      if (!socket.writable) return;
      const refusal = HttpError.of(
        (error as { code?: string }).code === "HPE_HEADER_OVERFLOW" ? "HEADERS_TOO_LARGE" : "MALFORMED_REQUEST",
      );
      const body = JSON.stringify(refusal.body);
      socket.end(
        `HTTP/1.1 ${refusal.status} ${refusal.status === 431 ? "Request Header Fields Too Large" : "Bad Request"}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
    forceCloseConnections: "idle",
    // Requests on kept-alive connections while closing get SHUTTING_DOWN from the routes (definite), not fastify's bare 503.
    return503OnClosing: false,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(strictValidatorCompiler);
  // Response schemas are for the OpenAPI description only: replies are serialized as they are.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.decorate("skew", runtime);

  await app.register(swagger, {
    openapi: {
      info: {
        title: "Skew replica node",
        description:
          "A replica of the Skew store. Values are bytes with a content type; reads return every sibling and an opaque causal context (body and `x-skew-context` header); a write with that context supersedes what the client saw. Errors are `{ code, message }` JSON (plus `definite`, `got`, `need` when the store decided).",
        version: "0.1.0",
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof HttpError) return reply.status(error.status).send(error.body);
    const e = error as { validation?: unknown; code?: string; statusCode?: number; message: string };
    if (e.validation !== undefined) {
      return reply
        .status(400)
        .send({ code: "INVALID_REQUEST", message: `the request is not well-formed: ${e.message}`, definite: true });
    }
    const mapped =
      e.code === "FST_ERR_CTP_BODY_TOO_LARGE"
        ? HttpError.of("BODY_TOO_LARGE")
        : e.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE"
          ? HttpError.of("UNSUPPORTED_MEDIA_TYPE")
          : e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500
            ? HttpError.of("MALFORMED_REQUEST", e.message)
            : undefined;
    if (mapped !== undefined) return reply.status(mapped.status).send(mapped.body);
    request.log.error({ err: error }, "request failed");
    return reply.status(500).send({ code: "INTERNAL", message: nodeErrorCodes.INTERNAL.message, definite: false });
  });
  app.setNotFoundHandler((_request, reply) => {
    const error = HttpError.of("ROUTE_NOT_FOUND");
    return reply.status(error.status).send(error.body);
  });
  app.addHook("onResponse", (request, reply, done) => {
    const route = request.routeOptions.url ?? "unmatched";
    const status = String(reply.statusCode);
    metrics?.httpDuration.observe({ method: request.method, route, status }, reply.elapsedTime / 1000);
    done();
  });

  await app.register(registerKeyRoutes);
  await app.register(registerPeerRoutes);
  await app.register(registerOpsRoutes);
  await app.register(registerClusterNodesRoutes);
  await app.register(registerReplicaRoutes);
  await app.register(registerAdminRoutes);
  await app.register(registerDemoRoutes);
  // Last: the dashboard's `/` and `/assets/*` take nothing another route has.
  await app.register(registerDashboardRoutes);

  app.addHook("preClose", (done) => {
    runtime.closing = true;
    done();
  });
  app.addHook("onClose", async () => {
    await nodeDriver.close();
    running.stop();
    await transport.close();
    await store.close();
  });
  return app as unknown as SkewApp;
}
