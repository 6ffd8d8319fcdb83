/**
 * Jepsen's counter checker: a counter's reads must lie within bounds that
 * the history alone fixes. At a read, the lower bound is the sum of the
 * increments acknowledged before the read began (they happened); the upper
 * bound is the sum of every increment invoked before the read ended that
 * did not fail definitely (they may have happened). A read below its lower
 * bound lost acknowledged increments; one above its upper bound counted an
 * increment that failed definitely, or one nobody made.
 *
 * With increments of one, the shortfall of the final read is a lower bound
 * on the acknowledged increments lost: an increment of unknown outcome that
 * landed can hide one that was lost, and the checker never guesses.
 */
import { malformed, type Op, type Operation, operations } from "../history.js";

export interface CounterReport {
  /** Sums of the deltas: invoked, acknowledged, failed definitely, of unknown outcome. */
  readonly attempted: number;
  readonly acknowledged: number;
  readonly definite: number;
  readonly indefinite: number;
  /** The final read, and its bounds. */
  readonly final: number | undefined;
  readonly lowerBound: number;
  readonly upperBound: number;
  /** How far the final read fell below its lower bound (0 when it did not): at least this many acknowledged were lost. */
  readonly lost: number;
  /** How far it rose above its upper bound: increments that failed definitely, or nobody made, counted. */
  readonly excess: number;
  /** Reads in the history (f `read`) outside their bounds, as "read 3 at 1200us, bounds [4, 6]". */
  readonly readViolations: readonly string[];
}

/** Judges the `incr` operations (invoke value: a positive delta) and `read`s (ok value: a number) of `ops`. */
export function checkCounter(ops: readonly Op[], finalRead?: number): CounterReport {
  const all = operations(ops);
  const increments = all.filter((op) => op.f === "incr");
  for (const op of increments) {
    if (!(typeof op.value === "number" && Number.isSafeInteger(op.value) && op.value > 0)) {
      malformed(`an increment's value must be a positive integer, got ${JSON.stringify(op.value)}`);
    }
  }
  const sum = (ops: readonly Operation[]) => ops.reduce((total, op) => total + (op.value as number), 0);
  const bounds = (invokeUs: number, completeUs: number) => ({
    lower: sum(increments.filter((op) => op.type === "ok" && op.completeUs < invokeUs)),
    upper: sum(increments.filter((op) => op.type !== "fail" && op.invokeUs < completeUs)),
  });
  const readViolations: string[] = [];
  for (const read of all) {
    if (read.f !== "read" || read.type !== "ok") continue;
    if (typeof read.result !== "number")
      malformed(`a counter read's ok value must be a number, got ${JSON.stringify(read.result)}`);
    const { lower, upper } = bounds(read.invokeUs, read.completeUs);
    if (read.result < lower || read.result > upper) {
      readViolations.push(`read ${read.result} at ${read.invokeUs}us, bounds [${lower}, ${upper}]`);
    }
  }
  const { lower, upper } = bounds(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY);
  return {
    attempted: sum(increments),
    acknowledged: sum(increments.filter((op) => op.type === "ok")),
    definite: sum(increments.filter((op) => op.type === "fail")),
    indefinite: sum(increments.filter((op) => op.type === "info")),
    final: finalRead,
    lowerBound: lower,
    upperBound: upper,
    lost: finalRead === undefined ? 0 : Math.max(0, lower - finalRead),
    excess: finalRead === undefined ? 0 : Math.max(0, finalRead - upper),
    readViolations,
  };
}
