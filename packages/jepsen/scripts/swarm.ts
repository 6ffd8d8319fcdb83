/**
 * `npm run swarm -- --seeds <n> [--from <seed>] [--mode causal|lww-hlc|...]`
 * (from the repository root or packages/jepsen): the swarm test's run
 * (`swarmSetRun`, judged by `swarmViolations`, both in src/sim/swarm.ts)
 * over many seeds. Unlike the test it goes on
 * past a failure; it prints a progress line every `--every` seeds (default
 * 100), then every failing seed with the command that replays it, and
 * exits 1 if any failed.
 */
import { type ConflictMode, conflictModes } from "@skew/kv";
import { swarmSetRun, swarmViolations } from "../src/index.js";

interface Args {
  readonly seeds: number;
  readonly from: number;
  readonly mode: ConflictMode;
  readonly every: number;
  readonly tombstoneRemovalDelayMs: number | undefined;
}

const usage =
  "usage: npm run swarm -- --seeds <n> [--from <seed>] [--mode causal|lww-wall|lww-lamport|lww-hlc|lww-truetime] [--every <n>] [--tombstone-delay-ms <ms>]";

function parseArgs(argv: readonly string[]): Args {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] as string;
    const value = argv[i + 1];
    if (!flag.startsWith("--") || value === undefined) throw new Error(`bad arguments near ${flag}\n${usage}`);
    values.set(flag.slice(2), value);
  }
  for (const flag of values.keys()) {
    if (!["seeds", "from", "mode", "every", "tombstone-delay-ms"].includes(flag)) {
      throw new Error(`unknown flag --${flag}\n${usage}`);
    }
  }
  const integer = (flag: string, fallback: number | undefined, min: number): number | undefined => {
    const raw = values.get(flag);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${flag} must be an integer >= ${min}, got ${raw}`);
    return n;
  };
  const mode = values.get("mode") ?? "causal";
  if (!(conflictModes as readonly string[]).includes(mode)) throw new Error(`unknown mode ${mode}\n${usage}`);
  return {
    seeds: integer("seeds", 100, 1) as number,
    from: integer("from", 1, -0x8000_0000) as number,
    mode: mode as ConflictMode,
    every: integer("every", 100, 1) as number,
    tombstoneRemovalDelayMs: integer("tombstone-delay-ms", undefined, 0),
  };
}

function replay(seed: number, args: Args): string {
  const script = `npm run swarm -- --from ${seed} --seeds 1 --mode ${args.mode}`;
  // The test runs the default removal delay only: another delay replays through the script alone.
  if (args.tombstoneRemovalDelayMs !== undefined)
    return `${script} --tombstone-delay-ms ${args.tombstoneRemovalDelayMs}`;
  const test = args.mode === "causal" ? "causal" : args.mode;
  return `cd packages/jepsen && SEED=${seed} npx vitest run test/sim/swarm.test.ts -t "${test}"   (or: ${script})`;
}

function main(): number {
  const args = parseArgs(process.argv.slice(2));
  const failures: { readonly seed: number; readonly problems: readonly string[] }[] = [];
  const startedMs = performance.now();
  let acknowledged = 0;
  let deletes = 0;
  for (let i = 0; i < args.seeds; i++) {
    const seed = args.from + i;
    try {
      const run = swarmSetRun(seed, {
        mode: args.mode,
        ...(args.tombstoneRemovalDelayMs === undefined
          ? {}
          : { tombstoneRemovalDelayMs: args.tombstoneRemovalDelayMs }),
      });
      acknowledged += run.report.acknowledged;
      deletes += run.deletes.acknowledged;
      const problems = swarmViolations(run);
      if (problems.length > 0) failures.push({ seed, problems: [...problems, run.nemesis] });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      failures.push({ seed, problems: [message.split("\n").slice(0, 3).join("\n    ")] });
    }
    if ((i + 1) % args.every === 0 || i + 1 === args.seeds) {
      const seconds = (performance.now() - startedMs) / 1_000;
      console.log(
        `${args.mode}: ${i + 1}/${args.seeds} seeds (${args.from}..${seed}), ${failures.length} failed, ` +
          `${acknowledged} acknowledged adds, ${deletes} acknowledged deletes, ${seconds.toFixed(1)} s`,
      );
    }
  }
  if (failures.length === 0) {
    console.log(`all ${args.seeds} seeds passed`);
    return 0;
  }
  console.log(`\n${failures.length} of ${args.seeds} seeds failed:`);
  for (const { seed, problems } of failures) {
    console.log(`seed ${seed}:\n    ${problems.join("\n    ")}\n  replay: ${replay(seed, args)}`);
  }
  return 1;
}

process.exitCode = main();
