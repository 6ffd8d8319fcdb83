/**
 * `skew demo`, the README's main job: a local 3-replica cluster of real
 * processes (level on disk under `.skew-data/demo`), one node's clock set
 * wrong through the admin endpoint, and the chapter's lost update (3.3)
 * happening for real: a list built by read-modify-write appends, each
 * through the next node in turn, in three buckets:
 *
 * - `lww-wall`: the writes coordinated by the node whose clock is behind
 *   are stamped before the write they follow, and last-write-wins drops
 *   them, although every one was acknowledged;
 * - `lww-hlc`: the same writes, stamped by a hybrid logical clock, which
 *   has heard the later timestamps and stamps after them: nothing lost;
 * - `causal`: no timestamps decide; each append carries the context of the
 *   read it followed, concurrent ones become siblings and the next read
 *   merges them: nothing lost.
 *
 * Then the cluster keeps serving until Ctrl-C, and the demo prints how to
 * talk to it.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { appendWrites, type DemoMember, demoSettleMs, setClock } from "../demo/lost-update.js";
import { describeCluster, startAndServe } from "./cluster-command.js";
import { exitCodes, usageErrorOf } from "./exit.js";
import { ProcessCluster } from "./processes.js";

export const demoHelp = `usage: skew demo [--appends 30] [--skew-ms -400] [--data-dir .skew-data] [--base-port 7001] [--no-serve]

Starts a local 3-replica cluster (data under <data-dir>/demo, wiped first),
sets n3's clock --skew-ms off (within the HLC's max offset, 500 ms: a node
further off refuses its peers' messages, as CockroachDB's does), appends --appends items to a list through
n1, n2, n3 in turn (read, add, write back) in lww-wall, lww-hlc and causal
buckets, and prints what each kept. Then serves until Ctrl-C (--no-serve:
stops at once).`;

interface Outcome {
  readonly mode: string;
  readonly acknowledged: number;
  readonly kept: number;
  readonly lost: readonly string[];
}

export async function runDemoCommand(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        appends: { type: "string", default: "30" },
        "skew-ms": { type: "string", default: "-400" },
        "data-dir": { type: "string", default: ".skew-data" },
        "base-port": { type: "string", default: "7001" },
        "no-serve": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw usageErrorOf(error);
  }
  if (values.help === true) {
    process.stdout.write(`${demoHelp}\n`);
    return exitCodes.ok;
  }
  const appends = Number(values.appends);
  const skewMs = Number(values["skew-ms"]);
  if (!Number.isInteger(appends) || appends < 3 || appends > 1000)
    throw usageErrorOf(new Error("--appends must be 3 to 1000"));
  if (!Number.isFinite(skewMs) || Math.abs(skewMs) > 60_000)
    throw usageErrorOf(new Error("--skew-ms must be within ±60000"));
  const dataDir = join(String(values["data-dir"]), "demo");
  rmSync(dataDir, { recursive: true, force: true });
  const cluster = new ProcessCluster({ nodes: 3, basePort: Number(values["base-port"]), dataDir });
  const run = async (): Promise<void> => {
    const outcomes = await demonstrate(cluster, appends, skewMs);
    process.stdout.write(`${formatOutcomes(outcomes, skewMs)}\n`);
  };
  if (values["no-serve"] === true) {
    try {
      await cluster.start();
      await run();
      process.stdout.write(`${describeCluster(cluster).replace("Ctrl-C stops it.", "(--no-serve: stopping now)")}\n`);
    } finally {
      await cluster.stop();
    }
    return exitCodes.ok;
  }
  process.stdout.write(`Starting a local 3-replica cluster under ${dataDir} ...\n`);
  await startAndServe(cluster, run);
  return exitCodes.ok;
}

/**
 * Skews n3, waits for heartbeats to carry it, runs the appends in each
 * bucket (demo/lost-update.ts, as the dashboard's demonstration does). n3
 * stays skewed: the cluster serves on with the clock it was shown with.
 */
export async function demonstrate(cluster: ProcessCluster, appends: number, skewMs: number): Promise<Outcome[]> {
  const members: DemoMember[] = cluster.nodes.map(({ id, url }) => ({ id, url }));
  const skewed = members[2] as DemoMember;
  const nowMs = (): number => performance.now();
  await setClock(skewed, `Bearer ${cluster.adminToken}`, { offsetMs: skewMs }, nowMs);
  process.stdout.write(
    `${skewed.id}'s clock is now ${Math.abs(skewMs)} ms ${skewMs < 0 ? "behind" : "ahead of"} the others.\n`,
  );
  await new Promise((r) => setTimeout(r, demoSettleMs)); // heartbeats: every node sees the others up
  const key = `list-${Date.now()}`;
  const outcomes: Outcome[] = [];
  for (const mode of ["lww-wall", "lww-hlc", "causal"] as const) {
    const { writes } = await appendWrites({
      members,
      bucket: mode,
      causal: mode === "causal",
      key,
      appends,
      nowMs,
      startedAtMs: nowMs(),
      skew: { member: skewed.id, skewMs },
    });
    const acknowledged = writes.filter((w) => w.error === null);
    outcomes.push({
      mode,
      acknowledged: acknowledged.length,
      kept: writes.filter((w) => w.kept).length,
      lost: acknowledged.filter((w) => !w.kept).map((w) => w.item),
    });
  }
  return outcomes;
}

export function formatOutcomes(outcomes: readonly Outcome[], skewMs: number): string {
  const lines = [
    "",
    `Appends to one list, through n1, n2, n3 in turn (read, add, write back); n3's clock ${skewMs} ms off:`,
    "",
    `  ${"bucket".padEnd(10)} ${"acknowledged".padStart(12)} ${"kept".padStart(6)} ${"lost".padStart(6)}`,
  ];
  for (const o of outcomes) {
    lines.push(
      `  ${o.mode.padEnd(10)} ${String(o.acknowledged).padStart(12)} ${String(o.kept).padStart(6)} ${String(o.lost.length).padStart(6)}`,
    );
  }
  lines.push("");
  for (const o of outcomes) {
    if (o.lost.length === 0) {
      lines.push(`  ${o.mode}: every acknowledged append survived.`);
    } else {
      const shown = o.lost.slice(0, 8).join(", ");
      lines.push(
        `  ${o.mode}: lost ${shown}${o.lost.length > 8 ? ", ..." : ""}: each acknowledged, then overwritten by a write stamped later.`,
      );
    }
  }
  lines.push(
    "",
    "  lww-wall stamps each write with its coordinator's clock: n3's are stamped in the past, so the writes",
    "  they follow win and n3's appends vanish (the chapter, section 3.3). lww-hlc stamps after everything",
    "  the node has heard of; causal keeps concurrent writes as siblings and merges them on the next read.",
  );
  return lines.join("\n");
}
