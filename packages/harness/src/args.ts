export interface BenchArgs {
  /** Print one JSON record per measured operation (JSON lines) instead of a table. */
  readonly json: boolean;
  /** Only cases whose group or name contains this text. */
  readonly filter: string | undefined;
  /** Shorter measurements: for a smoke run, not for recorded figures. */
  readonly quick: boolean;
}

const usage = "usage: bench [--json] [--quick] [--filter <text>]";

/** Parses a benchmark's command line; unknown flags are an error, not ignored. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let json = false;
  let quick = false;
  let filter: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--json") json = true;
    else if (arg === "--quick") quick = true;
    else if (arg === "--filter") {
      filter = argv[++i];
      if (filter === undefined || filter === "") throw new TypeError(`--filter needs a value\n${usage}`);
    } else if (arg === "--help" || arg === "-h") throw new TypeError(usage);
    else throw new TypeError(`unknown argument ${JSON.stringify(arg)}\n${usage}`);
  }
  return { json, filter, quick };
}
