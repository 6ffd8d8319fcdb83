/**
 * The comparison as a command: `node dist/throughput/main.js [options]`
 * (and whatever CLI hands it its arguments). It prints and returns an exit
 * code; it never calls `process.exit` and reads nothing from the process
 * but what it is given, so a test drives it with arrays and strings.
 *
 * Exit codes: 0 measured (a missed goal is a result, not a failure); 1 the
 * run failed (a cluster did not start, the load generator failed, stopped);
 * 2 a usage error.
 */
import { conflictModes, isConflictMode } from "@skew/kv";
import { ThroughputError } from "./errors.js";
import { formatThroughput, formatThroughputJson } from "./format.js";
import {
  estimateThroughputMs,
  resolveThroughputSettings,
  runThroughputComparison,
  type ThroughputOptions,
  type ThroughputResults,
} from "./run.js";

export interface CommandIo {
  /** The table, or the JSON records. */
  out(text: string): void;
  /** Progress, notes and errors. */
  err(text: string): void;
}

export const throughputUsage = `usage: throughput [--quick] [--json] [--connections <n,n,...>] [--value-bytes <n>]
                  [--bucket <mode>] [--no-etcd-install] [--etcd <binary>]

  Skew (3 node processes, N=3 R=W=2, sync durability) against etcd (3 members), puts/s and
  p50/p99 at each connection level, same load generator, same values, same machine.

  --quick              a smoke run: short warm-ups and rows (about 20 s)
  --json               one JSON record per measured row instead of the table
  --connections        connection levels (default 10,50)
  --value-bytes        bytes per value (default 100)
  --bucket             the Skew bucket's mode: ${conflictModes.join(", ")} (default causal)
  --no-etcd-install    do not apt-get install etcd-server when etcd is missing (its rows are skipped)
  --etcd               the etcd binary to run (default: etcd on PATH)
`;

export interface ParsedThroughputArgs {
  readonly json: boolean;
  readonly help: boolean;
  readonly options: ThroughputOptions;
}

/** Reads the command line; anything unknown or malformed is a THROUGHPUT_OPTION_INVALID error. */
export function parseThroughputArgs(argv: readonly string[]): ParsedThroughputArgs {
  let json = false;
  let help = false;
  let options: ThroughputOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] as string;
    const eq = raw.startsWith("--") ? raw.indexOf("=") : -1;
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    const inline = eq > 0 ? raw.slice(eq + 1) : undefined;
    const value = (): string => {
      const text = inline ?? argv[++i];
      if (text === undefined || text === "") throw invalid(`${flag} needs a value`);
      return text;
    };
    const noValue = (): void => {
      if (inline !== undefined) throw invalid(`${flag} takes no value`);
    };
    switch (flag) {
      case "--help":
      case "-h":
        noValue();
        help = true;
        break;
      case "--json":
        noValue();
        json = true;
        break;
      case "--quick":
        noValue();
        options = { ...options, quick: true };
        break;
      case "--no-etcd-install":
        noValue();
        options = { ...options, installEtcd: false };
        break;
      case "--connections": {
        const text = value();
        if (!/^\d+(,\d+)*$/.test(text)) throw invalid(`--connections is a list such as 10,50, got ${text}`);
        options = { ...options, connections: text.split(",").map(Number) };
        break;
      }
      case "--value-bytes": {
        const text = value();
        if (!/^\d+$/.test(text)) throw invalid(`--value-bytes is a number of bytes, got ${text}`);
        options = { ...options, valueBytes: Number(text) };
        break;
      }
      case "--bucket": {
        const text = value();
        if (!isConflictMode(text)) throw invalid(`--bucket is one of ${conflictModes.join(", ")}, got ${text}`);
        options = { ...options, bucket: text };
        break;
      }
      case "--etcd":
        options = { ...options, etcdBinary: value() };
        break;
      default:
        throw invalid(`unknown argument ${JSON.stringify(raw)}`);
    }
  }
  resolveThroughputSettings(options); // every range checked now, before anything starts
  return { json, help, options };
}

export const exitOk = 0;
export const exitFailed = 1;
export const exitUsage = 2;

/** Runs the comparison from a command line; resolves to the exit code. */
export async function throughputCommand(
  argv: readonly string[],
  io: CommandIo,
  signal?: AbortSignal,
  run: (options: ThroughputOptions) => Promise<ThroughputResults> = runThroughputComparison,
): Promise<number> {
  let parsed: ParsedThroughputArgs;
  try {
    parsed = parseThroughputArgs(argv);
  } catch (error) {
    if (!(error instanceof ThroughputError)) throw error;
    io.err(`${error.message}\n${throughputUsage}`);
    return exitUsage;
  }
  if (parsed.help) {
    io.out(throughputUsage);
    return exitOk;
  }
  const settings = resolveThroughputSettings(parsed.options);
  io.err(
    `Skew against etcd: this takes about ${Math.ceil(estimateThroughputMs(settings) / 1000)} s (both clusters, ${settings.connections.length} connection levels${settings.quick ? ", --quick" : ""}).\n`,
  );
  try {
    const results = await run({
      ...parsed.options,
      ...(signal === undefined ? {} : { signal }),
      onProgress: (progress) => {
        if (progress.kind === "note") io.err(`  ${progress.message}\n`);
        else io.err(`[${progress.step}/${progress.steps}] ${progress.label} ...\n`);
      },
    });
    io.out(parsed.json ? formatThroughputJson(results) : formatThroughput(results));
    return exitOk;
  } catch (error) {
    if (!(error instanceof ThroughputError)) throw error;
    io.err(`${error.code}: ${error.message}\n`);
    return exitFailed;
  }
}

function invalid(message: string): ThroughputError {
  return new ThroughputError("THROUGHPUT_OPTION_INVALID", message);
}
