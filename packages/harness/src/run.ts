import os from "node:os";
import { do_not_optimize, measure } from "mitata";
import { type BenchArgs, parseBenchArgs } from "./args.js";
import { formatTable } from "./table.js";
import type { BenchCase, BenchGoal, BenchOptions, BenchRecord } from "./types.js";

interface Measured {
  readonly benchCase: BenchCase;
  readonly nsPerOp: number;
  readonly avgNs: number;
  readonly p99Ns: number;
  readonly samples: number;
  readonly bytesPerOp: number | null;
}

const warmupCalls = 20_000;
/** Warm-up stops after this long even before `warmupCalls` (an operation of 100 µs would take 2 s otherwise). */
const warmupMsMax = 500;
/**
 * mitata batches calls (times many per timer read) only when a warm-up call
 * took under 65 µs; a slower operation is timed one call per sample. That is
 * fine once the operation is slow enough for the timer read each sample adds
 * (tens of ns) not to show: past this, it is under 0.5% of the figure. A
 * faster operation that was not batched (a preempted warm-up call on a
 * loaded machine) is measured again, and refused if it never is.
 */
const unbatchedMinNs = 10_000;
/** Each case is measured in this many rounds, interleaved with the other cases, and the median kept. */
const rounds = 3;
const allocationCalls = 20_000;
const allocationRepeats = 7;

/**
 * Measures every case, prints a table (or with `--json` one JSON record per
 * case), and returns the records. Goals are reported, not enforced: a
 * benchmark informs, a test decides.
 */
export async function runBenchmarks(
  packageName: string,
  cases: readonly BenchCase[],
  options: BenchOptions = {},
): Promise<BenchRecord[]> {
  const args = parseBenchArgs(options.argv ?? process.argv.slice(2));
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  checkCases(cases);
  const selected = cases.filter(
    (c) => args.filter === undefined || c.group.includes(args.filter) || c.name.includes(args.filter),
  );
  // Rounds interleave the cases so that a drift of the machine (another
  // process, frequency scaling, a late JIT tier-up) spreads over all of them
  // instead of landing on whichever case happened to run first.
  const perRound: Measured[][] = selected.map(() => []);
  const roundCount = args.quick ? 1 : rounds;
  // The first measurement of a process runs slow (seen here: 2x on a bare
  // Date.now()), so it is made once more and the first result dropped.
  const first = selected[0];
  if (first !== undefined) await measureCase(first, args, roundCount);
  for (let round = 0; round < roundCount; round++) {
    for (const [index, benchCase] of selected.entries()) {
      perRound[index]?.push(await measureCase(benchCase, args, roundCount));
      if (!args.json) process.stderr.write(".");
    }
  }
  if (!args.json) process.stderr.write("\n");
  const measured = perRound.map(medianOfRounds);
  const records = toRecords(packageName, measured);
  if (args.json) for (const record of records) write(`${JSON.stringify(record)}\n`);
  else write(formatTable(packageName, records));
  return records;
}

function checkCases(cases: readonly BenchCase[]): void {
  const seen = new Set<string>();
  for (const c of cases) {
    const key = `${c.group}\u0000${c.name}`;
    if (seen.has(key))
      throw new TypeError(`duplicate benchmark case ${JSON.stringify(c.name)} in group ${JSON.stringify(c.group)}`);
    seen.add(key);
    if (c.baseline !== undefined && !cases.some((o) => o.group === c.group && o.name === c.baseline)) {
      throw new TypeError(
        `case ${JSON.stringify(c.name)} names baseline ${JSON.stringify(c.baseline)}, which is not in its group`,
      );
    }
  }
}

function medianOfRounds(results: readonly Measured[]): Measured {
  const sorted = [...results].sort((a, b) => a.nsPerOp - b.nsPerOp);
  const median = sorted[Math.floor(sorted.length / 2)];
  if (median === undefined) throw new Error("no measurement");
  return median;
}

async function measureCase(benchCase: BenchCase, args: BenchArgs, roundCount: number): Promise<Measured> {
  const fn = benchCase.fn;
  const call = (): void => do_not_optimize(fn());
  const warmupStart = performance.now();
  for (let i = 0; i < warmupCalls && (i < 100 || performance.now() - warmupStart < warmupMsMax); i++) call();
  const cpuTimeMs = args.quick ? 150 : Math.ceil(900 / roundCount);
  // mitata batches only when a warm-up call is fast; on a loaded machine one
  // call can be preempted, so it is given more warm-up calls to find a fast
  // one, and the measurement is retried before giving up.
  const options = { min_cpu_time: cpuTimeMs * 1e6, warmup_samples: 16, warmup_threshold: 50e6 };
  const timerShows = (s: typeof stats): boolean => s.ticks <= s.samples.length && s.min < unbatchedMinNs;
  let stats = await measure(call, options);
  for (let retry = 0; retry < 3 && timerShows(stats); retry++) stats = await measure(call, options);
  if (timerShows(stats)) {
    throw new Error(
      `benchmark ${JSON.stringify(benchCase.name)} was not batched by mitata; its figures would include a timer read per call`,
    );
  }
  return {
    benchCase,
    nsPerOp: stats.p50,
    avgNs: stats.avg,
    p99Ns: stats.p99,
    samples: stats.samples.length,
    bytesPerOp: benchCase.allocation === true ? bytesPerCall(fn) : null,
  };
}

/** Compared with every result so that the call cannot be dropped, without storing (and so boxing) the result. */
const neverReturned = Symbol("never returned");

/**
 * Heap bytes allocated per call: the smallest growth of the used heap over
 * `allocationCalls` calls among several tries (a collection during a try makes
 * it shrink, so such tries are discarded). With `--expose-gc` each try starts
 * from a collected heap. The result is compared, not kept: keeping a double
 * in an object field would box it into a 16-byte HeapNumber and charge the
 * harness's allocation to the operation.
 */
function bytesPerCall(fn: () => unknown): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  let best = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < allocationRepeats; attempt++) {
    gc?.();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < allocationCalls; i++) if (fn() === neverReturned) throw new Error("unreachable");
    const grown = process.memoryUsage().heapUsed - before;
    if (grown >= 0) best = Math.min(best, grown / allocationCalls);
  }
  return Number.isFinite(best) ? Math.round(best * 10) / 10 : Number.NaN;
}

function baselineOf(c: Measured, group: readonly Measured[]): Measured | undefined {
  if (c.benchCase.baseline !== undefined) return group.find((o) => o.benchCase.name === c.benchCase.baseline);
  if (c.benchCase.role === "floor") return undefined;
  const floor = group.find((o) => o.benchCase.role === "floor");
  if (floor !== undefined) return floor;
  if (c.benchCase.role === "peer") return undefined;
  const peers = group.filter((o) => o.benchCase.role === "peer");
  return peers.reduce<Measured | undefined>(
    (best, p) => (best === undefined || p.nsPerOp < best.nsPerOp ? p : best),
    undefined,
  );
}

function describeGoal(goal: BenchGoal, baseline: string | null): string {
  const parts: string[] = [];
  if (goal.maxRatio !== undefined) parts.push(`<= ${goal.maxRatio}x ${baseline ?? "baseline"}`);
  if (goal.minSpeedup !== undefined) parts.push(`>= ${goal.minSpeedup}x faster than ${baseline ?? "baseline"}`);
  if (goal.maxNs !== undefined) parts.push(`< ${goal.maxNs} ns`);
  if (goal.maxBytesPerOp !== undefined)
    parts.push(goal.maxBytesPerOp === 0 ? "no allocation" : `<= ${goal.maxBytesPerOp} B/op`);
  if (goal.maxExtraBytesPerOp !== undefined)
    parts.push(
      goal.maxExtraBytesPerOp === 0
        ? `no allocation beyond ${baseline ?? "baseline"}`
        : `<= ${goal.maxExtraBytesPerOp} B/op beyond ${baseline ?? "baseline"}`,
    );
  return parts.join(", ");
}

/** Whether the goal is stated against the baseline (a ratio, a speedup, extra bytes). */
function needsBaseline(goal: BenchGoal): boolean {
  return goal.maxRatio !== undefined || goal.minSpeedup !== undefined || goal.maxExtraBytesPerOp !== undefined;
}

/** Null when the goal is against a baseline that was not measured (`--filter` left it out): not judged. */
function goalMet(goal: BenchGoal, c: Measured, baseline: Measured | undefined): boolean | null {
  if (baseline === undefined && needsBaseline(goal)) return null;
  const ratio = baseline === undefined ? undefined : c.nsPerOp / baseline.nsPerOp;
  if (goal.maxRatio !== undefined && (ratio === undefined || ratio > goal.maxRatio)) return false;
  if (goal.minSpeedup !== undefined && (ratio === undefined || 1 / ratio < goal.minSpeedup)) return false;
  if (goal.maxNs !== undefined && !(c.nsPerOp < goal.maxNs)) return false;
  // Allocation under half a byte per call is measurement noise (the heap probe itself allocates).
  if (goal.maxBytesPerOp !== undefined && !(c.bytesPerOp !== null && c.bytesPerOp <= goal.maxBytesPerOp + 0.5))
    return false;
  if (goal.maxExtraBytesPerOp !== undefined) {
    const base = baseline?.bytesPerOp ?? null;
    if (c.bytesPerOp === null || base === null || !(c.bytesPerOp <= base + goal.maxExtraBytesPerOp + 0.5)) return false;
  }
  return true;
}

function toRecords(packageName: string, measured: readonly Measured[]): BenchRecord[] {
  const machine = { cpus: os.availableParallelism(), model: os.cpus()[0]?.model ?? "unknown", node: process.version };
  return measured.map((c) => {
    const group = measured.filter((o) => o.benchCase.group === c.benchCase.group);
    const baseline = baselineOf(c, group);
    const baselineName = baseline?.benchCase.name ?? null;
    const goal = c.benchCase.goal;
    return {
      package: packageName,
      group: c.benchCase.group,
      name: c.benchCase.name,
      role: c.benchCase.role ?? "subject",
      nsPerOp: round(c.nsPerOp),
      avgNs: round(c.avgNs),
      p99Ns: round(c.p99Ns),
      samples: c.samples,
      baseline: baselineName,
      ratio: baseline === undefined ? null : round(c.nsPerOp / baseline.nsPerOp),
      bytesPerOp: c.bytesPerOp,
      goal: goal === undefined ? null : describeGoal(goal, baselineName),
      goalMet: goal === undefined ? null : goalMet(goal, c, baseline),
      machine,
    };
  });
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
