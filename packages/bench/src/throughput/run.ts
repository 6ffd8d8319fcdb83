/**
 * Skew against etcd on this machine, in one run: both clusters started side
 * by side, each warmed up, then puts/s and p50/p99 at each concurrency level
 * with the same load generator (its own process), the same value size and a
 * new key per put in both. The rows of one level are measured back to back
 * and the order alternates from one level to the next (Skew then etcd, etcd
 * then Skew, ...), so a slow drift of a shared machine does not always land
 * on the same system. While one cluster is measured the other is idle (its
 * heartbeats only).
 *
 * Everything started is stopped and the temporary folder removed, whatever
 * happens; etcd's absence, or its failure to start, is a reason in the
 * results, not an exception: the Skew rows are still measured.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { describeValue } from "@skew/env";
import { type LoadOptions, LoadProcessError, type LoadResult, runLoadProcess } from "@skew/harness";
import { type ConflictMode, conflictModes, isConflictMode } from "@skew/kv";
import {
  clusterWarmupMsFull,
  clusterWarmupMsQuick,
  connectionLevelsDefault,
  connectionsMax,
  rowDurationMsFull,
  rowDurationMsQuick,
  rowWarmupMsFull,
  rowWarmupMsQuick,
  throughputGoalRatio,
  valueBytesDefault,
  valueBytesMax,
} from "./constants.js";
import { ThroughputError } from "./errors.js";
import { type EnsureEtcdOptions, type EtcdAvailability, ensureEtcd } from "./etcd.js";
import {
  type EtcdSetup,
  etcdDataDir,
  type SkewSetup,
  type SystemName,
  type SystemUnderTest,
  skewDataDir,
  startEtcd,
  startSkew,
} from "./systems.js";
import { type Tradeoffs, tradeoffs } from "./tradeoffs.js";

export interface ThroughputOptions {
  /** A smoke run: short warm-ups and rows, figures not to quote. */
  readonly quick?: boolean;
  /** Connection levels, one row per system each (default 10 and 50). */
  readonly connections?: readonly number[];
  /** Bytes per value, both systems (default 100). */
  readonly valueBytes?: number;
  /**
   * The Skew bucket's conflict mode (default `causal`: the mode that keeps
   * every acknowledged write, the one set against etcd's guarantees below).
   */
  readonly bucket?: ConflictMode;
  readonly rowDurationMs?: number;
  readonly rowWarmupMs?: number;
  readonly clusterWarmupMs?: number;
  /** Install etcd with apt-get when it is missing (default true). */
  readonly installEtcd?: boolean;
  /** An etcd binary instead of the one on PATH. */
  readonly etcdBinary?: string;
  /** Called as the run goes: for progress bars (`skew compare`) and lines on stderr (the command). */
  readonly onProgress?: (progress: ThroughputProgress) => void;
  /** Stops the run: everything is torn down and it rejects with THROUGHPUT_ABORTED. */
  readonly signal?: AbortSignal;
}

/** The options a run used, every default filled in. */
export interface ThroughputSettings {
  readonly quick: boolean;
  readonly connections: readonly number[];
  readonly valueBytes: number;
  readonly bucket: ConflictMode;
  readonly rowDurationMs: number;
  readonly rowWarmupMs: number;
  readonly clusterWarmupMs: number;
}

export type ThroughputProgress =
  /** A step begins: `step` of `steps` (starting a cluster, warming one, measuring a row), expected to take `expectedMs`. */
  | {
      readonly kind: "step";
      readonly step: number;
      readonly steps: number;
      readonly label: string;
      readonly expectedMs: number;
    }
  /** Something the user should read (etcd being installed, or skipped and why). */
  | { readonly kind: "note"; readonly message: string };

export interface Machine {
  readonly cpus: number;
  readonly model: string;
  readonly node: string;
}

export interface ThroughputMeasurement {
  readonly system: SystemName;
  /** The system's label ("etcd 3.4.23, 3 members"). */
  readonly name: string;
  readonly connections: number;
  readonly result: LoadResult;
  /**
   * CPU time the system's processes used per put over the row (its warm-up
   * and its measurement), µs: their CPU time over every put the load made.
   * The load generator's is not counted. Null where it cannot be read (`processesCpuMs`, @skew/harness).
   */
  readonly cpuUsPerPut: number | null;
}

export interface ThroughputComparison {
  readonly connections: number;
  readonly skew: LoadResult;
  readonly etcd: LoadResult | null;
  /** Skew's successful puts per second over etcd's; null without etcd. */
  readonly ratio: number | null;
  /** Skew's p99 below etcd's; null without etcd. */
  readonly p99Lower: boolean | null;
  /** ratio >= the goal's and p99Lower; null without etcd. */
  readonly goalMet: boolean | null;
}

export type EtcdStatus =
  | { readonly status: "measured"; readonly version: string; readonly binary: string }
  | { readonly status: "skipped"; readonly reason: string };

export interface ThroughputResults {
  readonly kind: "throughput-vs-etcd";
  /** ISO time the run began. */
  readonly startedAt: string;
  readonly elapsedMs: number;
  readonly machine: Machine;
  readonly settings: ThroughputSettings;
  readonly etcd: EtcdStatus;
  /** Every measured row, in the order measured. */
  readonly rows: readonly ThroughputMeasurement[];
  /** One per connection level, in the order of `settings.connections`. */
  readonly comparisons: readonly ThroughputComparison[];
  readonly goal: {
    readonly text: string;
    readonly ratio: number;
    /** Met at every level; null when etcd was not measured. */
    readonly met: boolean | null;
  };
  readonly tradeoffs: Tradeoffs;
}

export const throughputGoalText = `Skew >= ${throughputGoalRatio}x etcd's puts/s with a lower p99`;

/** What a run does to the world, as functions a test can replace with fakes. */
export interface ComparisonDeps {
  ensureEtcd(options: EnsureEtcdOptions): Promise<EtcdAvailability>;
  startSkew(setup: SkewSetup): Promise<SystemUnderTest>;
  startEtcd(setup: EtcdSetup): Promise<SystemUnderTest>;
  load(options: LoadOptions, signal?: AbortSignal): Promise<LoadResult>;
}

export const realDeps: ComparisonDeps = {
  ensureEtcd: (options) => ensureEtcd(options),
  startSkew,
  startEtcd,
  load: runLoadProcess,
};

/** Fills in the defaults and checks every option; a THROUGHPUT_OPTION_INVALID error says what is wrong. */
export function resolveThroughputSettings(options: ThroughputOptions = {}): ThroughputSettings {
  const quick = options.quick ?? false;
  const connections = options.connections ?? connectionLevelsDefault;
  if (
    !Array.isArray(connections) ||
    connections.length === 0 ||
    connections.some((c) => !Number.isInteger(c) || c < 1 || c > connectionsMax) ||
    new Set(connections).size !== connections.length
  ) {
    const shown = Array.isArray(connections) ? connections.map(describeValue).join(",") : describeValue(connections);
    throw invalid(`connections must be distinct integers from 1 to ${connectionsMax}, got ${shown}`);
  }
  const valueBytes = options.valueBytes ?? valueBytesDefault;
  if (!Number.isInteger(valueBytes) || valueBytes < 1 || valueBytes > valueBytesMax)
    throw invalid(`valueBytes must be an integer from 1 to ${valueBytesMax}, got ${describeValue(valueBytes)}`);
  const bucket = options.bucket ?? "causal";
  if (!isConflictMode(bucket))
    throw invalid(`bucket must be one of ${conflictModes.join(", ")}, got ${describeValue(bucket)}`);
  const duration = (name: string, value: number | undefined, fallback: number, min: number): number => {
    const ms = value ?? fallback;
    if (!Number.isFinite(ms) || ms < min)
      throw invalid(`${name} must be a number of milliseconds >= ${min}, got ${describeValue(ms)}`);
    return ms;
  };
  return {
    quick,
    connections: [...connections],
    valueBytes,
    bucket,
    rowDurationMs: duration("rowDurationMs", options.rowDurationMs, quick ? rowDurationMsQuick : rowDurationMsFull, 1),
    rowWarmupMs: duration("rowWarmupMs", options.rowWarmupMs, quick ? rowWarmupMsQuick : rowWarmupMsFull, 0),
    clusterWarmupMs: duration(
      "clusterWarmupMs",
      options.clusterWarmupMs,
      quick ? clusterWarmupMsQuick : clusterWarmupMsFull,
      0,
    ),
  };
}

/** Time to start each cluster, as seen here: Skew's node processes load more code than etcd's members. */
const skewStartExpectedMs = 5_000;
const etcdStartExpectedMs = 2_000;
/** Time to spawn the load generator's process and open its connections, once per load. */
const loadSpawnExpectedMs = 700;

/** About how long a run with these settings takes (both clusters measured), to say before it starts. */
export function estimateThroughputMs(settings: ThroughputSettings): number {
  const warm = settings.clusterWarmupMs + loadSpawnExpectedMs;
  const rows = settings.connections.length * (settings.rowWarmupMs + settings.rowDurationMs + loadSpawnExpectedMs);
  return skewStartExpectedMs + etcdStartExpectedMs + 2 * (warm + rows);
}

/** Starts both clusters, measures them, tears them down; see the module's comment. */
export function runThroughputComparison(options: ThroughputOptions = {}): Promise<ThroughputResults> {
  return runComparison(options, realDeps);
}

/** `runThroughputComparison` with the world passed in (tests give fakes). */
export async function runComparison(options: ThroughputOptions, deps: ComparisonDeps): Promise<ThroughputResults> {
  const settings = resolveThroughputSettings(options);
  const { signal } = options;
  const notify = options.onProgress ?? (() => {});
  const startedAt = new Date();
  const started = performance.now();
  const steps = 5 + 2 * settings.connections.length;
  let step = 0;
  const begin = (label: string, expectedMs: number): void => {
    if (signal?.aborted) throw new ThroughputError("THROUGHPUT_ABORTED", `stopped before: ${label}`);
    step++;
    notify({ kind: "step", step, steps, label, expectedMs });
  };
  const note = (message: string): void => notify({ kind: "note", message });
  const load = async (options: LoadOptions): Promise<LoadResult> => {
    try {
      return await deps.load(options, signal);
    } catch (cause) {
      if (signal?.aborted) throw new ThroughputError("THROUGHPUT_ABORTED", "stopped while measuring", { cause });
      const detail = cause instanceof LoadProcessError || cause instanceof Error ? cause.message : String(cause);
      throw new ThroughputError("THROUGHPUT_LOAD_FAILED", detail, { cause });
    }
  };

  const root = mkdtempSync(join(tmpdir(), "skew-throughput-"));
  const running: SystemUnderTest[] = [];
  const rows: ThroughputMeasurement[] = [];
  let etcdStatus: EtcdStatus;
  try {
    begin("looking for etcd", 0);
    const availability = await deps.ensureEtcd({
      install: options.installEtcd ?? true,
      say: note,
      ...(options.etcdBinary === undefined ? {} : { binary: options.etcdBinary }),
    });
    etcdStatus = availability.available
      ? { status: "measured", version: availability.version, binary: availability.binary }
      : { status: "skipped", reason: availability.reason };
    if (!availability.available) note(`etcd's rows are skipped: ${availability.reason}`);

    begin("starting 3 Skew node processes", skewStartExpectedMs);
    const skew = await deps.startSkew({ dataDir: skewDataDir(root), bucket: settings.bucket });
    running.push(skew);

    begin("starting 3 etcd members", availability.available ? etcdStartExpectedMs : 0);
    let etcd: SystemUnderTest | undefined;
    if (availability.available) {
      try {
        etcd = await deps.startEtcd({
          dataDir: etcdDataDir(root),
          binary: availability.binary,
          version: availability.version,
        });
        running.push(etcd);
      } catch (error) {
        if (!(error instanceof ThroughputError && error.code === "THROUGHPUT_ETCD_START_FAILED")) throw error;
        etcdStatus = { status: "skipped", reason: error.message };
        note(`etcd's rows are skipped: ${error.message}`);
      }
    }

    const base = { valueBytes: settings.valueBytes, warmupMs: 0 } as const;
    const warmConnections = Math.max(...settings.connections);
    for (const system of [skew, etcd]) {
      begin(
        system === undefined ? "etcd: skipped" : `warming ${system.system} up (not measured)`,
        system === undefined ? 0 : settings.clusterWarmupMs,
      );
      if (system === undefined || settings.clusterWarmupMs === 0) continue;
      await load({
        ...base,
        ...system.putRequest("warm/"),
        targets: system.targets,
        connections: warmConnections,
        durationMs: settings.clusterWarmupMs,
      });
    }

    for (const [level, connections] of settings.connections.entries()) {
      const order = level % 2 === 0 ? [skew, etcd] : [etcd, skew];
      for (const system of order) {
        const rowMs = settings.rowWarmupMs + settings.rowDurationMs;
        begin(
          system === undefined ? "etcd: skipped" : `${system.system}: puts at ${connections} connections`,
          system === undefined ? 0 : rowMs,
        );
        if (system === undefined) continue;
        const cpuBefore = system.cpuMs();
        const result = await load({
          ...system.putRequest(`c${connections}/`),
          targets: system.targets,
          valueBytes: settings.valueBytes,
          connections,
          durationMs: settings.rowDurationMs,
          warmupMs: settings.rowWarmupMs,
        });
        rows.push({
          system: system.system,
          name: system.label,
          connections,
          result,
          cpuUsPerPut: cpuPerPut(cpuBefore, system.cpuMs(), result),
        });
      }
    }
  } finally {
    await Promise.allSettled(running.reverse().map((system) => system.stop()));
    rmSync(root, { recursive: true, force: true });
  }

  const comparisons = settings.connections.map((connections) => compareAtLevel(rows, connections));
  const judged = comparisons.filter((c) => c.goalMet !== null);
  return {
    kind: "throughput-vs-etcd",
    startedAt: startedAt.toISOString(),
    elapsedMs: performance.now() - started,
    machine: machineOf(),
    settings,
    etcd: etcdStatus,
    rows,
    comparisons,
    goal: {
      text: throughputGoalText,
      ratio: throughputGoalRatio,
      met: judged.length === 0 ? null : judged.every((c) => c.goalMet === true),
    },
    tradeoffs,
  };
}

/** µs of CPU a put over a row, from the system's CPU time before and after it; null when either is unknown. */
export function cpuPerPut(
  beforeMs: number | undefined,
  afterMs: number | undefined,
  result: LoadResult,
): number | null {
  const puts = result.requests + result.warmupRequests;
  if (beforeMs === undefined || afterMs === undefined || puts === 0) return null;
  return ((afterMs - beforeMs) * 1000) / puts;
}

/** Puts per second that succeeded: a failed put is answered fast and must not count as throughput. */
export function successfulRps(result: LoadResult): number {
  if (result.requests === 0) return 0;
  return (result.rps * (result.requests - result.errors - result.non2xx)) / result.requests;
}

/** The goal at one level, from its two rows. */
export function compareAtLevel(rows: readonly ThroughputMeasurement[], connections: number): ThroughputComparison {
  const skew = rows.find((r) => r.system === "skew" && r.connections === connections)?.result;
  if (skew === undefined) throw new TypeError(`no Skew row at ${describeValue(connections)} connections`);
  const etcd = rows.find((r) => r.system === "etcd" && r.connections === connections)?.result ?? null;
  if (etcd === null) return { connections, skew, etcd, ratio: null, p99Lower: null, goalMet: null };
  const etcdRps = successfulRps(etcd);
  const skewRps = successfulRps(skew);
  const ratio = etcdRps > 0 ? skewRps / etcdRps : skewRps > 0 ? Number.POSITIVE_INFINITY : Number.NaN;
  // A NaN p99 (no answer at all) is never lower.
  const p99Lower = skew.p99Ms < etcd.p99Ms;
  return { connections, skew, etcd, ratio, p99Lower, goalMet: ratio >= throughputGoalRatio && p99Lower };
}

export function machineOf(): Machine {
  return { cpus: cpus().length, model: cpus()[0]?.model ?? "unknown", node: process.version };
}

function invalid(message: string): ThroughputError {
  return new ThroughputError("THROUGHPUT_OPTION_INVALID", message);
}
