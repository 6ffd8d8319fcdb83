/**
 * The node benchmark (issue 6, "Speed"): a 3-node cluster of real processes
 * on loopback (N = 3, R = W = 2), quorum puts and gets, with sync and with
 * relaxed durability, beside the floor measured in the same run by the same
 * load generator: one fastify process doing one local level put (or get) per
 * request. Then p99 at half the peak put rate, open loop.
 *
 *   npm run build && npm run bench -w @skew/node [-- --json | --quick]
 *
 * Then bench/cpu.ts: CPU time, context switches and events per put.
 *
 * Goals (the issue's): quorum puts at no less than 30% of the floor's
 * requests per second; p99 under 20 ms at half of peak load.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { type LoadOptions, type LoadResult, parseBenchArgs } from "@skew/harness";
import { freePort, ProcessCluster } from "../src/cli/processes.js";
import { runLoad, startFloor } from "./support.js";

const args = parseBenchArgs(process.argv.slice(2));
const durationMs = args.quick ? 1_000 : 5_000;
const warmupMs = args.quick ? 300 : 1_000;
/**
 * Load a fresh cluster takes before any row is measured. Its three node
 * processes start cold: measured here, puts at 50 connections climbed from
 * about 620/s in their first 3 s to 1,890/s after 15 s, as V8 compiled the
 * hot paths. The floor is a few lines and warms within its own warm-up.
 */
const clusterWarmupMs = args.quick ? 2_000 : 15_000;
const valueBytes = 100;
/**
 * Closed-loop puts are measured at these connection counts, the floor's and
 * the cluster's alike. 150 is there because a quorum put's latency is ten
 * times the floor's request's: by Little's law a system serving X requests
 * a second at a latency of L seconds holds X * L of them in flight, so the
 * connections that saturate the floor (10 to 50) leave the cluster's three
 * processes waiting on each other; its peak takes more.
 */
const putConnections = [10, 50, 150] as const;
const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? "unknown", node: process.version };

interface Row {
  readonly group: string;
  readonly name: string;
  readonly role: "floor" | "subject";
  readonly result: LoadResult;
  readonly ratio: number | null;
  readonly goal: string | null;
  readonly goalMet: boolean | null;
}

async function load(
  options: Omit<LoadOptions, "valueBytes" | "durationMs" | "warmupMs"> & { readonly durationMs?: number },
): Promise<LoadResult> {
  return runLoad({ valueBytes, durationMs, warmupMs, ...options });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "skew-node-bench-"));
  const rows: Row[] = [];
  const notes: string[] = [];
  const say = (text: string): void => {
    if (!args.json) process.stderr.write(`${text}\n`);
  };
  const floor = await startFloor(dir);
  try {
    say("measuring the floor: one fastify process, one level put or get per request ...");
    const floorPut = new Map<number, LoadResult>();
    for (const connections of putConnections) {
      const result = await load({ targets: [floor.url], method: "PUT", path: "/buckets/b/keys/k{i}", connections });
      floorPut.set(connections, result);
      rows.push({
        group: `put, ${connections} connections`,
        name: "floor: fastify + one level put",
        role: "floor",
        result,
        ratio: null,
        goal: null,
        goalMet: null,
      });
    }
    const floorGet = await load({
      targets: [floor.url],
      method: "GET",
      path: "/buckets/b/keys/k{i}",
      keys: 1000,
      connections: 50,
    });
    rows.push({
      group: "get, 50 connections",
      name: "floor: fastify + one level get",
      role: "floor",
      result: floorGet,
      ratio: null,
      goal: null,
      goalMet: null,
    });

    for (const durability of ["sync", "relaxed"] as const) {
      const ports = await Promise.all([freePort(), freePort(), freePort()]);
      const cluster = new ProcessCluster({
        nodes: 3,
        ports,
        dataDir: join(dir, durability),
        env: { SKEW_DURABILITY: durability, SKEW_LOG_LEVEL: "warn" },
      });
      say(`starting a 3-node cluster, ${durability} durability ...`);
      await cluster.start();
      try {
        const targets = cluster.nodes.map((n) => n.url);
        say(`warming the cluster up: ${clusterWarmupMs / 1000} s of puts and gets, not measured ...`);
        await load({
          targets,
          method: "PUT",
          path: "/buckets/lww-hlc/keys/warm{i}",
          connections: 50,
          durationMs: clusterWarmupMs * 0.8,
        });
        await load({
          targets,
          method: "GET",
          path: "/buckets/lww-hlc/keys/warm{i}",
          keys: 1000,
          connections: 50,
          durationMs: clusterWarmupMs * 0.2,
        });
        let peak = 0;
        for (const connections of putConnections) {
          const result = await load({ targets, method: "PUT", path: `/buckets/lww-hlc/keys/k{i}`, connections });
          const base = floorPut.get(connections) as LoadResult;
          const ratio = result.rps / base.rps;
          peak = Math.max(peak, result.rps);
          const goal = durability === "sync" ? "rps >= 0.30x floor" : null;
          rows.push({
            group: `put, ${connections} connections`,
            name: `quorum put, N=3 W=2, ${durability}`,
            role: "subject",
            result,
            ratio,
            goal,
            goalMet: goal === null ? null : ratio >= 0.3,
          });
        }
        const get = await load({
          targets,
          method: "GET",
          path: `/buckets/lww-hlc/keys/k{i}`,
          keys: 1000,
          connections: 50,
        });
        rows.push({
          group: "get, 50 connections",
          name: `quorum get, N=3 R=2, ${durability}`,
          role: "subject",
          result: get,
          ratio: get.rps / floorGet.rps,
          goal: null,
          goalMet: null,
        });
        const rate = Math.max(10, Math.round(peak / 2));
        const half = await load({
          targets,
          method: "PUT",
          path: `/buckets/lww-hlc/keys/h{i}`,
          connections: Math.max(...putConnections),
          rate,
        });
        rows.push({
          group: `put at half of peak (${rate}/s, open loop)`,
          name: `quorum put, N=3 W=2, ${durability}`,
          role: "subject",
          result: half,
          ratio: null,
          goal: "p99 < 20 ms",
          goalMet: half.p99Ms < 20,
        });
        const views = await Promise.all(
          targets.map(
            async (url) =>
              (await (await fetch(`${url}/cluster`)).json()) as {
                storage: { writes: number; batches: number; batchesCoalesced: number };
              },
          ),
        );
        const writes = views.reduce((s, v) => s + v.storage.writes, 0);
        const batches = views.reduce((s, v) => s + v.storage.batches, 0);
        notes.push(
          `${durability}: ${batches} write batches in ${writes} level writes (${(batches / Math.max(writes, 1)).toFixed(1)} batches per ${durability === "sync" ? "fsync" : "write"})`,
        );
      } finally {
        await cluster.stop();
      }
    }
  } finally {
    floor.child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }

  if (args.json) {
    for (const row of rows) {
      process.stdout.write(
        `${JSON.stringify({ package: "@skew/node", group: row.group, name: row.name, role: row.role, ...row.result, ratio: row.ratio, goal: row.goal, goalMet: row.goalMet, machine })}\n`,
      );
    }
    return;
  }
  const lines = [
    "",
    `@skew/node cluster benchmark (${machine.cpus} cores, ${machine.model}, Node ${machine.node}; ${valueBytes}-byte values, ${durationMs / 1000} s per row)`,
    "ratio: requests/s over the floor's at the same connections, measured in this run.",
    "",
  ];
  let group = "";
  for (const row of rows) {
    if (row.group !== group) {
      group = row.group;
      lines.push(`[${group}]`);
    }
    const r = row.result;
    const ratio = row.ratio === null ? "" : `${row.ratio.toFixed(2)}x`;
    const goal = row.goal === null ? "" : `${row.goalMet ? "met" : "MISSED"}: ${row.goal}`;
    const errors = r.errors + r.non2xx > 0 ? `  (${r.errors} errors, ${r.non2xx} non-2xx)` : "";
    lines.push(
      `  ${row.name.padEnd(36)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50Ms.toFixed(2).padStart(6)} ms  p99 ${r.p99Ms.toFixed(2).padStart(6)} ms  ${ratio.padStart(6)}  ${goal}${errors}`,
    );
  }
  lines.push("", ...notes);
  process.stdout.write(`${lines.join("\n")}\n`);
}

await main();
// Then what a put costs in CPU and in events (bench/cpu.ts reads the same arguments).
await import("./cpu.js");
// Then what waking a process costs on this machine, the platform's share of those events (bench/wake.ts).
await import("./wake.js");
