/**
 * What the routes share: the node's parts, hung on the fastify instance as
 * `app.skew` by server.ts. Its own module so that the routes depend on it
 * and not on the server that registers them.
 */
import type { MonotonicClock } from "@skew/env";
import type { NodeClocks } from "@skew/kv";
import type { AdjustableWallClock } from "./clocks.js";
import type { NodeConfig } from "./config.js";
import type { NodeDriver } from "./driver.js";
import type { NodeMetrics } from "./metrics.js";
import type { PeerAuth } from "./peer/index.js";
import type { LevelStore } from "./storage/index.js";
import type { HttpPeerTransport } from "./transport.js";

export interface NodeRuntime {
  readonly config: NodeConfig;
  readonly driver: NodeDriver;
  readonly store: LevelStore;
  readonly transport: HttpPeerTransport;
  readonly wall: AdjustableWallClock;
  readonly clocks: NodeClocks;
  readonly auth: PeerAuth;
  readonly metrics: NodeMetrics;
  readonly monotonic: MonotonicClock;
  readonly startedAtMs: number;
  closing: boolean;
}

declare module "fastify" {
  interface FastifyInstance {
    /** The node behind the app (tests and the CLI reach its parts through it). */
    readonly skew: NodeRuntime;
  }
}
