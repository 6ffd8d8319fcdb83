/**
 * The live matrix as text: the simulated matrix's table (`formatMatrix`,
 * the same columns and rows), under a heading that says what was run and
 * on what, and the cells that were skipped, grouped by reason. And the two
 * side by side, cell by cell, where both ran.
 */
import { formatMatrix, formatSummary } from "../matrix/format.js";
import type { MatrixResults } from "../matrix/matrix.js";
import type { LiveMatrixResults } from "./matrix.js";

/** Lines of `formatMatrix`'s heading, which names the simulator; the live heading replaces them. */
const simulatedHeadingLines = 2;

export function formatLiveMatrix(results: LiveMatrixResults): string {
  const { options } = results;
  const { seeds } = options;
  const table = formatMatrix(results).split("\n").slice(simulatedHeadingLines);
  const reasons = new Map<string, string[]>();
  for (const { id, reason } of results.skipped) reasons.set(reason, [...(reasons.get(reason) ?? []), id]);
  const skipped = [...reasons].map(([reason, ids]) =>
    ids.length <= 4
      ? `skipped ${ids.join(", ")}: ${reason}`
      : `skipped ${ids.length} cells (${ids[0]}, ...): ${reason}`,
  );
  return [
    `lost-update matrix, live: 3 node processes on this machine (N = 3, R = W = 2, sync durability), ` +
      `${options.runMs} ms of workload per run, ${seeds.length} seed${seeds.length === 1 ? "" : "s"} (${seeds.join(", ")}); ` +
      `clocks set through the admin endpoint; TrueTime ±${options.trueTime.errorMs} ms from the machine's clock; ` +
      `HLC max offset ${options.maxOffsetMs} ms`,
    `means across seeds${seeds.length > 1 ? ` ± the half width of the ${results.confidence}` : ""}; ` +
      "latencies in real ms, on a machine the nodes and the clients share",
    ...table,
    ...(skipped.length === 0 ? [] : ["", ...skipped]),
  ].join("\n");
}

/**
 * The cells both matrices ran, side by side: acknowledged writes and the share lost, simulated (mean and
 * 95% interval across its seeds) and live, and whether the live figure falls inside the simulator's
 * interval (with one simulated seed there is no interval: equal or not).
 */
export function formatSideBySide(sim: MatrixResults, live: MatrixResults): string {
  const rows = live.cells.flatMap((cell) => {
    const twin = sim.cells.find((s) => s.id === cell.id);
    if (twin === undefined) return [];
    const simLost = twin.summary.lostPercent;
    const liveLost = cell.summary.lostPercent.mean;
    const low = simLost.ci95Low ?? simLost.mean;
    const high = simLost.ci95High ?? simLost.mean;
    const agreement = liveLost >= low - 1e-9 && liveLost <= high + 1e-9 ? "within" : "outside";
    return [
      [
        cell.id,
        formatSummary(twin.summary.acknowledged, 0),
        formatSummary(simLost),
        formatSummary(cell.summary.acknowledged, 0),
        formatSummary(cell.summary.lostPercent),
        agreement,
      ],
    ];
  });
  const titles = ["cell", "sim acked", "sim lost %", "live acked", "live lost %", "live vs sim 95% interval"];
  const widths = titles.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((text, i) => (i === 0 ? text.padEnd(widths[i] as number) : text.padStart(widths[i] as number)))
      .join("  ");
  return [line(titles), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
