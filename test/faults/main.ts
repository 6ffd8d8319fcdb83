/**
 * `npm run test:faults -- [--time <s>] [--nemesis all|<name,...>] [--seed <n>] ...`: one long fault run
 * (run.ts) on five node processes in network namespaces, as root. Writes the run's folder (report.ts),
 * prints the summary table and the seed, and exits 0 when every law held, 1 when one broke, 2 on a usage
 * error.
 */
import { randomInt } from "node:crypto";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { conflictModes, isConflictMode } from "@skew/kv";
import { faultWorkloads, isFaultWorkload } from "./cases.js";
import { type NemesisName, nemesisNames, relaxedOnlyNemeses } from "./nemesis/schedule.js";
import { replayCommand, summaryTable, writeRunFolder } from "./report.js";
import { runFaults } from "./run.js";

const usage = `usage: npm run test:faults -- [options]

  --time <s>            seconds of workload (default 60)
  --nemesis <list>      all, or some of: ${nemesisNames.join(", ")} (default all)
  --seed <n>            the seed of the schedule and the workloads (default: drawn, and printed)
  --modes <list>        the buckets' conflict modes (default causal,lww-wall): ${conflictModes.join(", ")}
  --workloads <list>    some of: ${faultWorkloads.join(", ")} (default all)
  --durability <d>      sync or relaxed (default sync; disk-unsynced needs relaxed, and "all" includes it then)
  --clock-bump-max <s>  the largest clock bump, either way (default 120: seconds to minutes)
  --out <dir>           the run's folder (default faults-runs/<time>-seed-<seed>; a new one per run)

Needs root: the nodes run in network namespaces (ip netns, veth, a bridge, iptables).`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${usage}\n`);
  process.exit(2);
}

function list<T extends string>(value: string, valid: readonly T[], is: (x: string) => boolean, what: string): T[] {
  const items = value.split(",").filter((item) => item !== "");
  for (const item of items) if (!is(item)) fail(`unknown ${what} ${JSON.stringify(item)}; one of ${valid.join(", ")}`);
  if (items.length === 0) fail(`--${what} names nothing`);
  return items as T[];
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        time: { type: "string" },
        nemesis: { type: "string" },
        seed: { type: "string" },
        modes: { type: "string" },
        workloads: { type: "string" },
        durability: { type: "string" },
        out: { type: "string" },
        "clock-bump-max": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help === true) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const seconds = Number(values.time ?? "60");
  if (!(Number.isFinite(seconds) && seconds >= 2 && seconds <= 86_400)) fail("--time must be 2 to 86400 seconds");
  const seed = values.seed === undefined ? randomInt(0, 2 ** 31) : Number(values.seed);
  if (!(Number.isSafeInteger(seed) && seed >= 0 && seed < 2 ** 32)) fail("--seed must be an integer in [0, 2^32)");
  const durability = (values.durability ?? "sync") as string;
  if (durability !== "sync" && durability !== "relaxed") fail("--durability must be sync or relaxed");
  const nemesisText = (values.nemesis ?? "all") as string;
  const nemeses: NemesisName[] =
    nemesisText === "all"
      ? nemesisNames.filter((name) => durability === "relaxed" || !relaxedOnlyNemeses.includes(name))
      : list(nemesisText, nemesisNames, (x) => (nemesisNames as readonly string[]).includes(x), "nemesis");
  const modes = list((values.modes ?? "causal,lww-wall") as string, conflictModes, isConflictMode, "modes");
  const workloads = list(
    (values.workloads ?? faultWorkloads.join(",")) as string,
    faultWorkloads,
    isFaultWorkload,
    "workloads",
  );
  const bumpSeconds = values["clock-bump-max"] === undefined ? undefined : Number(values["clock-bump-max"]);
  if (bumpSeconds !== undefined && !(Number.isFinite(bumpSeconds) && bumpSeconds >= 1 && bumpSeconds <= 86_400)) {
    fail("--clock-bump-max must be 1 to 86400 seconds");
  }
  const stamp = new Date()
    .toISOString()
    .replaceAll(":", "")
    .replace(/\.\d+Z$/, "Z");
  const dir = resolve((values.out as string | undefined) ?? `faults-runs/${stamp}-seed-${seed}`);
  const options = {
    seed,
    timeMs: seconds * 1_000,
    nemeses,
    modes,
    workloads,
    durability,
    dir,
    ...(bumpSeconds === undefined ? {} : { clockBumpMsMax: bumpSeconds * 1_000 }),
  } as const;
  process.stdout.write(`fault run, seed ${seed}: ${replayCommand(options)}\nfolder: ${dir}\n`);
  let result: Awaited<ReturnType<typeof runFaults>>;
  try {
    result = await runFaults({ ...options, log: (line) => process.stdout.write(`  ${line}\n`) });
  } catch (error) {
    // The run itself failed (a nemesis could not do its fault, a node would not start): no verdict.
    process.stderr.write(
      `fault run failed before its verdict: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.stderr.write(`the nodes' logs: ${dir}/nodes; seed ${seed}; replay: ${replayCommand(options)}\n`);
    process.exitCode = 1;
    return;
  }
  const path = await writeRunFolder(dir, result);
  process.stdout.write(`\n${summaryTable(result)}\n\n`);
  if (result.lawsBroken.length === 0) process.stdout.write("every law held.\n");
  else process.stdout.write(`LAWS BROKEN:\n${result.lawsBroken.map((line) => `  - ${line}`).join("\n")}\n`);
  process.stdout.write(`\nsummary: ${path}\nseed ${seed}; replay: ${replayCommand(options)}\n`);
  process.exitCode = result.lawsBroken.length === 0 ? 0 : 1;
}

await main();
