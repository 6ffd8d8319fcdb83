/**
 * One cell of the lost-update matrix, one seed, on the live cluster: the
 * cell's clocks set on the three node processes through their admin
 * endpoint, the cell's workload for `runMs` of real time through
 * @skew/jepsen's `HttpDriver` with the cell's faults played on the
 * processes (nemesis.ts), then heal, drain, settle, the final read and the
 * same `judge` as the simulated cell (matrix/run-cell.ts). The result has
 * the simulated cell's shape, `CellSeedResult`, so that one table prints
 * both.
 *
 * The seed drives what can be driven: the workload's draws and the fault
 * schedule, which is the very schedule the simulated run of the same cell
 * and seed plays (`Random.seeded(seed)`'s first fork draws both). It cannot
 * drive when the operating system runs which process, so two live runs of
 * one seed agree in law, not in numbers.
 */
import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Random } from "@skew/env";
import { describeFault, type Fault, planFaults } from "@skew/jepsen";
import { HttpDriver, type LiveRun, runLiveWorkload } from "@skew/jepsen/live";
import { type Cell, cellId, checkCell, clocksOf } from "../matrix/cells.js";
import { type CellSeedResult, checkSeed, type ResolvedCellRunOptions, verdictFields } from "../matrix/run-cell.js";
import type { LiveCluster } from "./cluster.js";
import { LiveMatrixError } from "./errors.js";
import { faultUnavailable, processNemesis } from "./nemesis.js";

/**
 * Faults come and go within the middle of the run, the first and last 10% calm: the simulated cell's
 * window (matrix/run-cell.ts), so that one seed plans one schedule for both (a test checks they agree).
 */
export const liveFaultWindow = { from: 0.1, to: 0.9 } as const;

/** Each run's key is new: runs share the cluster, never a key. */
let runCounter = 0;

/** The faults a run of `cell` with `seed` plays: the simulated run's schedule. */
export function liveFaults(cell: Cell, seed: number, runMs: number): Fault[] {
  return planFaults({
    kind: cell.fault,
    nodes: ["n1", "n2", "n3"],
    fromMs: liveFaultWindow.from * runMs,
    toMs: liveFaultWindow.to * runMs,
    random: Random.seeded(seed).fork(),
  });
}

/** The command that runs `cell` with `seed` again on a fresh live cluster (the same schedule, new timing). */
export function liveReplayCommand(cell: Cell, seed: number, options: ResolvedCellRunOptions): string {
  return (
    "node --conditions=@skew/source --import tsx packages/bench/src/live/replay.ts " +
    `--cell ${cellId(cell)} --seed ${seed} --run-ms ${options.runMs} ` +
    `--max-offset-ms ${options.maxOffsetMs} --truetime-error-ms ${options.trueTime.errorMs}`
  );
}

/**
 * Once the clocks are back on time, how long until the fastest clock's lead has passed: the HLCs took
 * their physical part from it, and a run that started before real time caught up would inherit stamps
 * from this one's skew.
 */
function catchUpMs(offsetsMs: Readonly<Record<string, number>>, faults: readonly Fault[]): number {
  const steps = faults.map((f) => (f.kind === "clock-step" ? (offsetsMs[f.node] ?? 0) + f.deltaMs : 0));
  return Math.max(0, ...Object.values(offsetsMs), ...steps);
}

export async function runLiveCell(
  cluster: LiveCluster,
  cell: Cell,
  seed: number,
  options: ResolvedCellRunOptions,
): Promise<{ readonly result: CellSeedResult; readonly run: LiveRun }> {
  checkCell(cell);
  checkSeed(seed);
  const unavailable = faultUnavailable(cell.fault);
  if (unavailable !== undefined) throw new LiveMatrixError("LIVE_FAULT_UNAVAILABLE", `${cellId(cell)}: ${unavailable}`);
  const { runMs } = options;
  const faults = liveFaults(cell, seed, runMs);
  // The second fork of the seed's stream: the first drew the schedule.
  const seeded = Random.seeded(seed);
  seeded.fork();
  const random = seeded.fork();
  const clocks = clocksOf(cell.skew);

  await cluster.awaitHealthy();
  await cluster.setClocks(clocks);
  const driver = new HttpDriver({ nodes: cluster.urls });
  let run: LiveRun;
  try {
    run = await runLiveWorkload({
      driver,
      kind: cell.workload,
      bucket: cell.mode,
      key: `${cell.workload}-${process.pid}-${++runCounter}-${seed}`,
      random,
      runMs,
      faults,
      nemesis: processNemesis(cluster),
    });
  } finally {
    await driver.close();
    await cluster.resetClocks();
    await sleep(catchUpMs(clocks.clockOffsetsMs, faults));
  }
  const { verdict } = run;
  const result: CellSeedResult = {
    seed,
    replay: liveReplayCommand(cell, seed, options),
    ...verdictFields(verdict),
    // A node does not say how long it held an acknowledgement for TrueTime (no such metric), and the
    // client's latency is not that hold: not measured live, rather than measured wrongly.
    commitWait: null,
    finalReadR: run.finalReadR ?? null,
    faults: faults.map(describeFault),
    // No simulator trace: the hash of the history recorded, to match a result with a saved history.
    traceHash: `history:${createHash("sha256").update(run.history.toJsonLines()).digest("hex").slice(0, 16)}`,
  };
  return { result, run };
}
