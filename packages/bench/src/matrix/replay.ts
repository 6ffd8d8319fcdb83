/**
 * Replays one run of the lost-update matrix, the command each result
 * carries: `node --conditions=@skew/source --import tsx
 * packages/bench/src/matrix/replay.ts --cell <id> --seed <n> [--run-ms <ms>]
 * [--truetime local-wall|gps:<epsilon ms>] [--max-offset-ms <ms>] [--history]`
 * from the repository root. Prints the run's result as JSON (the same
 * numbers, the same trace hash) and, with `--history`, its Jepsen history.
 */
import { parseCellId } from "./cells.js";
import { parseReplayArgs } from "./replay-args.js";
import { type CellRunOptions, simulateCell } from "./run-cell.js";

const usage =
  "usage: replay.ts --cell <mode/skew/workload/fault> --seed <n> [--run-ms <ms>] [--truetime local-wall|gps:<ms>] [--max-offset-ms <ms>] [--history]";

function main(args: readonly string[]): void {
  const { history, values } = parseReplayArgs(args, ["cell", "seed", "run-ms", "truetime", "max-offset-ms"], usage);
  const cell = parseCellId(values.get("cell") ?? "");
  const seed = Number(values.get("seed"));
  const truetime = values.get("truetime")?.split(":");
  const options: CellRunOptions = {
    ...(values.has("run-ms") ? { runMs: Number(values.get("run-ms")) } : {}),
    ...(truetime === undefined
      ? {}
      : { trueTime: { source: truetime[0] as "local-wall" | "gps", errorMs: Number(truetime[1]) } }),
    ...(values.has("max-offset-ms") ? { maxOffsetMs: Number(values.get("max-offset-ms")) } : {}),
  };
  const { result, run } = simulateCell(cell, seed, options);
  console.log(JSON.stringify(result, null, 2));
  if (history) console.log(run.cluster.history.toJsonLines());
}

main(process.argv.slice(2));
