/**
 * The lost-update matrix's axes (issue 7): conflict mode x clock skew
 * between nodes x workload x faults. A cell is one combination; its id,
 * `mode/skew/workload/fault` (e.g. `lww-wall/100ms/sequential/none`), names
 * it in results, tables and replay commands.
 *
 * Skew is applied to a 3-node cluster symmetrically: n1 runs half the skew
 * ahead of true time, n3 half behind, n2 on time, so "100 ms" is the
 * distance between the fastest and the slowest clock. Drift instead starts
 * every clock on time and runs n1's oscillator fast and n3's slow by that
 * many ppm.
 */

import { describeValue } from "@skew/env";
import { type FaultKind, faultKinds, type WorkloadKind, workloadKinds } from "@skew/jepsen";
import { type ConflictMode, conflictModes } from "@skew/kv";
import { MatrixError } from "./errors.js";

export type Skew = { readonly kind: "offset"; readonly ms: number } | { readonly kind: "drift"; readonly ppm: number };

export interface Cell {
  readonly mode: ConflictMode;
  readonly skew: Skew;
  readonly workload: WorkloadKind;
  readonly fault: FaultKind;
}

/**
 * The skews of the issue: none, 1 ms (good NTP on a LAN), 10 ms (NTP across the internet), 100 ms (a VM or
 * a bad NTP server), 1 s (no NTP at all); and a drift of 200 ppm, the oscillator error Google assumes of its
 * servers (the chapter: 17 s a day), which over a run of a second adds up to a fraction of a millisecond.
 */
export const skewsDefault: readonly Skew[] = [
  { kind: "offset", ms: 0 },
  { kind: "offset", ms: 1 },
  { kind: "offset", ms: 10 },
  { kind: "offset", ms: 100 },
  { kind: "offset", ms: 1_000 },
  { kind: "drift", ppm: 200 },
];

/** The largest skew a cell may ask for: the simulator's clock offset limit is far beyond, 10 s is plenty. */
export const skewMsMax = 10_000;
/** The largest drift: 10% of a clock's rate. */
export const driftPpmMax = 100_000;

export const nodes = ["n1", "n2", "n3"] as const;

export function skewId(skew: Skew): string {
  return skew.kind === "offset" ? `${skew.ms}ms` : `${skew.ppm}ppm`;
}

/** "100 ms", "±200 ppm": for tables. */
export function skewLabel(skew: Skew): string {
  if (skew.kind === "drift") return `±${skew.ppm} ppm`;
  return skew.ms >= 1_000 && skew.ms % 1_000 === 0 ? `${skew.ms / 1_000} s` : `${skew.ms} ms`;
}

/** Each node's wall-clock offset (ms) and drift (ppm) for `skew`. */
export function clocksOf(skew: Skew): {
  readonly clockOffsetsMs: Record<string, number>;
  readonly clockDriftPpm: Record<string, number>;
} {
  if (skew.kind === "drift") return { clockOffsetsMs: {}, clockDriftPpm: { n1: skew.ppm, n3: -skew.ppm } };
  return { clockOffsetsMs: { n1: skew.ms / 2, n3: -skew.ms / 2 }, clockDriftPpm: {} };
}

export function cellId(cell: Cell): string {
  return `${cell.mode}/${skewId(cell.skew)}/${cell.workload}/${cell.fault}`;
}

/** The cell an id names; `MATRIX_CELL_UNKNOWN` with the valid values when it names none. */
export function parseCellId(id: string): Cell {
  const parts = typeof id === "string" ? id.split("/") : [];
  const [mode, skew, workload, fault] = parts;
  const fail = (why: string): never => {
    throw new MatrixError(
      "MATRIX_CELL_UNKNOWN",
      `cell ${JSON.stringify(id)}: ${why}; a cell is mode/skew/workload/fault, e.g. lww-wall/100ms/sequential/none ` +
        `(modes ${conflictModes.join(", ")}; skews like 0ms, 100ms or 200ppm; workloads ${workloadKinds.join(", ")}; ` +
        `faults ${faultKinds.join(", ")})`,
    );
  };
  if (parts.length !== 4) return fail("not four parts");
  if (!(conflictModes as readonly string[]).includes(mode as string)) return fail(`unknown mode ${mode}`);
  if (!(workloadKinds as readonly string[]).includes(workload as string)) return fail(`unknown workload ${workload}`);
  if (!(faultKinds as readonly string[]).includes(fault as string)) return fail(`unknown fault ${fault}`);
  const parsed = /^(\d+(?:\.\d+)?)(ms|ppm)$/.exec(skew as string);
  if (parsed === null) return fail(`unknown skew ${skew}`);
  const value = Number(parsed[1]);
  const cell: Cell = {
    mode: mode as ConflictMode,
    skew: parsed[2] === "ms" ? { kind: "offset", ms: value } : { kind: "drift", ppm: value },
    workload: workload as WorkloadKind,
    fault: fault as FaultKind,
  };
  checkCell(cell);
  return cell;
}

/** The cell as JSON for a message, or in words when it has no JSON (a bigint inside, a cycle, a `toJSON` that throws). */
function cellText(cell: unknown): string {
  try {
    const text: unknown = JSON.stringify(cell);
    return typeof text === "string" ? text : describeValue(cell);
  } catch {
    return describeValue(cell);
  }
}

/** Throws `MATRIX_CELL_UNKNOWN` for a cell outside the axes (a mode that is not one, a skew out of range). */
export function checkCell(cell: Cell): void {
  const bad = (why: string): never => {
    throw new MatrixError("MATRIX_CELL_UNKNOWN", `cell ${cellText(cell)}: ${why}`);
  };
  if (typeof cell !== "object" || cell === null) bad("not a cell");
  if (!(conflictModes as readonly string[]).includes(cell.mode)) bad(`unknown mode ${describeValue(cell.mode)}`);
  if (!(workloadKinds as readonly string[]).includes(cell.workload))
    bad(`unknown workload ${describeValue(cell.workload)}`);
  if (!(faultKinds as readonly string[]).includes(cell.fault)) bad(`unknown fault ${describeValue(cell.fault)}`);
  const { skew } = cell;
  if (skew?.kind === "offset") {
    if (typeof skew.ms !== "number" || !(skew.ms >= 0 && skew.ms <= skewMsMax))
      bad(`skew must be in [0, ${skewMsMax}] ms`);
  } else if (skew?.kind === "drift") {
    if (typeof skew.ppm !== "number" || !(skew.ppm >= 0 && skew.ppm <= driftPpmMax))
      bad(`drift must be in [0, ${driftPpmMax}] ppm`);
  } else {
    bad("skew must be { kind: 'offset', ms } or { kind: 'drift', ppm }");
  }
}

/** Every combination of the given axes (default: all of them, 5 x 6 x 4 x 4 = 480 cells), mode-major. */
export function cellsOf(
  axes: {
    readonly modes?: readonly ConflictMode[];
    readonly skews?: readonly Skew[];
    readonly workloads?: readonly WorkloadKind[];
    readonly faults?: readonly FaultKind[];
  } = {},
): Cell[] {
  const cells: Cell[] = [];
  for (const mode of axes.modes ?? conflictModes) {
    for (const skew of axes.skews ?? skewsDefault) {
      for (const workload of axes.workloads ?? workloadKinds) {
        for (const fault of axes.faults ?? faultKinds) cells.push({ mode, skew, workload, fault });
      }
    }
  }
  for (const cell of cells) checkCell(cell);
  return cells;
}
