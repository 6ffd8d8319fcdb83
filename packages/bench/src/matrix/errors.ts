/**
 * The lost-update matrix's documented runtime errors (each listed in the
 * README): what a user asked for wrongly (a cell that does not exist, a
 * seed that is not one, a run length of zero) is a `MatrixError` with a
 * code and a message that says what would have been right.
 */
import { SkewError } from "@skew/env";

export const matrixErrorCodes = Object.freeze({
  /** A cell id that does not parse, or names an unknown mode, skew, workload or fault; the message lists the valid ones. */
  MATRIX_CELL_UNKNOWN: "no cell has that id",
  /** A seed that is not a 32-bit integer, or a seed count that is not a positive integer. */
  MATRIX_SEED_INVALID: "the seed is not a 32-bit integer",
  /** An option out of range (run length, TrueTime bound, max offset, an empty cell list). */
  MATRIX_OPTION_INVALID: "an option is out of range",
});

export type MatrixErrorCode = keyof typeof matrixErrorCodes;

export class MatrixError extends SkewError<MatrixErrorCode> {
  override name = "MatrixError";
}
