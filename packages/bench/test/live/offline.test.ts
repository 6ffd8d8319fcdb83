/**
 * The live matrix's parts that need no processes: its fault schedules are
 * the simulated cells' own, its summaries are computed as the simulated
 * matrix's, its presets are what they promise, it refuses bad input and
 * skips what it cannot run before starting anything, and its table says
 * what it ran.
 */
import { describeFault } from "@skew/jepsen";
import { describe, expect, it } from "vitest";
import {
  estimateLiveMatrixMs,
  formatLiveMatrix,
  formatSideBySide,
  type LiveMatrixResults,
  liveFaults,
  liveFullPreset,
  liveQuickPreset,
  resolveLiveOptions,
  runLiveMatrix,
  summarizeLiveRuns,
} from "../../src/live/index.js";
import { cellId, parseCellId, runCellSeed, runMatrix } from "../../src/matrix/index.js";

/** A CLI that does not exist: any attempt to start a cluster fails loudly. */
const noCluster = { cli: "/nonexistent/skew-cli.js", nodeArgs: [] };

describe("the live matrix, without processes", () => {
  it("plays the simulated cell's fault schedule for the same seed", () => {
    for (const id of ["causal/100ms/set/pause", "lww-hlc/10ms/blind/clock-step", "lww-wall/0ms/counter/partition"]) {
      for (const seed of [1, 2, 3]) {
        const simulated = runCellSeed(parseCellId(id), seed, { runMs: 1_000 }).faults;
        expect(liveFaults(parseCellId(id), seed, 1_000).map(describeFault), `${id} seed ${seed}`).toEqual(simulated);
      }
    }
  });

  it("summarizes runs as the simulated matrix does", () => {
    const sim = runMatrix({ cells: ["lww-wall/100ms/sequential/pause", "lww-truetime/10ms/set/none"], seeds: 3 });
    for (const cell of sim.cells) expect(summarizeLiveRuns(cell.runs)).toEqual(cell.summary);
  });

  it("has a quick preset of a minute and a full one that says how long it takes", () => {
    expect(liveQuickPreset.cells.map(cellId)).toEqual([
      "lww-wall/0ms/sequential/none",
      "lww-wall/100ms/sequential/none",
      "lww-hlc/0ms/sequential/none",
      "lww-hlc/100ms/sequential/none",
      "causal/0ms/sequential/none",
      "causal/100ms/sequential/none",
    ]);
    expect(liveQuickPreset.seeds).toBe(1);
    const quickMs = estimateLiveMatrixMs(liveQuickPreset);
    expect(quickMs).toBeGreaterThan(30_000);
    expect(quickMs).toBeLessThanOrEqual(75_000);
    const fullMs = estimateLiveMatrixMs(liveFullPreset);
    console.log(
      `live presets: quick about ${Math.round(quickMs / 1000)} s, full about ${Math.round(fullMs / 60_000)} min`,
    );
    expect(fullMs).toBeGreaterThan(60 * 60_000);
    expect(liveFullPreset.cells.filter((cell) => cell.fault === "partition")).toHaveLength(120);
  });

  it("reports partition cells as skipped, with the reason, and starts no cluster for them", async () => {
    const results = await runLiveMatrix({
      cells: ["causal/0ms/set/partition", "lww-wall/100ms/sequential/partition"],
      seeds: 2,
      cluster: noCluster,
    });
    expect(results.cells).toEqual([]);
    expect(results.skipped.map((s) => s.id)).toEqual([
      "causal/0ms/set/partition",
      "lww-wall/100ms/sequential/partition",
    ]);
    for (const { reason } of results.skipped) expect(reason).toMatch(/network namespaces/);
    expect(results.options.seeds).toEqual([1, 2]);
    expect(results.options.trueTime).toEqual({ source: "gps", errorMs: 5 });
  });

  it("refuses bad cells, seeds and options before starting anything", async () => {
    await expect(
      runLiveMatrix({ cells: ["lww-wall/100ms/sequential"], seeds: 1, cluster: noCluster }),
    ).rejects.toMatchObject({
      code: "MATRIX_CELL_UNKNOWN",
    });
    await expect(runLiveMatrix({ cells: ["causal/0ms/set/none"], seeds: 0, cluster: noCluster })).rejects.toMatchObject(
      {
        code: "MATRIX_SEED_INVALID",
      },
    );
    await expect(
      runLiveMatrix({ cells: ["causal/0ms/set/none"], seeds: [1, 1], cluster: noCluster }),
    ).rejects.toMatchObject({
      code: "MATRIX_SEED_INVALID",
    });
    await expect(
      runLiveMatrix({ cells: ["causal/0ms/set/none"], seeds: 1, runMs: 50, cluster: noCluster }),
    ).rejects.toMatchObject({
      code: "MATRIX_OPTION_INVALID",
    });
    await expect(runLiveMatrix({ cells: [], seeds: 1, cluster: noCluster })).rejects.toMatchObject({
      code: "MATRIX_OPTION_INVALID",
    });
    expect(() => resolveLiveOptions({ trueTimeErrorMs: 0 })).toThrow(
      expect.objectContaining({ code: "MATRIX_OPTION_INVALID" }),
    );
  });

  it("a cluster that cannot start fails the run with LIVE_RUN_FAILED, naming the cell and the seed", async () => {
    const failure = runLiveMatrix({ cells: ["causal/0ms/set/none"], seeds: [7], runMs: 1_000, cluster: noCluster });
    await expect(failure).rejects.toMatchObject({
      code: "LIVE_RUN_FAILED",
      message: expect.stringMatching(/^causal\/0ms\/set\/none seed 7: .*exited/),
    });
  });

  it("prints the simulated table under a live heading, the skipped cells beneath, and both side by side", () => {
    const sim = runMatrix({ cells: ["lww-wall/100ms/sequential/none", "causal/100ms/sequential/none"], seeds: 2 });
    const live: LiveMatrixResults = {
      ...sim,
      options: { ...resolveLiveOptions({}), seeds: [1, 2] },
      skipped: [{ id: "causal/0ms/set/partition", reason: "partitions need network namespaces" }],
    };
    const text = formatLiveMatrix(live);
    expect(text).toMatch(/^lost-update matrix, live: 3 node processes/);
    expect(text).not.toMatch(/simulat/);
    expect(text).toContain("lww-wall  100 ms  sequential  none");
    expect(text).toContain("skipped causal/0ms/set/partition: partitions need network namespaces");
    const side = formatSideBySide(sim, live).split("\n");
    expect(side[0]).toMatch(/^cell\s+sim acked\s+sim lost %\s+live acked\s+live lost %/);
    expect(side.slice(2).map((row) => row.split(/\s{2,}/).at(-1))).toEqual(["within", "within"]);
  });
});
