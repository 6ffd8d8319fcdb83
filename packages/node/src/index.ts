/**
 * @skew/node: a replica of the Skew store as a real process (fastify, level
 * on disk, msgpack between replicas), and the `skew` CLI.
 */
export {
  defaultCli,
  freePort,
  type NodeProcess,
  ProcessCluster,
  type ProcessClusterOptions,
  startTimeoutMs,
  stopGraceMs,
} from "./cli/processes.js";
export { AdjustableWallClock, type ClockSettings, startNodeClocks } from "./clocks.js";
export { ConfigError, loadConfig, type NodeConfig, nodeHelp, nodeOptions, type Peer, resolveConfig } from "./config.js";
export { NodeDriver } from "./driver.js";
export { type ErrorBody, HttpError, nodeErrorCodes, statusOfFailure } from "./http/errors.js";
export { contentTypeBytesMax, defaultContentType, httpValueBytesMax } from "./http/values.js";
export * from "./peer/index.js";
export { contextHeader, fenceHeader } from "./routes/keys.js";
export { type BuildOptions, buildServer, type NodeRuntime, type SkewApp } from "./server.js";
export * from "./storage/index.js";
export { HttpPeerTransport } from "./transport.js";
