/**
 * What a quorum put costs in CPU time and in events, beside what the
 * floor's request costs: the figure under the node benchmark's throughput.
 * On this machine (2 cores) the three nodes and the load generator share
 * the cores, so requests per second follow from CPU per put; and CPU per
 * put is steadier than requests per second when other work comes and goes.
 *
 * The floor (bench/floor-server.ts: fastify + one level put per request),
 * a 3-node cluster (N = 3, W = 2, sync durability, 100-byte values, each
 * put to a new key) and the replication floor (bench/replication-floor.ts:
 * three processes that replicate each put with the node's own parts, its
 * HTTP server, peer streams and level store, and nothing of `@skew/kv`)
 * each take a warm-up, then measured loads: closed loops at 1, 10, 50 and
 * 150 connections, and an open loop at half the cluster's best
 * closed-loop rate, the same for all three; the replication floor also at
 * half of its own best. The replication floor is what any replicated write
 * on these parts costs on this machine, whatever its conflict handling:
 * the cluster's cost above it is Skew's own. Then the replication floor
 * with no group commit window (`groupCommitWindowMs` 0) at the closed
 * loads: the parts' best where a few connections leave the window waiting
 * for company. Last, the replication floor with nothing stored, at the
 * cluster's half of peak: what is left of its latency when the store is
 * taken away. The cost of a put
 * is not a constant: it falls as load rises and each wake-up of a process
 * carries more puts, which is why the table spans the loads.
 * CPU is each process's user + system time from
 * `/proc/<pid>/stat` (every thread: the event loop, libuv's workers doing
 * LevelDB's writes and fsyncs, V8's collector), summed over the three
 * nodes; the load generator's is not counted. Per put, from the nodes'
 * `/metrics`: the frames and messages they sent each other, the level
 * writes (each one fsync) and the batches and operations they carried.
 *
 *   npm run build && npm run bench:cpu -w @skew/node [-- --json | --quick]
 *
 * `npm run bench -w @skew/node` runs it after bench/index.ts. Linux only (it
 * reads /proc): elsewhere it says so and measures nothing.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { type LoadOptions, type LoadResult, parseBenchArgs, processesCpuMs } from "@skew/harness";
import { freePort, ProcessCluster } from "../src/cli/processes.js";
import { runLoad, startFloor, startReplicationFloor } from "./support.js";

const args = parseBenchArgs(process.argv.slice(2));
const measureMs = args.quick ? 2_000 : 8_000;
const floorWarmupMs = args.quick ? 500 : 3_000;
/** As in bench/index.ts: the node processes start cold, and V8 needs about 15 s of load to compile their hot paths. */
const clusterWarmupMs = args.quick ? 2_000 : 15_000;
/**
 * Closed-loop loads measured: at 1 connection a put runs alone and every
 * process sleeps and wakes for it; at 150 the cluster's processes are
 * always busy and each wake-up carries many puts. Then one open loop at half
 * the best of them (the node benchmark's "half of peak"). The floor is
 * measured at the same loads.
 */
const connectionCounts = [1, 10, 50, 150] as const;
/** The open loop's pool: enough connections that the rate is never held back by them. */
const openLoopConnections = 150;
const valueBytes = 100;
const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? "unknown", node: process.version };

/** The node counters read per put, by their /metrics names. */
const counters = {
  framesSent: "skew_peer_frames_sent",
  messagesSent: "skew_peer_messages_sent",
  levelWrites: "skew_storage_group_write_seconds_count",
  batches: "skew_storage_batches",
  operations: "skew_storage_operations",
} as const;
type Counter = keyof typeof counters;

interface Measured {
  readonly name: string;
  readonly load: Load;
  readonly role: Role;
  readonly result: LoadResult;
  /** CPU time of the measured processes, ms. */
  readonly cpuMs: number;
  /** Context switches of the measured processes' threads. */
  readonly switches: number;
  /** Share of the machine's CPU time that was busy while measuring (every process), 0 to 1. */
  readonly machineBusy: number;
  readonly perRequest: Partial<Record<Counter, number>>;
}

/** User + system CPU time of these processes together (all their threads), ms; one that cannot be read stops the run. */
function cpuMsOf(pids: readonly number[]): number {
  const ms = processesCpuMs(pids);
  if (ms === undefined) throw new Error(`cannot read the CPU time of processes ${pids.join(", ")} from /proc`);
  return ms;
}

/**
 * Context switches of a process so far, over all its threads
 * (/proc/<pid>/task/<tid>/status): each voluntary one is a thread going to
 * sleep (waiting for I/O or work) to be woken later, which on a virtual
 * machine costs more than the work many events bring.
 */
function switchesOf(pid: number): number {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let status: string;
    try {
      status = readFileSync(`/proc/${pid}/task/${tid}/status`, "utf8");
    } catch {
      continue; // the thread ended meanwhile
    }
    for (const match of status.matchAll(/^(?:non)?voluntary_ctxt_switches:\s+(\d+)$/gm)) total += Number(match[1]);
  }
  return total;
}

/** The machine's busy and total CPU ticks so far (/proc/stat's first line). */
function machineTicks(): { busy: number; total: number } {
  const values = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

async function countersOf(url: string): Promise<Record<Counter, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string): number => {
    const line = text.split("\n").find((l) => l.startsWith(`${name} `));
    if (line === undefined) throw new Error(`${url}/metrics has no ${name}`);
    return Number(line.slice(name.length + 1));
  };
  return Object.fromEntries(Object.entries(counters).map(([key, name]) => [key, read(name)])) as Record<
    Counter,
    number
  >;
}

/** Runs `load` while reading the CPU time of `pids` and the machine's, before and after. */
async function measured(pids: readonly number[], load: () => Promise<LoadResult>) {
  const cpuBefore = cpuMsOf(pids);
  const switchesBefore = pids.map(switchesOf);
  const machineBefore = machineTicks();
  const result = await load();
  const cpuMs = cpuMsOf(pids) - cpuBefore;
  const switches = pids.reduce((sum, pid, i) => sum + switchesOf(pid) - (switchesBefore[i] as number), 0);
  const machineAfter = machineTicks();
  const machineBusy = (machineAfter.busy - machineBefore.busy) / Math.max(1, machineAfter.total - machineBefore.total);
  return { result, cpuMs, switches, machineBusy };
}

/** What the cluster is measured against, in the order the table shows them. */
const references = [
  "floor",
  "replication floor",
  "replication floor, no commit window",
  "replication floor, nothing stored",
] as const;
/** A reference (the floor, the replication floor with or without its window or its store) or the cluster (the subject). */
type Role = (typeof references)[number] | "subject";

/** A load of this benchmark: closed at `connections`, or open at `rate` requests per second. */
interface Load {
  /** As the table names it: "50 connections", or "1500/s open loop". */
  readonly label: string;
  readonly connections: number;
  /** Requests per second of an open loop; undefined for a closed one. */
  readonly rate: number | undefined;
}

const closedLoad = (connections: number): Load => ({
  label: `${connections} connection${connections === 1 ? "" : "s"}`,
  connections,
  rate: undefined,
});
const openLoad = (rate: number): Load => ({ label: `${rate}/s open loop`, connections: openLoopConnections, rate });

/** Runs `load` against `target` for `measureMs`, each put to a new key under `keys` (a path up to the key). */
function runAt(load: Load, target: Omit<LoadOptions, "connections" | "path" | "durationMs">, keys: string) {
  const path = `${keys}${load.label.replace(/\W+/g, "-")}-{i}`;
  const rate = load.rate === undefined ? {} : { rate: load.rate };
  return runLoad({ ...target, connections: load.connections, path, durationMs: measureMs, ...rate });
}

async function main(): Promise<Measured[]> {
  const dir = mkdtempSync(join(tmpdir(), "skew-node-cpu-"));
  const say = (text: string): void => {
    if (!args.json) process.stderr.write(`${text}\n`);
  };
  const rows: Measured[] = [];
  // The floor stays up (idle) while the cluster is measured: its open-loop row comes last, at the cluster's rate.
  const floor = await startFloor(dir);
  try {
    const floorPid = floor.child.pid as number;
    const floorTarget = { targets: [floor.url], method: "PUT" as const, valueBytes, warmupMs: 0 };
    const measureFloor = async (load: Load): Promise<void> => {
      const m = await measured([floorPid], () => runAt(load, floorTarget, "/buckets/b/keys/k"));
      rows.push({ name: "floor: fastify + one level put", load, role: "floor", ...m, perRequest: {} });
    };
    say("the floor: one fastify process, one level put per request ...");
    await runLoad({ ...floorTarget, connections: 50, path: "/buckets/b/keys/w{i}", durationMs: floorWarmupMs });
    for (const connections of connectionCounts) await measureFloor(closedLoad(connections));

    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    const cluster = new ProcessCluster({
      nodes: 3,
      ports,
      dataDir: join(dir, "cluster"),
      env: { SKEW_DURABILITY: "sync", SKEW_LOG_LEVEL: "warn" },
    });
    say("a 3-node cluster, sync durability ...");
    await cluster.start();
    let open: Load;
    try {
      const targets = cluster.nodes.map((n) => n.url);
      const target = { targets, method: "PUT" as const, valueBytes, warmupMs: 0 };
      say(`warming the cluster up: ${clusterWarmupMs / 1000} s of puts, not measured ...`);
      await runLoad({ ...target, connections: 50, path: "/buckets/lww-hlc/keys/w{i}", durationMs: clusterWarmupMs });
      const pids = cluster.nodes.map((n) => n.child?.pid as number);
      const measureCluster = async (load: Load): Promise<number> => {
        const before = await Promise.all(targets.map(countersOf));
        const m = await measured(pids, () => runAt(load, target, "/buckets/lww-hlc/keys/k"));
        const after = await Promise.all(targets.map(countersOf));
        const perRequest: Partial<Record<Counter, number>> = {};
        for (const key of Object.keys(counters) as Counter[]) {
          const grown = after.reduce((sum, a, i) => sum + a[key] - (before[i] as Record<Counter, number>)[key], 0);
          perRequest[key] = grown / Math.max(1, m.result.requests);
        }
        const name = "quorum put, N=3 W=2, sync (3 nodes)";
        rows.push({ name, load, role: "subject", ...m, perRequest });
        return m.result.rps;
      };
      let peak = 0;
      for (const connections of connectionCounts) peak = Math.max(peak, await measureCluster(closedLoad(connections)));
      open = openLoad(Math.max(10, Math.round(peak / 2)));
      await measureCluster(open);
    } finally {
      await cluster.stop();
    }
    await measureFloor(open);

    /** Starts a replication floor, warms it up as the cluster was, hands `run` a way to measure a load, stops it. */
    const withReplicationFloor = async (
      storage: "level" | "none",
      role: Role,
      name: string,
      run: (measure: (load: Load) => Promise<number>) => Promise<void>,
      groupCommitWindowMs?: number,
    ): Promise<void> => {
      const folder = join(dir, `replication-${storage}-${groupCommitWindowMs ?? "default"}`);
      const replication = await startReplicationFloor(folder, storage, groupCommitWindowMs);
      try {
        const pids = replication.children.map((child) => child.pid as number);
        const target = { targets: replication.urls, method: "PUT" as const, valueBytes, warmupMs: 0 };
        await runLoad({ ...target, connections: 50, path: "/buckets/b/keys/w{i}", durationMs: clusterWarmupMs });
        await run(async (load) => {
          const m = await measured(pids, () => runAt(load, target, "/buckets/b/keys/k"));
          rows.push({ name, load, role, ...m, perRequest: {} });
          return m.result.rps;
        });
      } finally {
        replication.stop();
      }
    };
    say("the replication floor: 3 processes, the node's parts, nothing of @skew/kv ...");
    await withReplicationFloor("level", "replication floor", "replication floor, N=3 W=2, sync", async (measure) => {
      let peak = 0;
      for (const connections of connectionCounts) peak = Math.max(peak, await measure(closedLoad(connections)));
      await measure(open);
      await measure(openLoad(Math.max(10, Math.round(peak / 2))));
    });
    // Where a closed loop's few puts leave the store waiting for company, the
    // group commit window is latency the parts could do without: this is the
    // parts' best at low load, bought with more fsyncs a put.
    say("the replication floor again, with no group commit window ...");
    const unwindowed = "replication floor, no commit window";
    await withReplicationFloor(
      "level",
      unwindowed,
      unwindowed,
      async (measure) => {
        for (const connections of connectionCounts) await measure(closedLoad(connections));
      },
      0,
    );
    say("the replication floor again, storing nothing ...");
    const bare = "replication floor, nothing stored";
    await withReplicationFloor("none", bare, bare, async (measure) => {
      await measure(open);
    });
  } finally {
    floor.child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

function report(rows: readonly Measured[]): void {
  const cpuUsPerRequest = (r: Measured): number => (r.cpuMs * 1000) / Math.max(1, r.result.requests);
  const switchesPerRequest = (r: Measured): number => r.switches / Math.max(1, r.result.requests);
  /** The row of `role` measured at the same load as `row`, if any. */
  const peerOf = (row: Measured, role: Role): Measured | undefined =>
    rows.find((r) => r.role === role && r.load.label === row.load.label);
  /** CPU per request of `row` over that of its peer of `role` at the same load; null without one. */
  const ratioTo = (row: Measured, role: Role): number | null => {
    const peer = row.role === role ? undefined : peerOf(row, role);
    return peer === undefined ? null : cpuUsPerRequest(row) / cpuUsPerRequest(peer);
  };
  const groupOf = (row: Measured): string => `CPU per put, ${row.load.label}`;
  if (args.json) {
    for (const row of rows) {
      const ratio = ratioTo(row, "floor");
      const ratioToReplicationFloor = row.role === "subject" ? ratioTo(row, "replication floor") : null;
      process.stdout.write(
        `${JSON.stringify({ package: "@skew/node", group: groupOf(row), name: row.name, role: row.role, connections: row.load.connections, rate: row.load.rate ?? null, cpuUsPerRequest: cpuUsPerRequest(row), switchesPerRequest: switchesPerRequest(row), ratio, ratioToReplicationFloor, rps: row.result.rps, p50Ms: row.result.p50Ms, p99Ms: row.result.p99Ms, requests: row.result.requests, machineBusy: row.machineBusy, ...row.perRequest, machine })}\n`,
      );
    }
  } else {
    const lines = [
      "",
      `@skew/node CPU per put (${machine.cpus} cores, ${machine.model}, Node ${machine.node}; ${valueBytes}-byte values, ${measureMs / 1000} s measured)`,
      "ratios: CPU per request over the floor's, and the cluster's over the replication floor's, at the same load (the load generator's CPU is not counted).",
    ];
    const loads = [...new Set(rows.map((r) => r.load.label))];
    for (const load of loads) {
      lines.push("", `[CPU per put, ${load}]`);
      for (const role of references) {
        for (const row of rows.filter((r) => r.load.label === load && r.role === role)) lines.push(line(row));
      }
      for (const row of rows.filter((r) => r.load.label === load && r.role === "subject")) {
        lines.push(line(row));
        const p = row.perRequest;
        const f = (n: number | undefined): string => (n ?? Number.NaN).toFixed(2);
        lines.push(
          `    per put, over the 3 nodes: ${f(p.framesSent)} peer frames carrying ${f(p.messagesSent)} messages; ` +
            `${f(p.levelWrites)} level writes (fsyncs) carrying ${f(p.batches)} batches, ${f(p.operations)} operations`,
        );
      }
    }
    process.stdout.write(`${lines.join("\n")}\n`);
  }

  function line(row: Measured): string {
    const times = (ratio: number | null, of: string): string => (ratio === null ? "" : `${ratio.toFixed(1)}x ${of}`);
    const ratios = [
      times(ratioTo(row, "floor"), "the floor"),
      row.role === "subject" ? times(ratioTo(row, "replication floor"), "the replication floor") : "",
    ].filter((text) => text !== "");
    return (
      `  ${row.name.padEnd(38)} ${cpuUsPerRequest(row).toFixed(0).padStart(5)} µs CPU  ` +
      `${switchesPerRequest(row).toFixed(1).padStart(5)} context switches  ${row.result.rps.toFixed(0).padStart(6)} req/s  ` +
      `p99 ${row.result.p99Ms.toFixed(1).padStart(5)} ms  machine ${(100 * row.machineBusy).toFixed(0).padStart(3)}% busy  ${ratios.join(", ")}`
    );
  }
}

if (existsSync("/proc/self/stat")) report(await main());
else process.stderr.write("bench/cpu.ts reads /proc: skipped, it runs on Linux only\n");
