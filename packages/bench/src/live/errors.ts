/**
 * The live matrix's own documented runtime errors (listed in the README);
 * bad cells, seeds and options are the matrix's (`MatrixError`), and what
 * the live driver meets is @skew/jepsen's (`LiveError`).
 */
import { SkewError } from "@skew/env";

export const liveMatrixErrorCodes = Object.freeze({
  /** A cell whose fault cannot be played on real processes on one machine (a partition); the message says why. */
  LIVE_FAULT_UNAVAILABLE: "this fault cannot be played on a live cluster here",
  /**
   * A run failed twice (once on a fresh cluster when the first failure was the cluster's health), or once
   * for any other reason (a node's anomaly, a workload bug): the message names the cell and the seed, the
   * cause is the run's own error.
   */
  LIVE_RUN_FAILED: "a run of the live matrix failed",
});

export type LiveMatrixErrorCode = keyof typeof liveMatrixErrorCodes;

export class LiveMatrixError extends SkewError<LiveMatrixErrorCode> {
  override name = "LiveMatrixError";
}
