/**
 * Runs one cell of the live matrix again, with one seed, on a fresh live
 * cluster: the command each live result carries, `node
 * --conditions=@skew/source --import tsx packages/bench/src/live/replay.ts
 * --cell <id> --seed <n> [--run-ms <ms>] [--max-offset-ms <ms>]
 * [--truetime-error-ms <ms>] [--history]` from the repository root. The
 * seed gives the same workload draws and the same fault schedule; real
 * timing gives other numbers, under the same laws. Prints the result as
 * JSON and, with `--history`, the run's Jepsen history.
 */
import { parseCellId } from "../matrix/cells.js";
import { parseReplayArgs } from "../matrix/replay-args.js";
import { LiveCluster } from "./cluster.js";
import { LiveMatrixError } from "./errors.js";
import { resolveLiveOptions } from "./matrix.js";
import { faultUnavailable } from "./nemesis.js";
import { runLiveCell } from "./run-cell.js";

const usage =
  "usage: replay.ts --cell <mode/skew/workload/fault> --seed <n> [--run-ms <ms>] [--max-offset-ms <ms>] [--truetime-error-ms <ms>] [--history]";

async function main(args: readonly string[]): Promise<void> {
  const { history, values } = parseReplayArgs(
    args,
    ["cell", "seed", "run-ms", "max-offset-ms", "truetime-error-ms"],
    usage,
  );
  const cell = parseCellId(values.get("cell") ?? "");
  const seed = Number(values.get("seed"));
  const number = (flag: string) => (values.has(flag) ? Number(values.get(flag)) : undefined);
  const runMs = number("run-ms");
  const maxOffsetMs = number("max-offset-ms");
  const trueTimeErrorMs = number("truetime-error-ms");
  const options = resolveLiveOptions({
    ...(runMs === undefined ? {} : { runMs }),
    ...(maxOffsetMs === undefined ? {} : { maxOffsetMs }),
    ...(trueTimeErrorMs === undefined ? {} : { trueTimeErrorMs }),
  });
  const unavailable = faultUnavailable(cell.fault);
  if (unavailable !== undefined)
    throw new LiveMatrixError("LIVE_FAULT_UNAVAILABLE", `${values.get("cell")}: ${unavailable}`);
  const cluster = await LiveCluster.start({
    maxOffsetMs: options.maxOffsetMs,
    trueTimeErrorMs: options.trueTime.errorMs,
  });
  try {
    const { result, run } = await runLiveCell(cluster, cell, seed, options);
    console.log(JSON.stringify(result, null, 2));
    if (history) console.log(run.history.toJsonLines());
  } finally {
    await cluster.stop();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  process.exitCode = 1;
});
