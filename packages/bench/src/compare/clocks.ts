/**
 * The clocks' micro-benchmarks, gathered into one table: each clock
 * package's own benchmark (`bench/index.ts`, measured beside its floor and
 * its npm peers in one process, as every Skew benchmark is) runs in a child
 * process with `--json`, and its records (one per measured operation) are
 * collected as they are, so the numbers are exactly those the packages
 * print themselves.
 *
 * The benchmarks ship with the repository, not with the packages: run from
 * an installed package, this part is skipped and says so. They measure the
 * clock packages as built (`dist/`), as `npm run bench` does; when this
 * module itself runs from source (tests, which must pass with nothing built), the
 * children load the packages' sources instead (`--conditions=@skew/source`).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The clock packages and the failure detector, in the order the chapter meets them. */
export const clockPackages = ["lamport", "vector", "hlc", "truetime", "failure-detector"] as const;

/** One measured operation, as the packages' benchmarks print it with `--json`. */
export interface ClockRecord {
  readonly package: string;
  readonly group: string;
  readonly name: string;
  /** `floor` (what the operation cannot beat), `subject` (ours) or `peer` (an npm package doing the same). */
  readonly role: string;
  readonly nsPerOp: number;
  readonly ratio: number | null;
  readonly baseline: string | null;
  readonly bytesPerOp: number | null;
  readonly goal: string | null;
  readonly goalMet: boolean | null;
}

export interface ClockResults {
  readonly records: readonly ClockRecord[];
  readonly skipped: readonly { readonly package: string; readonly reason: string }[];
}

/** Roughly how long the benchmarks take on 2 cores, ms: measured 32 s with `--quick`. */
export function estimateClocksMs(quick: boolean): number {
  return quick ? 35_000 : 240_000;
}

const require = createRequire(import.meta.url);
/** This module runs from its TypeScript source (tests): the benchmarks then load the packages' sources too. */
const fromSource = fileURLToPath(import.meta.url).endsWith(".ts");

/** Runs every clock package's benchmark with `--json`; `progress(done, total)` after each package. */
export async function runClockBenchmarks(
  options: { readonly quick: boolean },
  progress: (done: number, total: number) => void = () => {},
): Promise<ClockResults> {
  const records: ClockRecord[] = [];
  const skipped: { package: string; reason: string }[] = [];
  let tsx: string | undefined;
  try {
    tsx = require.resolve("tsx");
  } catch {
    tsx = undefined;
  }
  for (const [i, name] of clockPackages.entries()) {
    const dir = dirname(require.resolve(`@skew/${name}/package.json`));
    const entry = join(dir, "bench", "index.ts");
    if (!existsSync(entry) || tsx === undefined) {
      skipped.push({
        package: `@skew/${name}`,
        reason: "its benchmark ships with the repository, not the package (run from a clone)",
      });
    } else {
      const args = [
        "--expose-gc",
        ...(fromSource ? ["--conditions=@skew/source"] : []),
        "--import",
        tsx,
        entry,
        "--json",
        ...(options.quick ? ["--quick"] : []),
      ];
      const { stdout } = await run(process.execPath, args, { cwd: dir, maxBuffer: 16 << 20 });
      for (const line of stdout.split("\n")) {
        if (line.trim() === "") continue;
        const record = JSON.parse(line) as ClockRecord;
        records.push({
          package: record.package,
          group: record.group,
          name: record.name,
          role: record.role,
          nsPerOp: record.nsPerOp,
          ratio: record.ratio,
          baseline: record.baseline,
          bytesPerOp: record.bytesPerOp,
          goal: record.goal,
          goalMet: record.goalMet,
        });
      }
    }
    progress(i + 1, clockPackages.length);
  }
  return { records, skipped };
}

/** The table: one line per operation, grouped by package and operation, ratios to each group's floor. */
export function formatClocks(results: ClockResults): string {
  const lines = [
    "clock micro-benchmarks: each package's own benchmark, ns per operation beside its floor and its npm peers",
    "",
    `${"package".padEnd(24)} ${"operation".padEnd(52)} ${"role".padEnd(7)} ${"ns/op".padStart(9)} ${"ratio".padStart(7)} ${"B/op".padStart(6)}  goal`,
  ];
  let group = "";
  for (const r of results.records) {
    const key = `${r.package} ${r.group}`;
    if (key !== group) {
      group = key;
      lines.push(`[${r.package}: ${r.group}]`);
    }
    const goal = r.goal === null ? "" : `${r.goalMet ? "met" : "MISSED"}: ${r.goal}`;
    lines.push(
      `${"".padEnd(24)} ${r.name.slice(0, 52).padEnd(52)} ${r.role.padEnd(7)} ${r.nsPerOp.toFixed(1).padStart(9)} ${(r.ratio === null ? "" : `${r.ratio.toFixed(2)}x`).padStart(7)} ${(r.bytesPerOp === null ? "" : String(Math.round(r.bytesPerOp))).padStart(6)}  ${goal}`,
    );
  }
  for (const s of results.skipped) lines.push(`${s.package}: skipped, ${s.reason}`);
  return lines.join("\n");
}
