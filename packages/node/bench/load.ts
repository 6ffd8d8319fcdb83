/**
 * The load generator of the node benchmark, run in its own process (so its
 * work is not counted in the servers' event loops; it still shares the 2
 * cores, which is why every figure is compared with the floor measured the
 * same way in the same run).
 *
 * `node --import tsx bench/load.ts '<json options>'` prints one JSON result.
 * Closed loop (`connections` loops, each sending its next request when the
 * last one answered) measures peak throughput; open loop (`rate` requests
 * per second, scheduled regardless of answers, latency taken from the
 * scheduled send time, so a stall is not hidden: no coordinated omission)
 * measures latency at a given load.
 */
import { Pool } from "undici";

export interface LoadOptions {
  /** Base URLs; requests go round robin over them. */
  readonly targets: readonly string[];
  readonly method: "PUT" | "GET";
  /** The path for request i (e.g. `/buckets/lww-hlc/keys/k{i}`): `{i}` is replaced. */
  readonly path: string;
  /** For GET: how many distinct keys to cycle over (`{i}` modulo this). */
  readonly keys?: number;
  readonly valueBytes: number;
  readonly connections: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  /** Requests per second, open loop; absent: closed loop. */
  readonly rate?: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const pools = options.targets.map(
    (url) => new Pool(url, { connections: Math.ceil(options.connections / options.targets.length) + 1, pipelining: 1 }),
  );
  const body = Buffer.alloc(options.valueBytes, 120);
  let next = 0;
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let measuring = false;
  const one = async (scheduledAt: number): Promise<void> => {
    const i = next++;
    const index = options.keys === undefined ? i : i % options.keys;
    const pool = pools[i % pools.length] as Pool;
    try {
      const response = await pool.request({
        method: options.method,
        path: options.path.replace("{i}", String(index)),
        ...(options.method === "PUT" ? { body, headers: { "content-type": "application/octet-stream" } } : {}),
      });
      await response.body.dump();
      if (response.statusCode >= 300 && !(options.method === "GET" && response.statusCode < 500))
        non2xx += measuring ? 1 : 0;
    } catch {
      if (measuring) errors++;
    }
    if (measuring) latencies.push(performance.now() - scheduledAt);
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
  await phase(options.warmupMs);
  measuring = true;
  const started = performance.now();
  await phase(options.durationMs);
  const elapsed = performance.now() - started;
  await Promise.all(pools.map((p) => p.close()));
  latencies.sort((a, b) => a - b);
  const at = (q: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return {
    requests: latencies.length,
    errors,
    non2xx,
    rps: (latencies.length / elapsed) * 1000,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: latencies[latencies.length - 1] ?? Number.NaN,
  };
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const options = JSON.parse(process.argv[2] ?? "{}") as LoadOptions;
  runLoad(options).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
