/**
 * The laws the lost-update matrix must show, asserted on its own runs (the
 * numbers come out of the simulator, none is written here): causal mode
 * never loses an acknowledged write in any cell; an HLC keeps sequential
 * writes in order under any skew below its max offset; wall clocks do not
 * under 100 ms of skew; TrueTime's commit wait is at least the width of its
 * interval, and keeps order while the skew stays within its bound. A
 * failing cell prints the command that replays it.
 */
import { describe, expect, it } from "vitest";
import {
  type CellResult,
  type CellSeedResult,
  cellsOf,
  maxOffsetMsDefault,
  runMatrix,
  skewsDefault,
  trueTimeDefault,
} from "../../src/matrix/index.js";

/** Every run of `cells` that breaks `law`, as "cell seed: why; replay: command". */
function breaches(cells: readonly CellResult[], law: (run: CellSeedResult, cell: CellResult) => string | undefined) {
  return cells.flatMap((cell) =>
    cell.runs.flatMap((run) => {
      const why = law(run, cell);
      return why === undefined ? [] : [`${cell.id} seed ${run.seed}: ${why}\n  replay: ${run.replay}`];
    }),
  );
}

describe("causal mode: no acknowledged write lost, in any cell", () => {
  it("every skew, workload and fault, one seed each (96 cells)", () => {
    const { cells } = runMatrix({ cells: cellsOf({ modes: ["causal"] }), seeds: [1] });
    expect(cells).toHaveLength(96);
    const found = breaches(cells, (run) => {
      if (!run.finalRead) return "no final read: the loss cannot be judged";
      if (run.lost > 0) return `${run.lost} acknowledged writes lost`;
      if (run.unacknowledgedAppeared > 0) return `${run.unacknowledgedAppeared} definitely failed writes appeared`;
      if (run.unexpected > 0) return `${run.unexpected} values nobody wrote`;
      return undefined;
    });
    expect(found).toEqual([]);
    // The cells did work: writes were acknowledged, and concurrent ones surfaced as siblings.
    expect(cells.every((cell) => cell.summary.totalAcknowledged > 0)).toBe(true);
    expect(cells.some((cell) => cell.summary.siblingsSurfaced.mean > 0)).toBe(true);
  });
});

describe("sequential writers (3.3: writes mysteriously disappear)", () => {
  it("lww-hlc loses none under any skew below its max offset, under every fault", () => {
    const below = skewsDefault.filter((skew) => skew.kind === "drift" || skew.ms < maxOffsetMsDefault);
    expect(below.length).toBeGreaterThanOrEqual(5);
    const { cells } = runMatrix({
      cells: cellsOf({ modes: ["lww-hlc"], skews: below, workloads: ["sequential"] }),
      seeds: 2,
    });
    const found = breaches(cells, (run) =>
      !run.finalRead ? "no final read" : run.lost > 0 ? `${run.lost} of ${run.acknowledged} lost` : undefined,
    );
    expect(found).toEqual([]);
    expect(cells.every((cell) => cell.summary.totalAcknowledged > 0)).toBe(true);
  });

  it("lww-wall loses some under 100 ms of skew, each overwritten by an older write; with no skew, none", () => {
    const { cells } = runMatrix({
      cells: ["lww-wall/100ms/sequential/none", "lww-wall/0ms/sequential/none"],
      seeds: 3,
    });
    const [skewed, synced] = cells as [CellResult, CellResult];
    for (const run of skewed.runs) {
      expect(run.lost, run.replay).toBeGreaterThanOrEqual(1);
      expect(run.wrongOrder, run.replay).toBe(run.lost);
    }
    for (const run of synced.runs) expect(run.lost, run.replay).toBe(0);
  });

  it("lww-truetime keeps order while each clock is within its bound, and loses writes beyond it", () => {
    const epsilonMs = trueTimeDefault.errorMs;
    const { cells } = runMatrix({
      cells: [`lww-truetime/${2 * epsilonMs}ms/sequential/none`, "lww-truetime/100ms/sequential/none"],
      seeds: 2,
    });
    const [within, beyond] = cells as [CellResult, CellResult];
    for (const run of within.runs) expect(run.lost, run.replay).toBe(0);
    for (const run of beyond.runs) expect(run.lost, run.replay).toBeGreaterThan(0);
  });
});

describe("lww-truetime's commit wait against 2 x epsilon", () => {
  it("every acknowledgement waited at least the interval's width, which is at least 2 x epsilon", () => {
    const { cells } = runMatrix({
      cells: cellsOf({ modes: ["lww-truetime"], skews: [{ kind: "offset", ms: 0 }], faults: ["none"] }),
      seeds: 2,
    });
    for (const cell of cells) {
      for (const run of cell.runs) {
        const wait = run.commitWait;
        expect(wait, run.replay).not.toBeNull();
        if (wait === null) continue;
        expect(wait.writes).toBeGreaterThan(0);
        expect(wait.twoEpsilonMeanMs).toBeGreaterThanOrEqual(2 * trueTimeDefault.errorMs);
        expect(wait.holdP50Ms, run.replay).toBeGreaterThanOrEqual(2 * trueTimeDefault.errorMs);
        expect(wait.holdMeanMs, run.replay).toBeGreaterThanOrEqual(wait.twoEpsilonMeanMs);
        // The client sees it too: a write's latency includes the wait.
        expect(run.writeLatencyP50Ms as number).toBeGreaterThanOrEqual(2 * trueTimeDefault.errorMs);
      }
    }
  });
});

describe("concurrent read-modify-writes on a healthy cluster (Jepsen's Riak finding)", () => {
  it("every last-write-wins mode loses acknowledged adds and increments, whatever its clock; none surfaces a sibling", () => {
    const { cells } = runMatrix({
      cells: cellsOf({
        modes: ["lww-wall", "lww-lamport", "lww-hlc", "lww-truetime"],
        skews: [{ kind: "offset", ms: 0 }],
        workloads: ["set", "counter"],
        faults: ["none"],
      }),
      seeds: [1],
    });
    const found = breaches(cells, (run) =>
      run.lost === 0
        ? "lost nothing: the demonstration is broken"
        : run.siblingsMax > 1
          ? "surfaced siblings"
          : undefined,
    );
    expect(found).toEqual([]);
  });
});
