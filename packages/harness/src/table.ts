import type { BenchRecord } from "./types.js";

/** A plain-text table per group: ns/op, p99, ratio to the baseline, allocation, goal. */
export function formatTable(packageName: string, records: readonly BenchRecord[]): string {
  const machine = records[0]?.machine;
  const lines: string[] = [];
  lines.push(
    `${packageName} benchmarks${machine ? ` (${machine.cpus} cores, ${machine.model}, Node ${machine.node})` : ""}`,
  );
  const header = ["operation", "ns/op", "p99", "ratio", "B/op", "goal"];
  const groups = [...new Set(records.map((r) => r.group))];
  const rows: string[][] = [];
  for (const group of groups) {
    rows.push([`[${group}]`, "", "", "", "", ""]);
    for (const r of records.filter((x) => x.group === group)) {
      const tag = r.role === "subject" ? "" : ` (${r.role})`;
      rows.push([
        `  ${r.name}${tag}`,
        fixed(r.nsPerOp),
        fixed(r.p99Ns),
        r.ratio === null ? "" : `${fixed(r.ratio)}x`,
        r.bytesPerOp === null ? "" : String(r.bytesPerOp),
        r.goal === null
          ? ""
          : `${r.goalMet === null ? "not judged (no baseline measured)" : r.goalMet ? "met" : "MISSED"}: ${r.goal}`,
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const render = (row: readonly string[]): string =>
    row
      .map((cell, i) => (i === 0 || i === row.length - 1 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  lines.push(render(header));
  for (const row of rows) lines.push(render(row));
  lines.push("ratio: ns/op over the baseline's (the group's floor, or its fastest peer), measured in this run.");
  return `${lines.join("\n")}\n`;
}

function fixed(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}
