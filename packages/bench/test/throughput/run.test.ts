import { existsSync } from "node:fs";
import { dirname } from "node:path";
import type { LoadOptions, LoadResult } from "@skew/harness";
import { describe, expect, it } from "vitest";
import { ThroughputError } from "../../src/throughput/errors.js";
import {
  type ComparisonDeps,
  compareAtLevel,
  cpuPerPut,
  estimateThroughputMs,
  resolveThroughputSettings,
  runComparison,
  successfulRps,
  type ThroughputProgress,
} from "../../src/throughput/run.js";
import { FakeSystem, loadResult } from "./fakes.js";

/** A world of fakes: which system each load went to, and what it returns. */
function world(options: {
  etcd?: "available" | "missing" | "fails-to-start";
  loadResult?: (system: string, load: LoadOptions) => LoadResult;
  loadFails?: (system: string, load: LoadOptions) => boolean;
}) {
  const skew = new FakeSystem("skew", "skew, fake");
  const etcd = new FakeSystem("etcd", "etcd, fake");
  const loads: { system: string; load: LoadOptions }[] = [];
  const dataDirs: string[] = [];
  const deps: ComparisonDeps = {
    async ensureEtcd() {
      return options.etcd === "missing"
        ? { available: false, reason: "etcd is not installed (a test)" }
        : { available: true, binary: "/usr/bin/etcd", version: "3.4.23" };
    },
    async startSkew(setup) {
      dataDirs.push(setup.dataDir);
      return skew;
    },
    async startEtcd(setup) {
      dataDirs.push(setup.dataDir);
      if (options.etcd === "fails-to-start")
        throw new ThroughputError("THROUGHPUT_ETCD_START_FAILED", "etcd member m2 exited (code 1)");
      return etcd;
    },
    async load(load) {
      const system = load.targets[0]?.includes("skew") ? "skew" : "etcd";
      loads.push({ system, load });
      // Each load costs the fake system's processes CPU: 1.2 s for Skew, 0.9 s for etcd.
      const fake = system === "skew" ? skew : etcd;
      if (fake.cpuUsedMs !== undefined) fake.cpuUsedMs += system === "skew" ? 1_200 : 900;
      if (options.loadFails?.(system, load)) throw new Error("the load generator failed: boom");
      return (
        options.loadResult?.(system, load) ?? loadResult(system === "skew" ? 3000 : 1000, system === "skew" ? 10 : 20)
      );
    },
  };
  return { deps, skew, etcd, loads, dataDirs };
}

const fast = { rowDurationMs: 5, rowWarmupMs: 1, clusterWarmupMs: 7 } as const;

describe("runComparison with fake clusters and a fake load generator", () => {
  it("warms each cluster, then measures both at each level, alternating which goes first", async () => {
    const w = world({});
    const progress: ThroughputProgress[] = [];
    const results = await runComparison({ ...fast, onProgress: (p) => progress.push(p) }, w.deps);
    // Warm-ups at the highest level, not measured; then rows: skew, etcd at 10; etcd, skew at 50.
    expect(w.loads.map((l) => [l.system, l.load.connections, l.load.durationMs])).toEqual([
      ["skew", 50, 7],
      ["etcd", 50, 7],
      ["skew", 10, 5],
      ["etcd", 10, 5],
      ["etcd", 50, 5],
      ["skew", 50, 5],
    ]);
    // The same value size, and each system's own put shape and targets.
    expect(new Set(w.loads.map((l) => l.load.valueBytes))).toEqual(new Set([100]));
    for (const { system, load } of w.loads) expect(load.path.startsWith(`/${system}/`)).toBe(true);
    expect(results.rows.map((r) => [r.system, r.connections])).toEqual([
      ["skew", 10],
      ["etcd", 10],
      ["etcd", 50],
      ["skew", 50],
    ]);
    // 3000/s at p99 10 ms against 1000/s at p99 20 ms: 3x with a lower p99, met at both levels.
    expect(results.comparisons.map((c) => [c.connections, c.ratio, c.p99Lower, c.goalMet])).toEqual([
      [10, 3, true, true],
      [50, 3, true, true],
    ]);
    expect(results.goal.met).toBe(true);
    expect(results.etcd).toEqual({ status: "measured", version: "3.4.23", binary: "/usr/bin/etcd" });
    // Every step announced in order, numbered against a total known up front.
    const steps = progress.filter((p) => p.kind === "step");
    expect(steps.map((p) => p.step)).toEqual(steps.map((_, i) => i + 1));
    expect(steps.every((p) => p.steps === steps.length)).toBe(true);
    // Torn down: both stopped once, the temporary folder gone.
    expect([w.skew.stops, w.etcd.stops]).toEqual([1, 1]);
    expect(existsSync(dirname(w.dataDirs[0] as string))).toBe(false);
  });

  it("judges the goal on each level: a faster Skew with a higher p99 misses it", async () => {
    const w = world({
      loadResult: (system, load) =>
        system === "skew"
          ? loadResult(2000, load.connections === 10 ? 5 : 90)
          : loadResult(1000, load.connections === 10 ? 20 : 50),
    });
    const results = await runComparison(fast, w.deps);
    expect(results.comparisons.map((c) => c.goalMet)).toEqual([true, false]);
    expect(results.goal.met).toBe(false);
  });

  it("etcd missing: its rows are skipped with the reason, the Skew rows are measured, the goal is not judged", async () => {
    const w = world({ etcd: "missing" });
    const notes: string[] = [];
    const results = await runComparison(
      { ...fast, onProgress: (p) => (p.kind === "note" ? notes.push(p.message) : undefined) },
      w.deps,
    );
    expect(results.etcd).toEqual({ status: "skipped", reason: "etcd is not installed (a test)" });
    expect(results.rows.every((r) => r.system === "skew")).toBe(true);
    expect(results.rows.map((r) => r.connections)).toEqual([10, 50]);
    expect(results.comparisons.every((c) => c.ratio === null && c.goalMet === null)).toBe(true);
    expect(results.goal.met).toBeNull();
    expect(notes.join("\n")).toMatch(/etcd's rows are skipped: etcd is not installed/);
    expect(w.skew.stops).toBe(1);
  });

  it("etcd failing to start is a reason too, and Skew is still measured and stopped", async () => {
    const w = world({ etcd: "fails-to-start" });
    const results = await runComparison(fast, w.deps);
    expect(results.etcd.status).toBe("skipped");
    expect(results.etcd.status === "skipped" ? results.etcd.reason : "").toMatch(/m2 exited/);
    expect(results.rows.filter((r) => r.system === "skew")).toHaveLength(2);
    expect(w.skew.stops).toBe(1);
  });

  it("a load that fails tears both clusters down, removes the folder, and says THROUGHPUT_LOAD_FAILED", async () => {
    const w = world({ loadFails: (system, load) => system === "etcd" && load.connections === 10 });
    const error = await runComparison(fast, w.deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThroughputError);
    expect((error as ThroughputError).code).toBe("THROUGHPUT_LOAD_FAILED");
    expect((error as ThroughputError).message).toMatch(/boom/);
    expect([w.skew.stops, w.etcd.stops]).toEqual([1, 1]);
    expect(existsSync(dirname(w.dataDirs[0] as string))).toBe(false);
  });

  it("an abort stops the run between steps and tears everything down", async () => {
    const w = world({});
    const controller = new AbortController();
    const error = await runComparison(
      {
        ...fast,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.kind === "step" && p.label.startsWith("warming etcd")) controller.abort();
        },
      },
      w.deps,
    ).catch((e: unknown) => e);
    // The step that saw the abort still ran; the next one did not start.
    expect((error as ThroughputError).code).toBe("THROUGHPUT_ABORTED");
    expect(w.loads.map((l) => l.system)).toEqual(["skew", "etcd"]);
    expect([w.skew.stops, w.etcd.stops]).toEqual([1, 1]);
  });

  it("refuses bad options before anything starts", async () => {
    const w = world({});
    for (const options of [
      { connections: [] },
      { connections: [10, 10] },
      { connections: [0] },
      { valueBytes: 0 },
      { bucket: "fastest" as "causal" },
      { rowDurationMs: 0 },
    ]) {
      const error = await runComparison(options, w.deps).catch((e: unknown) => e);
      expect((error as ThroughputError).code).toBe("THROUGHPUT_OPTION_INVALID");
    }
    expect(w.dataDirs).toEqual([]);
  });

  it("says what a bad option was, even a value whose conversion to text throws", () => {
    for (const bad of [{ toString: 0 }, Object.create(null), Symbol()] as never[]) {
      for (const [options, message] of [
        [{ connections: [10, bad] }, /^connections must be .*, got 10,an? \w+$/],
        [{ connections: bad }, /^connections must be .*, got an? \w+$/],
        [{ valueBytes: bad }, /^valueBytes must be .*, got an? \w+$/],
        [{ bucket: bad }, /^bucket must be one of .*, got an? \w+$/],
        [{ rowDurationMs: bad }, /^rowDurationMs must be .*, got an? \w+$/],
      ] as const) {
        expect(() => resolveThroughputSettings(options)).toThrow(ThroughputError);
        expect(() => resolveThroughputSettings(options)).toThrow(message);
      }
    }
  });
});

describe("settings and judgement", () => {
  it("quick runs are shorter in every phase, and the estimate covers both clusters' phases", () => {
    const full = resolveThroughputSettings();
    const quick = resolveThroughputSettings({ quick: true });
    expect(full).toMatchObject({ connections: [10, 50], valueBytes: 100, bucket: "causal", quick: false });
    expect(quick.rowDurationMs).toBeLessThan(full.rowDurationMs);
    expect(quick.clusterWarmupMs).toBeLessThan(full.clusterWarmupMs);
    const measured = 2 * (full.clusterWarmupMs + 2 * (full.rowDurationMs + full.rowWarmupMs));
    expect(estimateThroughputMs(full)).toBeGreaterThanOrEqual(measured);
    expect(estimateThroughputMs(quick)).toBeLessThan(estimateThroughputMs(full));
  });

  it("gives each row its system's CPU time per put, over every put the load made, or null when unreadable", async () => {
    const w = world({});
    w.etcd.cpuUsedMs = undefined;
    const results = await runComparison({ ...fast, connections: [10], installEtcd: false }, w.deps);
    // The default fake load: Skew 3,000 puts/s, 15,000 measured and 3,000 in its warm-up, for 1.2 s of CPU.
    const skew = results.rows.find((r) => r.system === "skew");
    expect(skew?.cpuUsPerPut).toBeCloseTo((1_200 * 1000) / (15_000 + 3_000), 9);
    expect(results.rows.find((r) => r.system === "etcd")?.cpuUsPerPut).toBeNull();
    expect(cpuPerPut(100, 160, loadResult(10, 5, { requests: 50, warmupRequests: 10 }))).toBe(1000);
    expect(cpuPerPut(100, 160, loadResult(0, 5, { requests: 0, warmupRequests: 0 }))).toBeNull();
  });

  it("counts only the puts that succeeded: failed ones are answered fast and are not throughput", () => {
    const failing = loadResult(3000, 5, { requests: 1000, errors: 250, non2xx: 250 });
    expect(successfulRps(failing)).toBe(1500);
    const rows = [
      { system: "skew" as const, name: "s", connections: 10, result: failing, cpuUsPerPut: null },
      { system: "etcd" as const, name: "e", connections: 10, result: loadResult(1000, 20), cpuUsPerPut: null },
    ];
    expect(compareAtLevel(rows, 10).ratio).toBe(1.5);
    // No answer at all: the p99 is NaN, never lower.
    const silent = loadResult(0, Number.NaN, { requests: 0 });
    expect(compareAtLevel([{ ...rows[0], result: silent }, rows[1]] as typeof rows, 10)).toMatchObject({
      ratio: 0,
      p99Lower: false,
      goalMet: false,
    });
  });
});
