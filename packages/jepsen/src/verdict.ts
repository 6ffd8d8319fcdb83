/**
 * One verdict per run, the same for every workload and every driver: what
 * the lost-update comparison reports (issue 7), computed by the checkers
 * from the history and the final read alone.
 *
 * - acknowledged writes lost: the set's and the register's checkers' `lost`;
 *   for the counter, the final read's shortfall below the acknowledged
 *   increments (a lower bound: checkers/counter.ts);
 * - writes in the wrong real-time order: the register checker's; the set and
 *   the counter have no order to keep (`null`);
 * - siblings surfaced to clients: reads (and read halves) that returned
 *   more than one value;
 * - unacknowledged writes that appeared: writes that failed definitely and
 *   still showed up (for the counter, the final read's excess over every
 *   increment that may have happened);
 * - write latency: invoke to `ok` of each acknowledged write, in ms of the
 *   driver's clock; a read-modify-write's includes its read, as its client
 *   waits for both.
 */
import { checkCounter } from "./checkers/counter.js";
import { checkRegister } from "./checkers/register.js";
import { checkSet } from "./checkers/set.js";
import { checkSiblings } from "./checkers/siblings.js";
import { type Op, operations } from "./history.js";
import { counterCodec } from "./workloads/counter.js";
import { registerCodec } from "./workloads/register.js";
import { setCodec } from "./workloads/set.js";
import type { WorkloadKind } from "./workloads/suite.js";

export interface Verdict {
  readonly kind: WorkloadKind;
  /** Writes (adds, increments) invoked, and acknowledged. */
  readonly attempted: number;
  readonly acknowledged: number;
  readonly lost: number;
  /** 100 x lost / acknowledged (0 when nothing was acknowledged). */
  readonly lostPercent: number;
  readonly wrongOrder: number | null;
  readonly siblingsSurfaced: number;
  readonly siblingsMax: number;
  readonly unacknowledgedAppeared: number;
  /** Ids or elements nobody wrote that showed up: a corruption, in any mode. */
  readonly unexpected: number;
  /** Each acknowledged write's latency, in ms, in invocation order. */
  readonly writeLatenciesMs: readonly number[];
  /** False when there was no final read to judge (the driver could not read after the run). */
  readonly finalRead: boolean;
}

const writeFunctions: Readonly<Record<WorkloadKind, string>> = {
  set: "add",
  counter: "incr",
  sequential: "write",
  blind: "write",
};

/** Judges a run of workload `kind`: its history and the values of the final read (undefined: none). */
export function judge(kind: WorkloadKind, ops: readonly Op[], finalValues: readonly Uint8Array[] | undefined): Verdict {
  const writes = operations(ops).filter((op) => op.f === writeFunctions[kind]);
  const acknowledged = writes.filter((op) => op.type === "ok");
  const siblings = checkSiblings(ops);
  const base = {
    kind,
    attempted: writes.length,
    acknowledged: acknowledged.length,
    siblingsSurfaced: siblings.surfaced,
    siblingsMax: siblings.max,
    writeLatenciesMs: acknowledged.map((op) => (op.completeUs - op.invokeUs) / 1_000),
    finalRead: finalValues !== undefined,
  };
  const percent = (lost: number) => (acknowledged.length === 0 ? 0 : (100 * lost) / acknowledged.length);
  switch (kind) {
    case "set": {
      const report = checkSet(ops, finalValues === undefined ? new Set() : setCodec.union(finalValues));
      // Without a final read there is nothing to find the adds in: no verdict on loss.
      const lost = finalValues === undefined ? 0 : report.lost.length;
      return {
        ...base,
        lost,
        lostPercent: percent(lost),
        wrongOrder: null,
        unacknowledgedAppeared: report.definiteAppeared.length,
        unexpected: report.unexpected.length,
      };
    }
    case "counter": {
      const report = checkCounter(ops, finalValues === undefined ? undefined : counterCodec.count(finalValues));
      return {
        ...base,
        lost: report.lost,
        lostPercent: percent(report.lost),
        wrongOrder: null,
        unacknowledgedAppeared: report.excess,
        unexpected: 0,
      };
    }
    case "sequential":
    case "blind": {
      const report = checkRegister(ops, finalValues === undefined ? undefined : registerCodec.ids(finalValues));
      return {
        ...base,
        lost: report.lost.length,
        lostPercent: percent(report.lost.length),
        wrongOrder: report.wrongOrder.length,
        unacknowledgedAppeared: report.definiteAppeared.length,
        unexpected: report.unexpected.length,
      };
    }
  }
}
