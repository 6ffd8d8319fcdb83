/**
 * `skew scenario list` and `skew scenario run <name> [--seed n] [--json]`,
 * as a function the `skew` CLI calls with the arguments after `scenario`
 * and two writers. It prints and returns an exit code; it never calls
 * `process.exit` and reads nothing from the process, so a test drives it
 * with arrays and strings.
 *
 * Exit codes: 0 done; 1 a scenario failed while running (a bug: the
 * message names the seed and the command that replays it); 2 a usage
 * error (unknown subcommand or option, unknown scenario, bad seed).
 */
import { seedDefault } from "./constants.js";
import { ScenarioError } from "./errors.js";
import { formatScenario } from "./format.js";
import { findScenario, scenarios } from "./registry.js";
import { parseSeed } from "./seeds.js";

export interface CommandIo {
  /** Normal output; each call's text ends with a newline and is written as is. */
  out(text: string): void;
  /** Errors and usage after a mistake. */
  err(text: string): void;
}

export const exitOk = 0;
export const exitFailed = 1;
export const exitUsage = 2;

export const scenarioUsage = `usage: skew scenario list | run <name> [--seed <n>] [--json]

  skew scenario list                              the chapter's scenarios, by section
  skew scenario run <name> [--seed <n>] [--json]  run one on the simulator and narrate it
                                                  (--seed: a 32-bit integer, default ${seedDefault};
                                                   --json: the result as JSON instead of text)
  skew scenario --help                            this text
`;

/** Runs `skew scenario <argv...>`; resolves to the exit code. */
export async function scenarioCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const [subcommand, ...rest] = argv;
  if (subcommand === undefined) return usageError(io, "a subcommand is needed: list or run");
  if (isHelp(subcommand)) {
    io.out(scenarioUsage);
    return exitOk;
  }
  if (subcommand === "list") {
    if (rest.some(isHelp)) {
      io.out(scenarioUsage);
      return exitOk;
    }
    if (rest.length > 0) return usageError(io, `list takes no arguments, got ${rest.join(" ")}`);
    io.out(listText());
    return exitOk;
  }
  if (subcommand === "run") return runCommand(rest, io);
  return usageError(io, `unknown subcommand ${JSON.stringify(subcommand)}: list or run`);
}

async function runCommand(args: readonly string[], io: CommandIo): Promise<number> {
  let name: string | undefined;
  let seedText: string | undefined;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (isHelp(arg)) {
      io.out(scenarioUsage);
      return exitOk;
    }
    if (arg === "--json") json = true;
    else if (arg === "--seed") {
      seedText = args[++i];
      if (seedText === undefined) return usageError(io, "--seed needs a value");
    } else if (arg.startsWith("--seed=")) seedText = arg.slice("--seed=".length);
    else if (arg.startsWith("-") && !/^-\d/.test(arg)) return usageError(io, `unknown option ${arg}`);
    else if (name === undefined) name = arg;
    else return usageError(io, `one scenario at a time; got ${name} and ${arg}`);
  }
  if (name === undefined) return usageError(io, "run needs a scenario name (skew scenario list shows them)");
  let seed = seedDefault;
  try {
    const scenario = findScenario(name);
    if (seedText !== undefined) seed = parseSeed(seedText);
    const result = await scenario.run({ seed });
    io.out(json ? `${JSON.stringify(result, null, 2)}\n` : formatScenario(result));
    return exitOk;
  } catch (error) {
    if (error instanceof ScenarioError) {
      io.err(`skew scenario: ${error.message} (${error.code})\n`);
      return exitUsage;
    }
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.err(
      `skew scenario: ${name} failed with seed ${seed}; replay with:\n  skew scenario run ${name} --seed ${seed}\n${message}\n`,
    );
    return exitFailed;
  }
}

function listText(): string {
  const nameWidth = Math.max(...scenarios.map((s) => s.name.length));
  const lines = scenarios.map((s) => `  ${s.name.padEnd(nameWidth)}  ${s.section.padEnd(7)}  ${s.summary}`);
  return `  ${"name".padEnd(nameWidth)}  section  what it shows\n${lines.join("\n")}\n`;
}

function isHelp(arg: string): boolean {
  return arg === "--help" || arg === "-h" || arg === "help";
}

function usageError(io: CommandIo, problem: string): number {
  io.err(`skew scenario: ${problem}\n${scenarioUsage}`);
  return exitUsage;
}
