/**
 * The comparison as text (a table per connection level, the goal, and what
 * each system promises that the other does not) and as JSON records, one
 * per measured row, in the shape of the node benchmark's records so one
 * tool reads both.
 */
import type { LoadResult } from "@skew/harness";
import type { Machine, ThroughputComparison, ThroughputMeasurement, ThroughputResults } from "./run.js";

export interface ThroughputRecord extends LoadResult {
  readonly package: "@skew/bench";
  /** "put, 10 connections". */
  readonly group: string;
  readonly name: string;
  /** Skew is the subject; etcd the peer it is measured against. */
  readonly role: "subject" | "peer";
  /** On Skew's rows: its successful puts/s over etcd's at the same level. */
  readonly ratio: number | null;
  /** CPU time of the system's processes per put, µs (null where it cannot be read). */
  readonly cpuUsPerPut: number | null;
  readonly goal: string | null;
  readonly goalMet: boolean | null;
  readonly machine: Machine;
}

const groupOf = (connections: number): string => `put, ${connections} connections`;

export function throughputRecords(results: ThroughputResults): ThroughputRecord[] {
  return results.rows.map((row) => {
    const comparison = comparisonAt(results, row.connections);
    const subject = row.system === "skew";
    const judged = subject && comparison.goalMet !== null;
    return {
      package: "@skew/bench",
      group: groupOf(row.connections),
      name: row.name,
      role: subject ? "subject" : "peer",
      ...row.result,
      ratio: subject ? comparison.ratio : null,
      cpuUsPerPut: row.cpuUsPerPut,
      goal: judged ? results.goal.text : null,
      goalMet: judged ? comparison.goalMet : null,
      machine: results.machine,
    };
  });
}

/** One JSON record per line, for `--json`. */
export function formatThroughputJson(results: ThroughputResults): string {
  return throughputRecords(results)
    .map((record) => `${JSON.stringify(record)}\n`)
    .join("");
}

const width = 100;

export function formatThroughput(results: ThroughputResults): string {
  const { settings, machine, etcd } = results;
  const lines: string[] = [];
  lines.push(
    `Skew against etcd: replicated puts on one machine (${machine.cpus} cores, ${machine.model}, Node ${machine.node})`,
    `${settings.valueBytes}-byte values, a new key per put; ${seconds(settings.rowDurationMs)} per row after ${seconds(settings.rowWarmupMs)} not measured; each cluster warmed up ${seconds(settings.clusterWarmupMs)} first.`,
    "Same load generator for both (@skew/harness: its own process, closed loop, round robin over the 3 endpoints).",
    `  skew: 3 node processes, N=3 R=W=2, sync durability (fsync before acknowledging), bucket ${settings.bucket}: PUT /buckets/${settings.bucket}/keys/<key>`,
    etcd.status === "measured"
      ? `  etcd ${etcd.version}: 3 members, Raft, WAL fsynced before acknowledging: POST /v3/kv/put through its HTTP/JSON gateway`
      : `  etcd: NOT MEASURED: ${etcd.reason}`,
  );
  if (settings.quick)
    lines.push("--quick: a smoke run (short warm-up, short rows) to check that it works; do not quote these figures.");
  lines.push("");

  const header = ["", "puts/s", "p50 ms", "p99 ms", "CPU µs/put", "vs etcd", "goal"];
  const table: string[][] = [];
  for (const comparison of results.comparisons) {
    table.push([`[${groupOf(comparison.connections)}]`, "", "", "", "", "", ""]);
    const ordered = [...rowsAt(results, comparison.connections)].sort(
      (a, b) => Number(a.system === "skew") - Number(b.system === "skew"),
    );
    for (const row of ordered) table.push(rowCells(row, comparison, results.goal.ratio));
  }
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] ?? "").length)));
  const render = (cells: readonly string[]): string =>
    cells
      .map((cell, i) =>
        i === 0 || i === cells.length - 1 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0),
      )
      .join("  ")
      .trimEnd();
  lines.push(render(header), ...table.map(render), "");

  const met = results.comparisons.filter((c) => c.goalMet === true).length;
  const goal =
    results.goal.met === null
      ? "not judged: etcd was not measured"
      : `${results.goal.met ? "met" : "MISSED"} (met at ${met} of ${results.comparisons.length} connection levels)`;
  lines.push(`Goal (issue 7): ${results.goal.text}, at every level: ${goal}`, "");
  lines.push("What etcd gives that Skew does not:");
  for (const text of results.tradeoffs.etcdGives) lines.push(...bullet(text));
  lines.push("What Skew gives that etcd does not:");
  for (const text of results.tradeoffs.skewGives) lines.push(...bullet(text));
  return `${lines.join("\n")}\n`;
}

function rowCells(row: ThroughputMeasurement, comparison: ThroughputComparison, goalRatio: number): string[] {
  const r = row.result;
  const failures = r.errors + r.non2xx > 0 ? `  (${r.errors} errors, ${r.non2xx} non-2xx)` : "";
  const cpu = row.cpuUsPerPut === null ? "-" : grouped(row.cpuUsPerPut);
  if (row.system === "etcd")
    return [`  ${row.name}${failures}`, grouped(r.rps), fixed(r.p50Ms), fixed(r.p99Ms), cpu, "", ""];
  const ratio = comparison.ratio === null ? "" : `${fixed(comparison.ratio)}x`;
  let goal = "";
  if (comparison.goalMet !== null && comparison.etcd !== null) {
    const why: string[] = [];
    if (!(comparison.ratio !== null && comparison.ratio >= goalRatio)) why.push(`${ratio} of etcd's puts/s`);
    if (comparison.p99Lower !== true) why.push(`p99 ${fixed(r.p99Ms)} >= etcd's ${fixed(comparison.etcd.p99Ms)} ms`);
    goal = comparison.goalMet ? "met" : `MISSED: ${why.join("; ")}`;
  }
  return [`  ${row.name}${failures}`, grouped(r.rps), fixed(r.p50Ms), fixed(r.p99Ms), cpu, ratio, goal];
}

function rowsAt(results: ThroughputResults, connections: number): ThroughputMeasurement[] {
  return results.rows.filter((row) => row.connections === connections);
}

function comparisonAt(results: ThroughputResults, connections: number): ThroughputComparison {
  const comparison = results.comparisons.find((c) => c.connections === connections);
  if (comparison === undefined) throw new TypeError(`no comparison at ${connections} connections`);
  return comparison;
}

/** "12,345" for rates: the eye compares magnitudes first. */
function grouped(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "-";
}

function fixed(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : "-";
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** "  - text", wrapped at `width` with the continuation lines indented under the text. */
function bullet(text: string): string[] {
  const lines: string[] = [];
  let line = "  -";
  for (const word of text.split(/\s+/)) {
    if (line.length + 1 + word.length > width && line.length > 4) {
      lines.push(line);
      line = "   ";
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}
