#!/usr/bin/env node
/**
 * `skew`: run a node, a local cluster, the demonstration; talk to a
 * cluster; run the chapter's scenarios. `skew <command> --help` explains
 * each command.
 *
 * Exit codes (scripts can rely on them; `exitCodes`):
 * 0 success; 2 usage or configuration error; 3 not found (`get`);
 * 4 the request failed definitely (nothing was written; safe to retry);
 * 5 the request failed indefinitely (it may have been applied);
 * 6 no node could be reached; 1 anything else.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { exitCodes, UsageError } from "./cli/exit.js";

// Each command's module is loaded only when it runs: `skew node` starts without the client's code, and the other way round.
const client = (command: "get" | "put" | "delete" | "status") => async (argv: string[]) =>
  (await import("./cli/client-commands.js")).runClientCommand(command, argv);

/**
 * Commands that live in @skew/bench, which depends on this package (it starts
 * clusters of these nodes), so this package cannot depend on it back: they are
 * loaded by name when they run, as git runs its external commands. A node
 * installed on its own (the container image) does not carry the benchmark,
 * and says so.
 */
type BenchCommand = (
  argv: readonly string[],
  io: { out(text: string): void; err(text: string): void },
) => Promise<number>;

interface BenchCommands {
  readonly scenarioCommand: BenchCommand;
  readonly compareCommand: BenchCommand;
}

const benchPackage = "@skew/bench";

const bench = (command: keyof BenchCommands) => async (argv: string[]) => {
  let loaded: BenchCommands;
  try {
    // A name in a variable: resolved at run time, not a build dependency.
    loaded = (await import(benchPackage)) as BenchCommands;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== "ERR_MODULE_NOT_FOUND") throw error;
    throw new UsageError(
      `this command comes with ${benchPackage}, which is not installed here (npm install ${benchPackage})`,
    );
  }
  return loaded[command](argv, {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
};

const commands: Readonly<
  Record<string, { readonly summary: string; readonly run: (argv: string[]) => Promise<number> }>
> = {
  node: {
    summary: "run one replica node",
    run: async (argv) => (await import("./cli/node-command.js")).runNodeCommand(argv),
  },
  cluster: {
    summary: "start a local cluster of node processes until Ctrl-C",
    run: async (argv) => (await import("./cli/cluster-command.js")).runClusterCommand(argv),
  },
  demo: {
    summary: "start a local cluster and show updates lost to clock skew, and kept",
    run: async (argv) => (await import("./cli/demo.js")).runDemoCommand(argv),
  },
  get: { summary: "read a key: every sibling and the context", run: client("get") },
  put: { summary: "write a key", run: client("put") },
  delete: { summary: "delete a key", run: client("delete") },
  status: { summary: "a table of the cluster: members, phi, clocks", run: client("status") },
  scenario: { summary: "the chapter's scenarios on the simulator: list, run <name>", run: bench("scenarioCommand") },
  compare: {
    summary: "the clocks and conflict modes side by side: tables, results.json, report.html",
    run: bench("compareCommand"),
  },
};

export function usage(): string {
  const lines = ["usage: skew <command> [options]", "", "commands:"];
  for (const [name, { summary }] of Object.entries(commands)) lines.push(`  ${name.padEnd(8)} ${summary}`);
  lines.push("", "skew <command> --help shows a command's options.");
  lines.push(
    "exit codes: 0 ok, 2 usage, 3 not found, 4 failed definitely, 5 failed indefinitely, 6 unreachable, 1 other",
  );
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? exitCodes.usage : exitCodes.ok;
  }
  const command = commands[name];
  if (command === undefined) {
    process.stderr.write(`skew: unknown command ${JSON.stringify(name)}\n\n${usage()}\n`);
    return exitCodes.usage;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`skew ${name}: ${error.message}\n`);
      return exitCodes.usage;
    }
    process.stderr.write(`skew ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.other;
  }
}

// Run when executed (also through npm's bin symlink), not when imported (tests import `main`).
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`skew: ${String(error)}\n`);
      process.exitCode = exitCodes.other;
    },
  );
}
