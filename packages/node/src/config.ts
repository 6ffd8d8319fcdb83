/**
 * A node's configuration, from three places, later ones winning: a JSON
 * file (`--config`), environment variables (`SKEW_*`), flags. One table,
 * `nodeOptions`, names every option once with its flag, its variable, its
 * file key, its default and how it is parsed, so the three sources, the
 * `--help` text and the container files (checked by a test) cannot drift
 * apart.
 *
 * Everything is checked before anything starts, and every mistake is named:
 * an unknown flag or file key, a port out of range, a peer list without
 * this node, a secret too short, a bucket with an unknown mode.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { err, ok, type Result, SkewError } from "@skew/env";
import { antiEntropyIntervalMsDefault, type ConflictMode, conflictModes, isConflictMode } from "@skew/kv";
import { type ClusterSecret, checkClusterSecret } from "./peer/index.js";
import { type Durability, durabilities, groupCommitWindowMsDefault, groupCommitWindowMsMax } from "./storage/index.js";

export class ConfigError extends SkewError<"CONFIG_INVALID"> {
  override name = "ConfigError";
  constructor(message: string) {
    super("CONFIG_INVALID", message);
  }
}

export interface Peer {
  readonly id: string;
  /** Base URL, `http://host:port`. */
  readonly url: string;
}

export interface NodeConfig {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  /** Every member, this node included, in the order given. */
  readonly peers: readonly Peer[];
  readonly dataDir: string;
  readonly cluster: string;
  readonly secret: ClusterSecret;
  /** Undefined: the admin endpoints are off. */
  readonly adminToken: string | undefined;
  readonly durability: Durability;
  /** How long a group write waits inside a busy period, ms (storage/constants.ts). */
  readonly groupCommitWindowMs: number;
  readonly buckets: Readonly<Record<string, ConflictMode>>;
  readonly maxOffsetMs: number;
  readonly trueTimeErrorMs: number;
  readonly heartbeatIntervalMs: number;
  /** How often the node starts an anti-entropy exchange with one peer over one partition. */
  readonly antiEntropyIntervalMs: number;
  readonly logLevel: LogLevel;
}

/**
 * Anti-entropy's interval, ms: at 10 ms a node of a 5-node cluster walks its ~76 (partition, peer) pairs in under a
 * second (the fault tests' convergence deadline), which no production cluster needs; an hour is the longest a
 * replica is left to read repair alone.
 */
export const antiEntropyIntervalMsMin = 10;
export const antiEntropyIntervalMsMax = 3_600_000;

export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof logLevels)[number];

/** The default buckets: one per conflict mode, named after it. */
export const defaultBuckets: Readonly<Record<string, ConflictMode>> = Object.freeze(
  Object.assign(
    Object.create(null) as Record<string, ConflictMode>,
    Object.fromEntries(conflictModes.map((mode) => [mode, mode])),
  ),
);

type Raw = string | number | boolean | Record<string, unknown> | unknown[];

interface OptionSpec<K extends keyof NodeConfig | "config"> {
  readonly key: K;
  readonly flag: string;
  readonly env: string;
  readonly help: string;
  /** As a string, for `--help` (undefined: required, or none). */
  readonly default?: string;
}

/** Every option of `skew node`, once. */
export const nodeOptions = [
  { key: "config", flag: "config", env: "SKEW_CONFIG", help: "a JSON file of options (keys as the flags, camelCase)" },
  { key: "id", flag: "id", env: "SKEW_ID", help: "this node's id; one of --peers (required)" },
  { key: "host", flag: "host", env: "SKEW_HOST", help: "the address to listen on", default: "127.0.0.1" },
  { key: "port", flag: "port", env: "SKEW_PORT", help: "the port to listen on", default: "7001" },
  {
    key: "peers",
    flag: "peers",
    env: "SKEW_PEERS",
    help: "every member, this one included: id=http://host:port,... (required)",
  },
  {
    key: "dataDir",
    flag: "data-dir",
    env: "SKEW_DATA_DIR",
    help: "where the node keeps its data",
    default: ".skew-data/<id>",
  },
  {
    key: "cluster",
    flag: "cluster",
    env: "SKEW_CLUSTER",
    help: "the cluster's name (peers must agree)",
    default: "skew",
  },
  {
    key: "secret",
    flag: "secret",
    env: "SKEW_SECRET",
    help: "the shared cluster secret, at least 16 bytes (prefer the variable: flags show in `ps`) (required)",
  },
  {
    key: "adminToken",
    flag: "admin-token",
    env: "SKEW_ADMIN_TOKEN",
    help: "the token of the admin endpoints (clock control); without it they are off",
  },
  {
    key: "durability",
    flag: "durability",
    env: "SKEW_DURABILITY",
    help: "sync: acknowledge after fsync; relaxed: after the OS has the write",
    default: "sync",
  },
  {
    key: "groupCommitWindowMs",
    flag: "group-commit-window-ms",
    env: "SKEW_GROUP_COMMIT_WINDOW_MS",
    help: "how long a group write waits while writes queue up, to carry more of them (0: never)",
    default: String(groupCommitWindowMsDefault),
  },
  {
    key: "buckets",
    flag: "buckets",
    env: "SKEW_BUCKETS",
    help: `name=mode,... with modes ${conflictModes.join(", ")}`,
    default: "one per mode, named after it",
  },
  {
    key: "maxOffsetMs",
    flag: "max-offset-ms",
    env: "SKEW_MAX_OFFSET_MS",
    help: "the HLC's max offset",
    default: "500",
  },
  {
    key: "trueTimeErrorMs",
    flag: "truetime-error-ms",
    env: "SKEW_TRUETIME_ERROR_MS",
    help: "how far the machine's clock may be from true time (TrueTime's reference)",
    default: "1",
  },
  {
    key: "heartbeatIntervalMs",
    flag: "heartbeat-interval-ms",
    env: "SKEW_HEARTBEAT_INTERVAL_MS",
    help: "how often the node sends each peer a heartbeat",
    default: "200",
  },
  {
    key: "antiEntropyIntervalMs",
    flag: "anti-entropy-interval-ms",
    env: "SKEW_ANTI_ENTROPY_INTERVAL_MS",
    help: "how often the node compares one partition's Merkle tree with one peer (one pair per interval)",
    default: String(antiEntropyIntervalMsDefault),
  },
  { key: "logLevel", flag: "log-level", env: "SKEW_LOG_LEVEL", help: logLevels.join(", "), default: "info" },
] as const satisfies readonly OptionSpec<keyof NodeConfig | "config">[];

/**
 * The configuration from `argv` (the arguments after `skew node`), `env`
 * and the file `--config`/`SKEW_CONFIG` names, or the first mistake found.
 */
export function loadConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Result<NodeConfig, ConfigError> {
  let flags: Record<string, string | boolean | undefined>;
  try {
    flags = parseArgs({
      args: [...argv],
      options: Object.fromEntries(nodeOptions.map((o) => [o.flag, { type: "string" as const }])),
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    return err(new ConfigError(`${(error as Error).message} (see skew node --help)`));
  }
  const raw: Record<string, Raw> = {};
  const configPath = flags.config ?? env.SKEW_CONFIG;
  if (typeof configPath === "string" && configPath !== "") {
    const file = readConfigFile(configPath);
    if (!file.ok) return file;
    Object.assign(raw, file.value);
  }
  for (const option of nodeOptions) {
    const value = env[option.env];
    if (value !== undefined && value !== "" && option.key !== "config") raw[option.key] = value;
  }
  for (const option of nodeOptions) {
    const value = flags[option.flag];
    if (typeof value === "string" && option.key !== "config") raw[option.key] = value;
  }
  return resolveConfig(raw);
}

function readConfigFile(path: string): Result<Record<string, Raw>, ConfigError> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return err(new ConfigError(`cannot read the config file ${path}: ${(error as Error).message}`));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return err(new ConfigError(`the config file ${path} is not JSON: ${(error as Error).message}`));
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return err(new ConfigError(`the config file ${path} must hold one JSON object`));
  }
  const known = new Set<string>(nodeOptions.map((o) => o.key));
  const unknown = Object.keys(parsed).find((key) => !known.has(key) || key === "config");
  if (unknown !== undefined)
    return err(new ConfigError(`the config file ${path} has an unknown key ${JSON.stringify(unknown)}`));
  return ok(parsed as Record<string, Raw>);
}

/** Checks raw values (strings from flags and variables, or JSON values from the file) and fills in defaults. */
export function resolveConfig(raw: Readonly<Record<string, Raw>>): Result<NodeConfig, ConfigError> {
  const fail = (message: string): Result<never, ConfigError> => err(new ConfigError(message));
  const id = raw.id;
  if (typeof id !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(id)) {
    return fail("--id is required: 1 to 63 letters, digits, '_', '.', '-', starting with a letter or digit");
  }
  const host = raw.host ?? "127.0.0.1";
  if (typeof host !== "string" || host === "") return fail("--host must be an address");
  const port = integer(raw.port ?? 7001);
  if (port === undefined || port < 0 || port > 65535)
    return fail(`--port must be an integer in [0, 65535], got ${JSON.stringify(raw.port)}`);
  const peers = parsePeers(raw.peers);
  if (!peers.ok) return peers;
  if (!peers.value.some((peer) => peer.id === id)) {
    return fail(`--peers must include this node (${id}); it names ${peers.value.map((p) => p.id).join(", ")}`);
  }
  const dataDir = raw.dataDir ?? `.skew-data/${id}`;
  if (typeof dataDir !== "string" || dataDir === "") return fail("--data-dir must be a path");
  const cluster = raw.cluster ?? "skew";
  if (typeof cluster !== "string" || !/^[A-Za-z0-9_.-]{1,63}$/.test(cluster)) {
    return fail("--cluster must be 1 to 63 letters, digits, '_', '.', '-'");
  }
  if (typeof raw.secret !== "string")
    return fail("--secret (SKEW_SECRET) is required: the shared cluster secret, at least 16 bytes");
  const secret = checkClusterSecret(raw.secret);
  if (!secret.ok) return fail(`--secret (SKEW_SECRET): ${secret.error.message}`);
  const adminToken = raw.adminToken;
  if (adminToken !== undefined && (typeof adminToken !== "string" || adminToken.length < 16)) {
    return fail("--admin-token must be at least 16 characters");
  }
  const durability = raw.durability ?? "sync";
  if (!durabilities.includes(durability as Durability))
    return fail(`--durability must be ${durabilities.join(" or ")}`);
  const groupCommitWindowMs = number(raw.groupCommitWindowMs ?? groupCommitWindowMsDefault);
  if (
    groupCommitWindowMs === undefined ||
    !(groupCommitWindowMs >= 0 && groupCommitWindowMs <= groupCommitWindowMsMax)
  ) {
    return fail(`--group-commit-window-ms must be a number in [0, ${groupCommitWindowMsMax}]`);
  }
  const buckets = parseBuckets(raw.buckets);
  if (!buckets.ok) return buckets;
  const maxOffsetMs = integer(raw.maxOffsetMs ?? 500);
  if (maxOffsetMs === undefined || maxOffsetMs < 1 || maxOffsetMs > 3_600_000) {
    return fail("--max-offset-ms must be an integer in [1, 3600000]");
  }
  const trueTimeErrorMs = number(raw.trueTimeErrorMs ?? 1);
  if (trueTimeErrorMs === undefined || !(trueTimeErrorMs >= 0 && trueTimeErrorMs <= 60_000)) {
    return fail("--truetime-error-ms must be a number in [0, 60000]");
  }
  const heartbeatIntervalMs = integer(raw.heartbeatIntervalMs ?? 200);
  if (heartbeatIntervalMs === undefined || heartbeatIntervalMs < 10 || heartbeatIntervalMs > 60_000) {
    return fail("--heartbeat-interval-ms must be an integer in [10, 60000]");
  }
  const antiEntropyIntervalMs = integer(raw.antiEntropyIntervalMs ?? antiEntropyIntervalMsDefault);
  if (
    antiEntropyIntervalMs === undefined ||
    antiEntropyIntervalMs < antiEntropyIntervalMsMin ||
    antiEntropyIntervalMs > antiEntropyIntervalMsMax
  ) {
    return fail(
      `--anti-entropy-interval-ms must be an integer in [${antiEntropyIntervalMsMin}, ${antiEntropyIntervalMsMax}]`,
    );
  }
  const logLevel = raw.logLevel ?? "info";
  if (!logLevels.includes(logLevel as LogLevel)) return fail(`--log-level must be one of ${logLevels.join(", ")}`);
  return ok({
    id,
    host,
    port,
    peers: peers.value,
    dataDir,
    cluster,
    secret: secret.value,
    adminToken: adminToken as string | undefined,
    durability: durability as Durability,
    groupCommitWindowMs,
    buckets: buckets.value,
    maxOffsetMs,
    trueTimeErrorMs,
    heartbeatIntervalMs,
    antiEntropyIntervalMs,
    logLevel: logLevel as LogLevel,
  });
}

function integer(value: Raw): number | undefined {
  const n = number(value);
  return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
}

function number(value: Raw): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string" || !/^-?\d+(\.\d+)?$/.test(value.trim())) return undefined;
  return Number(value);
}

/** `id=url,...` (flags, variables) or `[{ id, url }]` / `{ id: url }` (file). */
export function parsePeers(value: Raw | undefined): Result<Peer[], ConfigError> {
  const fail = (message: string): Result<never, ConfigError> => err(new ConfigError(message));
  if (value === undefined) return fail("--peers is required: id=http://host:port,... including this node");
  let pairs: [unknown, unknown][];
  if (typeof value === "string") pairs = value.split(",").map((part) => splitOnce(part.trim(), "="));
  else if (Array.isArray(value)) pairs = value.map((p) => [(p as Peer)?.id, (p as Peer)?.url]);
  else if (typeof value === "object" && value !== null) pairs = Object.entries(value);
  else return fail("--peers must be id=http://host:port,...");
  const peers: Peer[] = [];
  for (const [id, url] of pairs) {
    if (typeof id !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(id)) {
      return fail(`--peers: ${JSON.stringify(id)} is not a node id`);
    }
    if (typeof url !== "string" || !isHttpUrl(url))
      return fail(`--peers: ${id}'s address ${JSON.stringify(url)} is not http://host:port`);
    if (peers.some((p) => p.id === id)) return fail(`--peers names ${id} twice`);
    peers.push({ id, url: url.replace(/\/+$/, "") });
  }
  if (peers.length === 0) return fail("--peers names no node");
  return ok(peers);
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    // The URL parser drops a scheme's default port ("http://h:80" has port ""): the text must name one all the same.
    const port = url.port !== "" || /:80\/*$/.test(text);
    const bare = (url.pathname === "/" || url.pathname === "") && url.search === "" && url.hash === "";
    return url.protocol === "http:" && port && bare;
  } catch {
    return false;
  }
}

/** `name=mode,...` or `{ name: mode }`; absent: `defaultBuckets`. */
export function parseBuckets(value: Raw | undefined): Result<Record<string, ConflictMode>, ConfigError> {
  if (value === undefined)
    return ok(Object.assign(Object.create(null) as Record<string, ConflictMode>, defaultBuckets));
  let pairs: [string, unknown][];
  if (typeof value === "string") pairs = value.split(",").map((part) => splitOnce(part.trim(), "="));
  else if (typeof value === "object" && value !== null && !Array.isArray(value)) pairs = Object.entries(value);
  else return err(new ConfigError("--buckets must be name=mode,..."));
  // No prototype: "__proto__" and "constructor" are names like any other, never inherited members.
  const buckets: Record<string, ConflictMode> = Object.create(null);
  for (const [name, mode] of pairs) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name))
      return err(
        new ConfigError(`--buckets: ${JSON.stringify(name)} is not a bucket name (letters, digits, '_', '.', '-')`),
      );
    if (typeof mode !== "string" || !isConflictMode(mode)) {
      return err(
        new ConfigError(`--buckets: ${name}'s mode ${JSON.stringify(mode)} is not one of ${conflictModes.join(", ")}`),
      );
    }
    buckets[name] = mode;
  }
  if (Object.keys(buckets).length === 0) return err(new ConfigError("--buckets names no bucket"));
  return ok(buckets);
}

/** `skew node --help`. */
export function nodeHelp(): string {
  const lines = ["usage: skew node --id <id> --peers <id=url,...> [options]", "", "options (flag, variable, default):"];
  for (const o of nodeOptions) {
    const fallback = "default" in o ? ` (default: ${o.default})` : "";
    lines.push(`  --${o.flag.padEnd(22)} ${o.env.padEnd(28)} ${o.help}${fallback}`);
  }
  lines.push("", "Later sources win: the --config file, then SKEW_* variables, then flags.");
  return lines.join("\n");
}
