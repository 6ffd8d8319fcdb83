import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  cellId,
  cellsOf,
  checkCell,
  formatMatrix,
  jepsenRiakSource,
  MatrixError,
  type MatrixProgress,
  parseCellId,
  quickPreset,
  referenceFigures,
  resolveCellRunOptions,
  runCellSeed,
  runMatrix,
} from "../../src/matrix/index.js";

const repositoryRoot = path.resolve(import.meta.dirname, "../../../..");

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof MatrixError) return error.code;
    throw error;
  }
  return undefined;
}

describe("runs are functions of cell and seed", () => {
  it("the same cell and seed give the same result, trace hash included; another seed, another trace", () => {
    const cell = parseCellId("lww-wall/100ms/blind/pause");
    const first = runCellSeed(cell, 5);
    expect(runCellSeed(cell, 5)).toEqual(first);
    expect(runCellSeed(cell, 6).traceHash).not.toBe(first.traceHash);
    expect(first.faults.length).toBeGreaterThan(0);
  });

  it("a cell's numbers do not depend on the other cells run beside it", () => {
    const alone = runMatrix({ cells: ["causal/10ms/counter/clock-step"], seeds: [2, 3] });
    const together = runMatrix({
      cells: ["lww-hlc/0ms/set/partition", "causal/10ms/counter/clock-step"],
      seeds: [2, 3],
    });
    expect(together.cells[1]).toEqual(alone.cells[0]);
  });

  it("results are plain JSON: they survive a round trip unchanged", () => {
    const results = runMatrix({ cells: ["lww-truetime/1ms/sequential/partition", "causal/0ms/set/none"], seeds: 2 });
    expect(JSON.parse(JSON.stringify(results))).toEqual(results);
    const [truetime, causal] = results.cells;
    expect(truetime?.runs.every((run) => run.commitWait !== null)).toBe(true);
    expect(causal?.runs.every((run) => run.commitWait === null && run.wrongOrder === null)).toBe(true);
    expect(results.options).toMatchObject({ runMs: 1_000, maxOffsetMs: 500, seeds: [1, 2] });
  });

  it("each run's replay command, run from the repository root, prints the same result", () => {
    const cell = parseCellId("lww-wall/10ms/sequential/clock-step");
    const result = runCellSeed(cell, 4, { runMs: 400 });
    expect(result.replay).toContain(`--cell ${cellId(cell)} --seed 4 --run-ms 400`);
    const [command, ...args] = result.replay.split(" ") as [string, ...string[]];
    const printed = execFileSync(command === "node" ? process.execPath : command, args, {
      cwd: repositoryRoot,
      encoding: "utf8",
    });
    expect(JSON.parse(printed)).toEqual(result);
  });

  it("reports progress after every run, in order", () => {
    const seen: MatrixProgress[] = [];
    runMatrix({
      cells: ["lww-lamport/0ms/blind/none", "causal/0ms/blind/none"],
      seeds: 2,
      runMs: 300,
      onProgress: (p) => seen.push(p),
    });
    expect(seen.map((p) => `${p.done}/${p.total} ${p.cell} ${p.seed}`)).toEqual([
      "1/4 lww-lamport/0ms/blind/none 1",
      "2/4 lww-lamport/0ms/blind/none 2",
      "3/4 causal/0ms/blind/none 1",
      "4/4 causal/0ms/blind/none 2",
    ]);
  });
});

describe("cells", () => {
  it("the full matrix is 5 modes x 6 skews x 4 workloads x 4 faults, and ids round-trip", () => {
    const cells = cellsOf();
    expect(cells).toHaveLength(480);
    expect(new Set(cells.map(cellId)).size).toBe(480);
    for (const cell of cells) expect(parseCellId(cellId(cell))).toEqual(cell);
    expect(cells.map(cellId)).toContain("lww-truetime/200ppm/counter/clock-step");
  });

  it("the quick preset covers every mode and workload, with and without skew and faults", () => {
    const ids = quickPreset.cells.map(cellId);
    expect(ids).toHaveLength(80);
    for (const id of ["lww-wall/0ms/set/none", "causal/100ms/blind/partition", "lww-truetime/100ms/sequential/none"]) {
      expect(ids).toContain(id);
    }
    expect(quickPreset.seeds).toBeGreaterThan(1);
  });

  it("bad input is a MatrixError with a code", () => {
    expect(codeOf(() => parseCellId("lww-wall/100ms/sequential"))).toBe("MATRIX_CELL_UNKNOWN");
    expect(codeOf(() => parseCellId("lww-sundial/100ms/sequential/none"))).toBe("MATRIX_CELL_UNKNOWN");
    expect(codeOf(() => parseCellId("lww-wall/fast/sequential/none"))).toBe("MATRIX_CELL_UNKNOWN");
    expect(codeOf(() => parseCellId("lww-wall/99999ms/sequential/none"))).toBe("MATRIX_CELL_UNKNOWN");
    expect(codeOf(() => runMatrix({ cells: ["causal/0ms/set/meteor"], seeds: 1 }))).toBe("MATRIX_CELL_UNKNOWN");
    expect(codeOf(() => runMatrix({ cells: ["causal/0ms/set/none"], seeds: 0 }))).toBe("MATRIX_SEED_INVALID");
    expect(codeOf(() => runMatrix({ cells: ["causal/0ms/set/none"], seeds: [1.5] }))).toBe("MATRIX_SEED_INVALID");
    expect(codeOf(() => runMatrix({ cells: ["causal/0ms/set/none"], seeds: [1, 1] }))).toBe("MATRIX_SEED_INVALID");
    expect(codeOf(() => runCellSeed(parseCellId("causal/0ms/set/none"), 2 ** 40))).toBe("MATRIX_SEED_INVALID");
    expect(codeOf(() => runMatrix({ cells: [], seeds: 1 }))).toBe("MATRIX_OPTION_INVALID");
    expect(codeOf(() => runMatrix({ cells: ["causal/0ms/set/none"], seeds: 1, runMs: 0 }))).toBe(
      "MATRIX_OPTION_INVALID",
    );
    expect(
      codeOf(() => runMatrix({ cells: ["causal/0ms/set/none"], seeds: 1, trueTime: { source: "gps", errorMs: -1 } })),
    ).toBe("MATRIX_OPTION_INVALID");
    const message = (() => {
      try {
        parseCellId("causal/0ms/sets/none");
      } catch (error) {
        return (error as Error).message;
      }
      return "";
    })();
    expect(message).toContain("unknown workload sets");
    expect(message).toContain("set, sequential, counter, blind");
  });

  it("says what a bad option or cell was, even a value whose conversion to text throws", () => {
    const cell = parseCellId("causal/0ms/set/none");
    const gps = { source: "gps", errorMs: 5 } as const;
    for (const bad of [{ toString: 0 }, Object.create(null), Symbol()] as never[]) {
      const refusals: [() => unknown, RegExp][] = [
        [() => resolveCellRunOptions({ runMs: bad }), /^runMs must be in .*, got an? \w+$/],
        [() => resolveCellRunOptions({ maxOffsetMs: bad }), /^maxOffsetMs must be in .*, got an? \w+$/],
        [() => resolveCellRunOptions({ trueTime: { ...gps, errorMs: bad } }), /^trueTime.errorMs .*, got an? \w+$/],
        [() => resolveCellRunOptions({ trueTime: { ...gps, source: bad } }), /^trueTime.source .*, got an? \w+$/],
        [() => runCellSeed(cell, bad), /^a seed must be a 32-bit integer, got an? \w+$/],
        [() => checkCell({ ...cell, mode: bad }), /: unknown mode an? \w+$/],
        [() => checkCell({ ...cell, workload: bad }), /: unknown workload an? \w+$/],
        [() => checkCell({ ...cell, skew: { kind: "offset", ms: bad } }), /: skew must be in \[0, \d+\] ms$/],
        [() => checkCell({ ...cell, skew: { kind: "drift", ppm: bad } }), /: drift must be in \[0, \d+\] ppm$/],
      ];
      for (const [refused, message] of refusals) {
        expect(refused).toThrow(MatrixError);
        expect(refused).toThrow(message);
      }
    }
    // A cell holding a bigint or a cycle has no JSON: the message still names what was wrong.
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => checkCell({ ...cell, mode: 10n as never })).toThrow(/^cell an object: unknown mode 10n$/);
    expect(() => checkCell({ ...cell, mode: cyclic as never })).toThrow(/^cell an object: unknown mode an object$/);
  });
});

describe("the table and the published figures", () => {
  it("one row per cell with its numbers, and Jepsen's Riak figures with their source", () => {
    const results = runMatrix({
      cells: ["lww-wall/100ms/sequential/none", "causal/0ms/set/partition"],
      seeds: 2,
      runMs: 500,
    });
    const table = formatMatrix(results);
    const rows = table.split("\n").filter((line) => line.startsWith("lww-wall ") || line.startsWith("causal "));
    expect(rows).toHaveLength(2);
    const [wall] = results.cells;
    const lost = wall?.summary.lost;
    expect(rows[0]).toContain("100 ms");
    expect(rows[0]).toContain(`${lost?.mean.toFixed(1)} ± ${lost?.ci95HalfWidth?.toFixed(1)}`);
    expect(table).toContain('Kyle Kingsbury, "Jepsen: Riak", aphyr.com, 2013');
    expect(table).toContain("71.7%");
    expect(table).toContain("91.4%");
    expect(referenceFigures.map((figure) => figure.lostPercent)).toEqual([71.7, 91.4, 0]);
    expect(jepsenRiakSource.url).toMatch(/^https:\/\/aphyr\.com\//);
    expect(results.reference.figures).toEqual(referenceFigures);
  });
});
