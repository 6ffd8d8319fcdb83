/**
 * The history format every workload writes and every checker reads:
 * Jepsen's (`invoke`, then `ok` / `fail` / `info` from the same process),
 * kept by @skew/sim's `History` and re-exported here, so that the simulator
 * and a live driver record the same thing. Times are the driver's: true
 * simulation time, or the test runner's monotonic clock; no node's clock.
 *
 * What each workload puts in an operation (checkers identify a write by its
 * invoke value, never by its completion):
 *
 * | workload            | f       | invoke value         | ok value                         |
 * | ------------------- | ------- | -------------------- | -------------------------------- |
 * | set                 | `add`   | the element          | `{ element, siblings }`          |
 * | counter             | `incr`  | the delta            | `{ delta, siblings }`            |
 * | register (writes)   | `write` | the write's id       | the id                           |
 * | fenced register     | `write` | `{ id, fence }`      | the same                         |
 * | register (reads)    | `read`  | `null`               | the ids read, one per sibling    |
 *
 * `siblings` is how many values the read half of a read-modify-write
 * returned. `fail` and `info` carry `{ code }` (and `siblings` when the read
 * half had succeeded). A value of a register is the text of its write's id.
 */
import { describeValue } from "@skew/env";
import type { Op } from "@skew/sim";
import { JepsenError } from "./errors.js";

export { History, type Op, type OpType } from "@skew/sim";

/** An invoke and its completion, as one record. */
export interface Operation {
  readonly process: string | number;
  readonly f: string;
  /** What was asked: the element, the delta, the write. */
  readonly value: unknown;
  /** How it ended; still pending when the history was taken counts as `info` (Jepsen closes a test that way). */
  readonly type: "ok" | "fail" | "info";
  /** The completion's value (a read's result); undefined while pending. */
  readonly result: unknown;
  readonly invokeUs: number;
  /**
   * When it completed. `Infinity` for `info`: an operation whose outcome is
   * unknown may take effect at any time after its invocation, so it is
   * concurrent with everything that follows it.
   */
  readonly completeUs: number;
}

/** Pairs each invoke with its completion, in invocation order; throws `HISTORY_MALFORMED` on a broken history. */
export function operations(ops: readonly Op[]): Operation[] {
  const pending = new Map<string | number, { readonly op: Op; readonly slot: number }>();
  const paired: (Operation | undefined)[] = [];
  for (const op of ops) {
    if (op.type === "invoke") {
      if (pending.has(op.process)) malformed(`process ${describeValue(op.process)} invoked twice (index ${op.index})`);
      pending.set(op.process, { op, slot: paired.length });
      paired.push(undefined);
      continue;
    }
    const invoked = pending.get(op.process);
    if (invoked === undefined)
      malformed(`${op.type} without invoke for ${describeValue(op.process)} (index ${op.index})`);
    pending.delete(op.process);
    const { op: invoke, slot } = invoked;
    if (invoke.f !== op.f) malformed(`process ${describeValue(op.process)} invoked ${invoke.f} and completed ${op.f}`);
    paired[slot] = {
      process: op.process,
      f: op.f,
      value: invoke.value,
      type: op.type,
      result: op.value,
      invokeUs: invoke.timeUs,
      completeUs: op.type === "info" ? Number.POSITIVE_INFINITY : op.timeUs,
    };
  }
  for (const { op, slot } of pending.values()) {
    paired[slot] = {
      process: op.process,
      f: op.f,
      value: op.value,
      type: "info",
      result: undefined,
      invokeUs: op.timeUs,
      completeUs: Number.POSITIVE_INFINITY,
    };
  }
  return paired as Operation[];
}

/** How many values the read behind a completion returned: a `read`'s ids, or a read-modify-write's `siblings`. */
export function siblingsRead(operation: Operation): number | undefined {
  const { result } = operation;
  if (operation.f === "read") return operation.type === "ok" && Array.isArray(result) ? result.length : undefined;
  if (typeof result === "object" && result !== null && "siblings" in result) {
    const { siblings } = result as { readonly siblings: unknown };
    return typeof siblings === "number" ? siblings : undefined;
  }
  return undefined;
}

/** The id of a register write: its invoke value, or the `id` of a fenced write's. */
export function writeIdOf(operation: Operation): number {
  const { value } = operation;
  if (Number.isSafeInteger(value)) return value as number;
  if (typeof value === "object" && value !== null && Number.isSafeInteger((value as { id?: unknown }).id)) {
    return (value as { readonly id: number }).id;
  }
  return malformed(`a write's value must be an integer id or { id, fence }, got ${JSON.stringify(value)}`);
}

/** The ids a register read returned (its ok value). */
export function idsRead(operation: Operation): readonly number[] {
  const { result } = operation;
  if (!Array.isArray(result) || !result.every((id) => Number.isSafeInteger(id))) {
    return malformed(`a read's ok value must be an array of integer ids, got ${JSON.stringify(result)}`);
  }
  return result as number[];
}

export function malformed(message: string): never {
  throw new JepsenError("HISTORY_MALFORMED", `history: ${message}`);
}
