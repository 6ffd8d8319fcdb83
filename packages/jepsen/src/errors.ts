/**
 * @skew/jepsen's documented runtime errors (each listed in the README). A
 * checker handed a history that breaks Jepsen's rules, or a driver whose
 * final read never succeeds, cannot judge anything: it throws a
 * `JepsenError` with a code rather than report a verdict on bad evidence.
 * Programming mistakes (a negative think time, an unknown client id) are
 * plain `TypeError`/`RangeError`.
 */
import { SkewError } from "@skew/env";

export const jepsenErrorCodes = Object.freeze({
  /** A completion without an invoke, two invokes from one process, or an operation value of the wrong shape. */
  HISTORY_MALFORMED: "the history breaks Jepsen's rules or the workload's format",
  /** A value read is not of the workload's format (a set that is not a JSON array of integers, say). */
  VALUE_MALFORMED: "a value read is not of the workload's format",
  /** The final read failed more often than the driver allows (a cluster that never healed). */
  FINAL_READ_FAILED: "the final read did not succeed",
});

export type JepsenErrorCode = keyof typeof jepsenErrorCodes;

export class JepsenError extends SkewError<JepsenErrorCode> {
  override name = "JepsenError";
}
