/**
 * The load generator Skew's HTTP benchmarks share (the node benchmark, the
 * comparison with etcd), run in its own process (`runLoadProcess`) so that
 * its work is not counted in the servers' event loops; it still shares the
 * machine's cores, which is why every figure is compared with another
 * measured the same way in the same run.
 *
 * Closed loop (`connections` loops, each sending its next request when the
 * last one answered) measures peak throughput; open loop (`rate` requests
 * per second, scheduled regardless of answers, latency taken from the
 * scheduled send time, so a stall is not hidden: no coordinated omission)
 * measures latency at a given load. What a request looks like is data
 * (`LoadRequest`: method, path, body template), so the same loop drives a
 * Skew put and an etcd put.
 */
import { describeValue } from "@skew/env";
import { Pool } from "undici";
import { type LoadRequest, prepareRequest } from "./request.js";

export interface LoadOptions extends LoadRequest {
  /** Base URLs; requests go round robin over them. */
  readonly targets: readonly string[];
  readonly valueBytes: number;
  readonly connections: number;
  readonly durationMs: number;
  /** Load sent before measuring starts, not counted (0: none). */
  readonly warmupMs: number;
  /** Requests per second, open loop; absent: closed loop. */
  readonly rate?: number;
}

export interface LoadResult {
  /** Requests answered (or failed) while measuring: every one has a latency. */
  readonly requests: number;
  /** Requests answered (or failed) during the warm-up, not measured: with `requests`, every request the load made. */
  readonly warmupRequests: number;
  /** Requests that got no HTTP answer (connection refused or reset, ...). */
  readonly errors: number;
  /** Answers with a status of 300 or more (a GET's 3xx and 4xx count as answers: a missing key is not a failure). */
  readonly non2xx: number;
  /** `requests` per second of measuring. */
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Checks options that came from another process or a user's code; a TypeError names what is wrong. */
export function checkLoadOptions(options: LoadOptions): void {
  if (!Array.isArray(options.targets) || options.targets.length === 0)
    throw new TypeError("targets must list at least one base URL");
  for (const target of options.targets) {
    if (typeof target !== "string" || !/^https?:\/\/[^/]+\/?$/.test(target))
      throw new TypeError(`a target is a base URL such as http://127.0.0.1:7001, got ${describeValue(target)}`);
  }
  if (!Number.isInteger(options.connections) || options.connections < 1)
    throw new TypeError(`connections must be a positive integer, got ${describeValue(options.connections)}`);
  for (const key of ["durationMs", "warmupMs"] as const) {
    if (!Number.isFinite(options[key]) || options[key] < 0)
      throw new TypeError(`${key} must be a number of milliseconds >= 0, got ${describeValue(options[key])}`);
  }
  if (options.rate !== undefined && !(Number.isFinite(options.rate) && options.rate > 0))
    throw new TypeError(`rate must be a positive number of requests per second, got ${describeValue(options.rate)}`);
  if (!["GET", "PUT", "POST"].includes(options.method))
    throw new TypeError(`method must be GET, PUT or POST, got ${describeValue(options.method)}`);
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  checkLoadOptions(options);
  const build = prepareRequest(options, options.valueBytes);
  const pools = options.targets.map(
    (url) => new Pool(url, { connections: Math.ceil(options.connections / options.targets.length) + 1, pipelining: 1 }),
  );
  let next = 0;
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let warmupRequests = 0;
  let measuring = false;
  const one = async (scheduledAt: number): Promise<void> => {
    const i = next++;
    const pool = pools[i % pools.length] as Pool;
    const request = build(i);
    try {
      const response = await pool.request(request);
      await response.body.dump();
      if (response.statusCode >= 300 && !(request.method === "GET" && response.statusCode < 500))
        non2xx += measuring ? 1 : 0;
    } catch {
      if (measuring) errors++;
    }
    if (measuring) latencies.push(performance.now() - scheduledAt);
    else warmupRequests++;
  };
  const phase = async (ms: number): Promise<void> => {
    const end = performance.now() + ms;
    if (options.rate === undefined) {
      await Promise.all(
        Array.from({ length: options.connections }, async () => {
          while (performance.now() < end) await one(performance.now());
        }),
      );
      return;
    }
    const interval = 1000 / options.rate;
    const start = performance.now();
    const inFlight = new Set<Promise<void>>();
    for (let k = 0; ; k++) {
      const at = start + k * interval;
      if (at >= end) break;
      const wait = at - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const p = one(at).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
  };
  try {
    await phase(options.warmupMs);
    measuring = true;
    const started = performance.now();
    await phase(options.durationMs);
    const elapsed = performance.now() - started;
    latencies.sort((a, b) => a - b);
    const at = (q: number): number =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
    return {
      requests: latencies.length,
      warmupRequests,
      errors,
      non2xx,
      rps: elapsed > 0 ? (latencies.length / elapsed) * 1000 : 0,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: latencies[latencies.length - 1] ?? Number.NaN,
    };
  } finally {
    await Promise.all(pools.map((p) => p.close()));
  }
}
