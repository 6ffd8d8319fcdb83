/**
 * Checks of what callers hand in, before anything is sent (abstract-level's
 * habit: public methods validate and normalise, private ones trust). A value
 * of the wrong type is a `TypeError`, one out of range a `RangeError`, and an
 * option the call does not know is a `TypeError` too: `{ timeout: 100 }`
 * silently ignored would be worse than refused. Limits that are the node's
 * (quorum sizes, lengths) are left to the node.
 */
import { describeValue, hasLoneSurrogate } from "@skew/env";
import { connectTimeoutMsDefault, retriesDefault, retriesMax, timeoutMsDefault, timeoutMsMax } from "./constants.js";
import type { SkewClientOptions } from "./types.js";

/** A node as the client addresses it: the origin to connect to and the path its API lives under. */
export interface NodeAddress {
  /** The base URL as normalised (no trailing slash); what errors name. */
  readonly url: string;
  readonly origin: string;
  /** "" or a prefix such as "/skew", without a trailing slash. */
  readonly basePath: string;
}

export interface ResolvedClientOptions {
  readonly nodes: readonly NodeAddress[];
  readonly timeoutMs: number;
  readonly retries: number;
  readonly connectTimeoutMs: number;
}

/** The options object of a call: undefined is none; anything else must be a plain object of known keys. */
export function optionsObject(value: unknown, what: string, known: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${what} must be an object, got ${describeValue(value)}`);
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!known.includes(key))
      throw new TypeError(`${what}: unknown option ${JSON.stringify(key)} (known: ${known.join(", ")})`);
  }
  return record;
}

export function integer(value: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isInteger(value))
    throw new TypeError(`${name} must be an integer, got ${describeValue(value)}`);
  if (value < min || value > max) throw new RangeError(`${name} must be in [${min}, ${max}], got ${value}`);
  return value;
}

export function optionalInteger(value: unknown, name: string, min: number, max?: number): number | undefined {
  return value === undefined ? undefined : integer(value, name, min, max);
}

export function optionalBoolean(value: unknown, name: string): boolean | undefined {
  if (value === undefined || typeof value === "boolean") return value;
  throw new TypeError(`${name} must be a boolean, got ${describeValue(value)}`);
}

/** A timestamp in a bucket's clock: any finite number from 0 (ms, a packed HLC timestamp, a counter). */
export function optionalTimestamp(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || Number.isNaN(value))
    throw new TypeError(`${name} must be a number, got ${describeValue(value)}`);
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`${name} must be a finite number from 0, got ${value}`);
  return value;
}

/** Header-safe text: printable ASCII, as an HTTP header value may carry it unencoded. */
const headerText = /^[\x20-\x7e]*$/;

export function headerValue(value: unknown, name: string, allowEmpty: boolean): string {
  if (typeof value !== "string") throw new TypeError(`${name} must be a string, got ${describeValue(value)}`);
  if (!allowEmpty && value.length === 0) throw new RangeError(`${name} must not be empty`);
  if (!headerText.test(value)) throw new RangeError(`${name} must be printable ASCII (it travels in a header)`);
  return value;
}

export function optionalSignal(value: unknown): AbortSignal | undefined {
  if (value === undefined || value instanceof AbortSignal) return value;
  throw new TypeError(`signal must be an AbortSignal, got ${describeValue(value)}`);
}

/** A bucket or key: any string the URL can carry (a lone surrogate has no UTF-8 form, so no URL form either). */
export function name(value: unknown, what: "bucket" | "key"): string {
  if (typeof value !== "string") throw new TypeError(`${what} must be a string, got ${describeValue(value)}`);
  if (what === "bucket" && value.length === 0) throw new RangeError("bucket must not be empty");
  if (hasLoneSurrogate(value)) throw new RangeError(`${what} holds a lone surrogate: it has no UTF-8 form`);
  return value;
}

/** A node's base URL: http(s), no query, fragment or credentials; a trailing slash is dropped. */
export function nodeAddress(value: unknown, what: string): NodeAddress {
  if (typeof value !== "string") throw new TypeError(`${what} must be a URL string, got ${describeValue(value)}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${what} is not a URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`${what} must be an http: or https: URL, got ${JSON.stringify(value)}`);
  }
  if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    throw new TypeError(`${what} must be a base URL without query, fragment or credentials: ${JSON.stringify(value)}`);
  }
  const basePath = url.pathname.replace(/\/+$/, "");
  return { url: `${url.origin}${basePath}`, origin: url.origin, basePath };
}

const clientOptionNames = ["nodes", "timeoutMs", "retries", "dispatcher", "connectTimeoutMs"] as const;

export function resolveClientOptions(raw: SkewClientOptions): ResolvedClientOptions {
  if (raw === undefined) throw new TypeError("new SkewClient(options): options are required ({ nodes: [...] })");
  const options = optionsObject(raw, "SkewClient options", clientOptionNames);
  const { nodes, dispatcher } = options;
  if (!Array.isArray(nodes)) throw new TypeError(`nodes must be an array of base URLs, got ${describeValue(nodes)}`);
  if (nodes.length === 0) throw new RangeError("nodes must list at least one node");
  const addresses = nodes.map((node, i) => nodeAddress(node, `nodes[${i}]`));
  const seen = new Set<string>();
  for (const address of addresses) {
    if (seen.has(address.url)) throw new RangeError(`nodes lists ${address.url} twice`);
    seen.add(address.url);
  }
  if (dispatcher !== undefined) {
    const d = dispatcher as { request?: unknown };
    if (typeof d !== "object" || d === null || typeof d.request !== "function") {
      throw new TypeError(
        `dispatcher must be an undici Dispatcher (an Agent, a Pool, ...), got ${describeValue(dispatcher)}`,
      );
    }
    if (options.connectTimeoutMs !== undefined) {
      throw new TypeError(
        "connectTimeoutMs configures the client's own agent: with a dispatcher, set it on the dispatcher",
      );
    }
  }
  return {
    nodes: addresses,
    timeoutMs: optionalInteger(options.timeoutMs, "timeoutMs", 1, timeoutMsMax) ?? timeoutMsDefault,
    retries: optionalInteger(options.retries, "retries", 0, retriesMax) ?? retriesDefault,
    connectTimeoutMs:
      optionalInteger(options.connectTimeoutMs, "connectTimeoutMs", 1, timeoutMsMax) ?? connectTimeoutMsDefault,
  };
}
