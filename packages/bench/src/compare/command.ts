/**
 * `skew compare`: the comparison, end to end. It says how long it will take,
 * runs each part with a progress bar (the lost-update matrix on the
 * simulator; on a live cluster; throughput against etcd), prints each
 * part's table as it finishes, and writes the results as JSON and the HTML
 * report beside them. `--quick` runs every part small (about a minute), for
 * the README; `--json` prints one JSON record per measured cell or row
 * instead of tables, for comparing runs.
 *
 * A part that cannot run here (etcd not installable, say) is reported as
 * skipped with its reason, and the others still run: a comparison with a
 * missing column says so, it does not fail.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import {
  estimateLiveMatrixMs,
  formatLiveMatrix,
  type LiveMatrixOptions,
  type LiveMatrixResults,
  liveQuickPreset,
  runLiveMatrix,
} from "../live/index.js";
import { cellsOf, formatMatrix, fullPreset, type MatrixResults, quickPreset, runMatrix } from "../matrix/index.js";
import { type ReportInput, renderReport } from "../report/index.js";
import type { CommandIo } from "../scenarios/command.js";
import {
  estimateThroughputMs,
  formatThroughput,
  resolveThroughputSettings,
  runThroughputComparison,
  successfulRps,
  type ThroughputResults,
  throughputRecords,
} from "../throughput/index.js";
import { estimateClocksMs, formatClocks, runClockBenchmarks } from "./clocks.js";

export const compareUsage = `usage: skew compare [--quick] [--out <dir>] [--parts <list>] [--seeds <n>] [--json]

  Runs the comparison and writes <dir>/results.json and <dir>/report.html (self-contained: open it offline).
  --quick          every part small: about a minute (the README's run)
  --out <dir>      where to write (default: skew-report)
  --parts <list>   some of: sim, live, throughput, clocks (default: all)
  --seeds <n>      seeds per cell of the matrices (default: the preset's)
  --json           one JSON record per measured cell or row on stdout, instead of tables
  --help           this text
`;

/** One part of the comparison. */
interface Part {
  readonly name: string;
  readonly title: string;
  /** How long it takes, in ms, roughly, on this 2-core machine. */
  estimateMs(options: CompareOptions): number;
  run(options: CompareOptions, progress: (done: number, total: number) => void): Promise<Partial<ReportInput>>;
  /** The part's table, for the terminal. */
  table(results: Partial<ReportInput>): string;
  /** One JSON record per measured cell or row. */
  records(results: Partial<ReportInput>): object[];
}

/** What the throughput part adds to the report input, beside the rows the report charts. */
type ThroughputPartResults = Partial<ReportInput> & { readonly throughputRun?: ThroughputResults };

export interface CompareOptions {
  readonly quick: boolean;
  readonly seeds: number | undefined;
}

/**
 * The live matrix of a full comparison: every mode, no skew and 100 ms, the sequential writers and Jepsen's set,
 * healthy, paused and clock-stepped, 2 seeds, 5 s a run (120 runs, about 12 minutes). The live matrix's own full
 * preset (every cell, 3 seeds) takes nearly two hours: `runLiveMatrix(liveFullPreset)` runs it.
 */
export const compareLivePreset = {
  cells: cellsOf({
    skews: [
      { kind: "offset", ms: 0 },
      { kind: "offset", ms: 100 },
    ],
    workloads: ["sequential", "set"],
    faults: ["none", "pause", "clock-step"],
  }),
  seeds: 2,
  runMs: 5_000,
} as const satisfies Pick<LiveMatrixOptions, "cells" | "seeds" | "runMs">;

/** What one run of one simulated cell costs, ms: the quick preset's 240 runs took about 10 s on 2 cores. */
const simRunMs = 40;

function matrixRecords(part: string, matrix: MatrixResults | undefined): object[] {
  if (matrix === undefined) return [];
  return matrix.cells.map((cell) => ({
    package: "@skew/bench",
    part,
    name: cell.id,
    mode: cell.mode,
    skew: cell.skewLabel,
    workload: cell.workload,
    fault: cell.fault,
    seeds: cell.seeds,
    ...cell.summary,
  }));
}

const parts: readonly Part[] = [
  {
    name: "sim",
    title: "the lost-update matrix on the simulator",
    estimateMs: (options) => {
      const preset = options.quick ? quickPreset : fullPreset;
      return preset.cells.length * (options.seeds ?? preset.seeds) * simRunMs;
    },
    run: async (options, progress) => {
      const preset = options.quick ? quickPreset : fullPreset;
      const sim = runMatrix({
        cells: preset.cells,
        seeds: options.seeds ?? preset.seeds,
        onProgress: ({ done, total }) => progress(done, total),
      });
      return { sim };
    },
    table: (results) => (results.sim === undefined ? "" : formatMatrix(results.sim)),
    records: (results) => matrixRecords("sim", results.sim),
  },
  {
    name: "live",
    title: "the lost-update matrix on real node processes",
    estimateMs: (options) => {
      const preset = options.quick ? liveQuickPreset : compareLivePreset;
      return estimateLiveMatrixMs({ ...preset, seeds: options.seeds ?? preset.seeds });
    },
    run: async (options, progress) => {
      const preset = options.quick ? liveQuickPreset : compareLivePreset;
      const live: LiveMatrixResults = await runLiveMatrix({
        ...preset,
        seeds: options.seeds ?? preset.seeds,
        onProgress: ({ done, total }) => progress(done, total),
      });
      return { live };
    },
    table: (results) => (results.live === undefined ? "" : formatLiveMatrix(results.live as LiveMatrixResults)),
    records: (results) => matrixRecords("live", results.live),
  },
  {
    name: "throughput",
    title: "puts per second against etcd",
    estimateMs: (options) => estimateThroughputMs(resolveThroughputSettings({ quick: options.quick })),
    run: async (options, progress) => {
      const run = await runThroughputComparison({
        quick: options.quick,
        onProgress: (p) => {
          if (p.kind === "step") progress(p.step, p.steps);
        },
      });
      const notes = [
        run.etcd.status === "skipped"
          ? `etcd was not measured: ${run.etcd.reason}`
          : `Goal: ${run.goal.text}: ${run.goal.met === true ? "met" : "missed"}.`,
        `etcd gives: ${run.tradeoffs.etcdGives.join(" ")}`,
        `Skew gives: ${run.tradeoffs.skewGives.join(" ")}`,
      ];
      const results: ThroughputPartResults = {
        throughput: {
          rows: run.rows.map((r) => ({
            system: r.system,
            connections: r.connections,
            // Successful puts only: a refused or failed put is no throughput.
            rps: successfulRps(r.result),
            p50Ms: r.result.p50Ms,
            p99Ms: r.result.p99Ms,
          })),
          notes,
        },
        throughputRun: run,
      };
      return results;
    },
    table: (results) => {
      const run = (results as ThroughputPartResults).throughputRun;
      return run === undefined ? "" : formatThroughput(run);
    },
    records: (results) => {
      const run = (results as ThroughputPartResults).throughputRun;
      return run === undefined ? [] : throughputRecords(run).map((r) => ({ part: "throughput", ...r }));
    },
  },
  {
    name: "clocks",
    title: "the clocks' micro-benchmarks beside their npm peers",
    estimateMs: (options) => estimateClocksMs(options.quick),
    run: async (options, progress) => ({ clocks: await runClockBenchmarks({ quick: options.quick }, progress) }),
    table: (results) => (results.clocks === undefined ? "" : formatClocks(results.clocks)),
    records: (results) => (results.clocks?.records ?? []).map((r) => ({ part: "clocks", ...r })),
  },
];

function usageError(io: CommandIo, message: string): number {
  io.err(`skew compare: ${message}\n\n${compareUsage}`);
  return 2;
}

/** An estimate as the command announces it: seconds, or minutes past a minute and a half. */
function estimateText(ms: number): string {
  if (ms < 90_000) return `${Math.max(1, Math.round(ms / 1000))} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** Runs `skew compare <argv...>`; resolves to the exit code (0 ok, 2 usage, 1 a part failed). */
export async function compareCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  let values: { quick?: boolean; out?: string; parts?: string; seeds?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        quick: { type: "boolean" },
        out: { type: "string" },
        parts: { type: "string" },
        seeds: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return usageError(io, error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) {
    io.out(compareUsage);
    return 0;
  }
  let seeds: number | undefined;
  if (values.seeds !== undefined) {
    seeds = Number(values.seeds);
    if (!/^[1-9][0-9]{0,3}$/.test(values.seeds))
      return usageError(io, `--seeds must be an integer from 1 to 9999, got ${values.seeds}`);
  }
  const names = values.parts === undefined ? parts.map((p) => p.name) : values.parts.split(",").map((s) => s.trim());
  const unknown = names.filter((name) => !parts.some((p) => p.name === name));
  if (unknown.length > 0 || names.length === 0) {
    return usageError(
      io,
      `--parts: unknown ${unknown.join(", ") || "(none given)"}; known: ${parts.map((p) => p.name).join(", ")}`,
    );
  }
  const chosen = parts.filter((p) => names.includes(p.name));
  const options: CompareOptions = { quick: values.quick === true, seeds };
  const out = resolve(values.out ?? "skew-report");
  const json = values.json === true;
  const say = (text: string): void => {
    if (!json) io.out(text);
  };

  const estimate = chosen.reduce((sum, p) => sum + p.estimateMs(options), 0);
  say(
    `skew compare${options.quick ? " --quick" : ""}: ${chosen.map((p) => p.title).join("; ")}.\n` +
      `This will take about ${estimateText(estimate)} on a 2-core machine; results go to ${out}.\n`,
  );

  const input: { -readonly [K in keyof ReportInput]: ReportInput[K] } = {
    generatedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? "unknown", node: process.version },
    command: `skew compare ${argv.join(" ")}`.trim(),
  };
  // A bar per part on a terminal; elsewhere (a log, CI) one line when each part starts.
  const terminal = process.stderr.isTTY === true && !json;
  let failed = false;
  for (const part of chosen) {
    const bar = terminal
      ? new cliProgress.SingleBar(
          {
            format: ` ${part.title.padEnd(48)} [{bar}] {value}/{total}`,
            hideCursor: true,
            clearOnComplete: false,
            stream: process.stderr,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
    if (bar === undefined && !json) io.err(`running ${part.title} ...\n`);
    bar?.start(1, 0);
    try {
      const results = await part.run(options, (done, total) => {
        if (bar === undefined) return;
        bar.setTotal(total);
        bar.update(done);
        // The simulator runs synchronously: draw now, the bar's timer will not get a turn.
        bar.render();
      });
      Object.assign(input, results);
      bar?.stop();
      if (json) for (const record of part.records(results)) io.out(`${JSON.stringify(record)}\n`);
      else io.out(`\n${part.table(results)}\n`);
    } catch (error) {
      failed = true;
      bar?.stop();
      io.err(`skew compare: ${part.name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "results.json"), `${JSON.stringify(input, null, 2)}\n`);
  writeFileSync(join(out, "report.html"), await renderReport(input));
  say(`\nwrote ${join(out, "results.json")} and ${join(out, "report.html")}\n`);
  return failed ? 1 : 0;
}
