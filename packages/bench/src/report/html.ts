/**
 * The comparison report: one self-contained HTML file (styles inline,
 * charts as inline SVG, no script, nothing fetched), so it opens anywhere,
 * offline, and shows what was measured when it was written.
 *
 * Every number in a table is written with the path of the result it comes
 * from (`data-path`, a JSON pointer into the results embedded at the end of
 * the page in `<script type="application/json" id="skew-results">`) and its
 * exact value (`data-value`), so the report's test can check that the page
 * says what the results say, and a reader can find any figure in the JSON.
 */
import type { ClockResults } from "../compare/clocks.js";
import type { CellResult, MatrixResults } from "../matrix/index.js";
import type { Summary } from "../matrix/stats.js";
import { type Chart, commitWaitChart, latencyChart, lostUpdatesChart, renderSvg, throughputChart } from "./charts.js";

/** One measured row of the throughput comparison: a system at a concurrency. */
export interface ThroughputRow {
  readonly system: string;
  readonly connections: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface ReportInput {
  readonly generatedAt: string;
  readonly machine: { readonly cpus: number; readonly model: string; readonly node: string };
  /** The command that produced the results, to run again. */
  readonly command: string;
  /** The lost-update matrix on the simulator. */
  readonly sim?: MatrixResults;
  /** The same cells on a live cluster of real processes. */
  readonly live?: MatrixResults;
  readonly throughput?: { readonly rows: readonly ThroughputRow[]; readonly notes: readonly string[] };
  /** The clock packages' own micro-benchmarks, gathered. */
  readonly clocks?: ClockResults;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** A JSON pointer (RFC 6901) from path segments. */
export function pointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${String(s).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}

/** The value at a JSON pointer, undefined when there is none. */
export function resolvePointer(root: unknown, path: string): unknown {
  if (path === "") return root;
  let at: unknown = root;
  for (const raw of path.slice(1).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (typeof at !== "object" || at === null || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** How a number is printed in the page: the test formats the JSON value the same way and compares. */
export function formatNumber(value: number, digits: number): string {
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** An element holding one result: its text, its exact value and where it comes from. */
function numberElement(
  tag: "td" | "span",
  results: unknown,
  path: readonly (string | number)[],
  digits: number,
  suffix = "",
): string {
  const at = pointer(path);
  const value = resolvePointer(results, at);
  if (typeof value !== "number") return `<${tag} class="none">–</${tag}>`;
  return `<${tag} data-path="${escapeHtml(at)}" data-value="${value}" data-digits="${digits}">${formatNumber(value, digits)}${suffix}</${tag}>`;
}

/** A table cell holding one result. */
function numberCell(results: unknown, path: readonly (string | number)[], digits: number, suffix = ""): string {
  return numberElement("td", results, path, digits, suffix);
}

/** A summary across seeds as "mean ± half width". */
function summaryCell(results: unknown, path: readonly (string | number)[], digits: number): string {
  const summary = resolvePointer(results, pointer(path)) as Summary | null | undefined;
  if (summary === null || summary === undefined) return `<td class="none">–</td>`;
  const mean = numberElement("span", results, [...path, "mean"], digits);
  const half =
    summary.ci95HalfWidth === null
      ? ""
      : ` <small>± ${numberElement("span", results, [...path, "ci95HalfWidth"], digits)}</small>`;
  return `<td>${mean}${half}</td>`;
}

function figure(chart: Chart, svg: string): string {
  return `<figure id="${escapeHtml(chart.id)}" data-chart="${escapeHtml(chart.id)}">
<h3>${escapeHtml(chart.title)}</h3>
${svg}
<figcaption>${escapeHtml(chart.caption)}</figcaption>
</figure>`;
}

const skewOrderOf = (cell: CellResult): number => (cell.skew.kind === "offset" ? cell.skew.ms : 1e9 + cell.skew.ppm);

/** The chapter's case: sequential writers through different coordinators, no other fault. */
function lostRows(matrix: MatrixResults, workload: string) {
  return matrix.cells
    .filter((c) => c.workload === workload && c.fault === "none")
    .map((c) => ({
      mode: c.mode,
      skew: c.skewLabel,
      skewOrder: skewOrderOf(c),
      lostPercent: c.summary.lostPercent.mean,
      low: c.summary.lostPercent.ci95Low ?? c.summary.lostPercent.mean,
      high: c.summary.lostPercent.ci95High ?? c.summary.lostPercent.mean,
    }));
}

function matrixTable(results: unknown, key: "sim" | "live", matrix: MatrixResults): string {
  const head =
    "<tr><th>cell (mode / skew / workload / faults)</th><th>acknowledged</th><th>lost (%)</th><th>wrong order</th>" +
    "<th>siblings surfaced</th><th>unacknowledged appeared</th><th>write p50 (ms)</th><th>write p99 (ms)</th></tr>";
  const rows = matrix.cells.map((cell, i) => {
    const at = [key, "cells", i, "summary"] as const;
    return `<tr data-cell="${escapeHtml(cell.id)}"><td><code>${escapeHtml(cell.id)}</code></td>${summaryCell(results, [...at, "acknowledged"], 1)}${summaryCell(results, [...at, "lostPercent"], 1)}${summaryCell(results, [...at, "wrongOrder"], 1)}${summaryCell(results, [...at, "siblingsSurfaced"], 1)}${summaryCell(results, [...at, "unacknowledgedAppeared"], 1)}${summaryCell(results, [...at, "writeLatencyP50Ms"], 2)}${summaryCell(results, [...at, "writeLatencyP99Ms"], 2)}</tr>`;
  });
  return `<table class="matrix" data-table="${key}">${head}${rows.join("\n")}</table>`;
}

/**
 * How far a live loss may sit from the simulator's before the two are called different, in percentage points,
 * beyond the simulator's 95% interval: live runs are longer and see real scheduling, so a point or two of
 * difference is the same finding, not a different one.
 */
const agreementPoints = 5;

/** Why a live cell's figure differs from the simulator's: the drivers' known differences, by mode. */
function whyDifferent(cell: CellResult): string {
  if (cell.mode === "lww-truetime") {
    return (
      "TrueTime's source: on the simulator each node's TrueTime is synced from its own skewed wall clock (ε = 5 ms, " +
      "which the skew breaks); a real node syncs from the machine's clock, which the admin endpoint's skew does not move"
    );
  }
  return (
    "real scheduling: on 2 shared cores a turn of the writers takes 5 to 12 ms instead of the model's 3 ms, and pauses " +
    "and clock steps land at other points of the workload, so a different share of writes falls inside the skew"
  );
}

/** Cells run both ways, side by side, each marked where the live figure departs from the simulator's, and why. */
function sideBySide(results: unknown, sim: MatrixResults, live: MatrixResults): string {
  const simIndex = new Map(sim.cells.map((c, i) => [c.id, i]));
  const rows: string[] = [];
  let differ = 0;
  live.cells.forEach((cell, li) => {
    const si = simIndex.get(cell.id);
    if (si === undefined) return;
    const simLost = (sim.cells[si] as CellResult).summary.lostPercent;
    const liveLost = cell.summary.lostPercent.mean;
    const low = (simLost.ci95Low ?? simLost.min) - agreementPoints;
    const high = (simLost.ci95High ?? simLost.max) + agreementPoints;
    const outside = liveLost < low || liveLost > high;
    if (outside) differ++;
    rows.push(
      `<tr data-cell="${escapeHtml(cell.id)}"${outside ? ' class="differ"' : ""}><td><code>${escapeHtml(cell.id)}</code></td>${numberCell(results, ["sim", "cells", si, "summary", "lostPercent", "mean"], 1)}${numberCell(results, ["live", "cells", li, "summary", "lostPercent", "mean"], 1)}<td>${outside ? `differ: ${escapeHtml(whyDifferent(cell))}` : "agree"}</td></tr>`,
    );
  });
  const skipped = (live as MatrixResults & { skipped?: readonly { id: string; reason: string }[] }).skipped ?? [];
  return `<table data-table="side-by-side"><tr><th>cell</th><th>simulator: lost (%)</th><th>live: lost (%)</th><th>agreement (within the simulator's 95% interval ± ${agreementPoints} points)</th></tr>${rows.join("\n")}</table>
<p>${differ} of ${rows.length} cells differ. Where they agree, they agree because the loss is structural: with one
clock ahead and one behind, a write stamped below an earlier one is lost whenever it follows that one by less
than the skew, which is every time while a writer's turn is shorter than the skew. Live
latencies are real milliseconds (fsync and HTTP on a shared 2-core machine); the simulator's are model milliseconds.
${skipped.length === 0 ? "" : `Not run live: ${skipped.length} cells (${escapeHtml([...new Set(skipped.map((s) => s.reason))].join("; "))}).`}</p>`;
}

/** The report's HTML. */
export async function renderReport(input: ReportInput): Promise<string> {
  const results = JSON.parse(JSON.stringify(input)) as ReportInput;
  const sections: string[] = [];
  const charts: Chart[] = [];

  for (const key of ["sim", "live"] as const) {
    const matrix = results[key];
    if (matrix === undefined) continue;
    const where = key === "sim" ? "on the simulator" : "on a live cluster of real processes";
    const lost = lostUpdatesChart(
      `lost-${key}`,
      `Acknowledged writes lost, per conflict mode, against clock skew (${where})`,
      "Sequential writers, each write starting after the previous one was acknowledged, through different coordinators " +
        "(the chapter's 'writes mysteriously disappear'); no other fault. Mean over seeds, bars: 95% interval.",
      lostRows(matrix, "sequential"),
    );
    const latency = latencyChart(
      `latency-${key}`,
      `Write latency p99 per conflict mode (${where})`,
      "Sequential writers, no clock skew: the cost of each mode, healthy and under each fault (mean over seeds of each run's p99).",
      matrix.cells
        .filter((c) => c.workload === "sequential" && c.skew.kind === "offset" && c.skew.ms === 0)
        .map((c) => ({
          mode: c.mode,
          fault: c.fault,
          p99Ms: c.summary.writeLatencyP99Ms?.mean ?? 0,
          p50Ms: c.summary.writeLatencyP50Ms?.mean ?? 0,
        })),
    );
    charts.push(lost, latency);
    const commitRows = matrix.cells
      .filter((c) => c.summary.commitWaitP50Ms !== null && c.summary.twoEpsilonMs !== null)
      .map((c) => ({
        cell: c.id,
        twoEpsilonMs: c.summary.twoEpsilonMs?.mean ?? 0,
        holdMs: c.summary.commitWaitP50Ms?.mean ?? 0,
      }));
    const commit =
      commitRows.length === 0
        ? undefined
        : commitWaitChart(
            `commit-wait-${key}`,
            `TrueTime commit wait against 2 × epsilon (${where})`,
            "Each lww-truetime cell: how long a write was held before its acknowledgement (median) against the interval's " +
              "width when it arrived. Theory: the wait is 2 × epsilon (dashed line), or the replication round trip if longer.",
            commitRows,
          );
    if (commit !== undefined) charts.push(commit);
    sections.push(`<section id="matrix-${key}">
<h2>Lost updates ${where}</h2>
<p>${escapeHtml(matrix.confidence)}. Seeds: ${matrix.options.seeds.length}.</p>
${figure(lost, await renderSvg(lost))}
${figure(latency, await renderSvg(latency))}
${commit === undefined ? "" : figure(commit, await renderSvg(commit))}
<h3>Every cell</h3>
${matrixTable(results, key, matrix)}
</section>`);
  }

  if (results.sim !== undefined && results.live !== undefined) {
    sections.push(`<section id="side-by-side"><h2>Simulator and live cluster, side by side</h2>
${sideBySide(results, results.sim, results.live)}</section>`);
  }

  const reference = results.sim?.reference ?? results.live?.reference;
  if (reference !== undefined) {
    const refKey = results.sim?.reference !== undefined ? "sim" : "live";
    const rows = reference.figures.map((f, i) => {
      const [mode, workload, fault] = f.closestCell.split(" / ");
      const ours = (results.sim ?? results.live)?.cells.findIndex(
        (c) =>
          c.mode === mode &&
          c.workload === workload &&
          (fault === "any" ? c.fault === "none" : c.fault === fault) &&
          c.skew.kind === "offset" &&
          c.skew.ms === 0,
      );
      const oursCell =
        ours === undefined || ours < 0
          ? `<td class="none">not run</td>`
          : numberCell(
              results,
              [results.sim !== undefined ? "sim" : "live", "cells", ours, "summary", "lostPercent", "mean"],
              1,
            );
      return `<tr><td>${escapeHtml(f.setup)}</td>${numberCell(results, [refKey, "reference", "figures", i, "lostPercent"], 1)}<td><code>${escapeHtml(f.closestCell)}</code>, no skew</td>${oursCell}</tr>`;
    });
    sections.push(`<section id="reference"><h2>Published reference figures</h2>
<p>From <a href="${escapeHtml(reference.source.url)}">${escapeHtml(reference.source.title)}</a>
(${escapeHtml(reference.source.author)}, ${escapeHtml(String(reference.source.year))}).</p>
<table data-table="reference"><tr><th>Jepsen's Riak run</th><th>lost (%)</th><th>closest cell here</th><th>lost here (%)</th></tr>${rows.join("\n")}</table>
<p>Jepsen's runs used five nodes, real networks and minutes of load; ours three nodes and a second of simulated
load. The shapes agree where the mechanisms do (last-write-wins loses concurrent adds even on a healthy cluster;
sibling merges lose none), not to the decimal.</p></section>`);
  }

  if (results.throughput !== undefined) {
    const chart = throughputChart(
      "throughput",
      "Puts per second against etcd",
      "The same machine, the same load generator, the same value size and concurrency: a 3-node Skew cluster " +
        "(N = 3, R = W = 2, sync durability) and a 3-member etcd cluster.",
      results.throughput.rows.map((r) => ({
        system: r.system,
        connections: r.connections,
        rps: r.rps,
        p99Ms: r.p99Ms,
      })),
    );
    charts.push(chart);
    const rows = results.throughput.rows.map(
      (r, i) =>
        `<tr><td>${escapeHtml(r.system)}</td><td>${r.connections}</td>${numberCell(results, ["throughput", "rows", i, "rps"], 0)}${numberCell(results, ["throughput", "rows", i, "p50Ms"], 2)}${numberCell(results, ["throughput", "rows", i, "p99Ms"], 2)}</tr>`,
    );
    sections.push(`<section id="throughput"><h2>Throughput and latency against etcd</h2>
${figure(chart, await renderSvg(chart))}
<table data-table="throughput"><tr><th>system</th><th>connections</th><th>puts/s</th><th>p50 (ms)</th><th>p99 (ms)</th></tr>${rows.join("\n")}</table>
${results.throughput.notes.map((n) => `<p>${escapeHtml(n)}</p>`).join("\n")}</section>`);
  }

  if (results.clocks !== undefined) {
    const rows = results.clocks.records.map(
      (r, i) =>
        `<tr><td>${escapeHtml(r.package)}</td><td>${escapeHtml(r.group)}</td><td>${escapeHtml(r.name)}</td><td>${escapeHtml(r.role)}</td>${numberCell(results, ["clocks", "records", i, "nsPerOp"], 1)}${numberCell(results, ["clocks", "records", i, "ratio"], 2, "x")}<td>${r.goal === null ? "" : `${r.goalMet ? "met" : "missed"}: ${escapeHtml(r.goal)}`}</td></tr>`,
    );
    sections.push(`<section id="clocks"><h2>The clocks, measured beside their floor and their npm peers</h2>
<p>Each package's own benchmark, in one process per package: ns per operation; the ratio is to the group's floor
(what the operation cannot beat, such as reading the system clock) or baseline.</p>
<table data-table="clocks"><tr><th>package</th><th>operation</th><th>implementation</th><th>role</th><th>ns/op</th><th>ratio</th><th>goal</th></tr>${rows.join("\n")}</table>
${results.clocks.skipped.map((s) => `<p>${escapeHtml(s.package)}: not run, ${escapeHtml(s.reason)}.</p>`).join("\n")}</section>`);
  }

  const json = JSON.stringify(results).replaceAll("<", "\\u003c");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Skew: clocks and conflict modes, compared</title>
<style>
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
th { background: #f4f4f4; }
td:first-child, th:first-child { text-align: left; }
tr.differ { background: #fff4e0; }
figure { margin: 1.5em 0; }
figcaption { color: #555; font-size: 13px; max-width: 720px; }
code { font-size: 12px; }
small { color: #666; }
</style>
</head>
<body>
<h1>Skew: clocks and conflict modes, compared</h1>
<p>Written ${escapeHtml(results.generatedAt)} on ${results.machine.cpus} cores (${escapeHtml(results.machine.model)}),
Node ${escapeHtml(results.machine.node)}, by <code>${escapeHtml(results.command)}</code>.
Charts: ${charts.length}.</p>
${sections.join("\n")}
<script type="application/json" id="skew-results">${json}</script>
</body>
</html>
`;
}
