/**
 * The matrix as a text table, one row per cell: means across seeds, with
 * the 95% interval's half width where there is more than one seed, and the
 * published reference figures beneath with their source.
 */
import type { CellResult, MatrixResults } from "./matrix.js";
import type { Summary } from "./stats.js";

interface Column {
  readonly title: string;
  readonly align: "left" | "right";
  readonly value: (cell: CellResult) => string;
}

/** "66.0 ± 3.1", or "66.0" for one seed, or "-" for none. */
export function formatSummary(summary: Summary | null, digits = 1): string {
  if (summary === null) return "-";
  const mean = summary.mean.toFixed(digits);
  return summary.ci95HalfWidth === null ? mean : `${mean} ± ${summary.ci95HalfWidth.toFixed(digits)}`;
}

const columns: readonly Column[] = [
  { title: "mode", align: "left", value: (c) => c.mode },
  { title: "skew", align: "left", value: (c) => c.skewLabel },
  { title: "workload", align: "left", value: (c) => c.workload },
  { title: "faults", align: "left", value: (c) => c.fault },
  { title: "acked", align: "right", value: (c) => formatSummary(c.summary.acknowledged, 0) },
  { title: "lost", align: "right", value: (c) => formatSummary(c.summary.lost) },
  { title: "lost %", align: "right", value: (c) => formatSummary(c.summary.lostPercent) },
  { title: "wrong order", align: "right", value: (c) => formatSummary(c.summary.wrongOrder) },
  { title: "siblings", align: "right", value: (c) => formatSummary(c.summary.siblingsSurfaced) },
  { title: "unacked seen", align: "right", value: (c) => formatSummary(c.summary.unacknowledgedAppeared) },
  { title: "p50 ms", align: "right", value: (c) => formatSummary(c.summary.writeLatencyP50Ms, 2) },
  { title: "p99 ms", align: "right", value: (c) => formatSummary(c.summary.writeLatencyP99Ms, 2) },
  {
    title: "commit wait / 2ε ms",
    align: "right",
    value: (c) =>
      c.summary.commitWaitP50Ms === null
        ? "-"
        : `${formatSummary(c.summary.commitWaitP50Ms, 2)} / ${formatSummary(c.summary.twoEpsilonMs, 2)}`,
  },
];

export function formatMatrix(results: MatrixResults): string {
  const { options } = results;
  const seeds = options.seeds;
  const rows = results.cells.map((cell) => columns.map((column) => column.value(cell)));
  const widths = columns.map((column, i) =>
    Math.max(column.title.length, ...rows.map((row) => (row[i] as string).length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((text, i) =>
        (columns[i] as Column).align === "left" ? text.padEnd(widths[i] as number) : text.padStart(widths[i] as number),
      )
      .join("  ")
      .trimEnd();
  const { source, figures } = results.reference;
  const missing = results.cells.filter((cell) => cell.summary.seedsWithoutFinalRead > 0);
  return [
    `lost-update matrix, simulated: 3 replicas (N = 3, R = W = 2), ${options.runMs} ms of workload per run, ` +
      `${seeds.length} seed${seeds.length === 1 ? "" : "s"} (${seeds.join(", ")}); TrueTime ±${options.trueTime.errorMs} ms ` +
      `from the ${options.trueTime.source === "gps" ? "GPS" : "local wall clock"}; HLC max offset ${options.maxOffsetMs} ms`,
    `means across seeds${seeds.length > 1 ? ` ± the half width of the ${results.confidence}` : ""}; latencies in simulated ms`,
    "",
    line(columns.map((column) => column.title)),
    line(widths.map((width) => "-".repeat(width))),
    ...rows.map(line),
    ...(missing.length === 0
      ? []
      : [
          "",
          `final read failed (loss unknown, counted 0) in: ${missing.map((cell) => `${cell.id} (${cell.summary.seedsWithoutFinalRead})`).join(", ")}`,
        ]),
    "",
    `published (${source.author}, "${source.title}", ${source.publisher}, ${source.year}, ${source.url}):`,
    ...figures.map(
      (figure) =>
        `  ${figure.setup}: ${figure.lostPercent}% of acknowledged writes lost (closest here: ${figure.closestCell})`,
    ),
  ].join("\n");
}
