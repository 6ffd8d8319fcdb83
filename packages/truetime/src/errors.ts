/**
 * The one registry of @skew/truetime's runtime failures (fastify and
 * abstract-level keep one per package). Each code is documented here and in
 * the README. A failure that callers branch on comes back as a value carrying
 * its code; one they cannot sensibly handle in line is thrown as a
 * `TrueTimeError`. Programming mistakes (a NaN timestamp, a sample from the
 * future) are plain `TypeError` / `RangeError`.
 */
import { SkewError } from "@skew/env";

export type TrueTimeErrorCode =
  /**
   * The clock has never been synchronized, so it has no bound on true time.
   * Thrown by `now()` and `commitWait()`; returned by `tryNow()`.
   */
  | "TRUETIME_UNSYNCHRONIZED"
  /**
   * A sync found no instant that a strict majority of the sources asked agree
   * on, so it could not tell the correct sources from the wrong ones. The clock
   * keeps its previous state. Returned by `sync()`.
   */
  | "TRUETIME_NO_MAJORITY";

const messages: Readonly<Record<TrueTimeErrorCode, string>> = {
  TRUETIME_UNSYNCHRONIZED: "the clock has never been synchronized, so it has no bound on true time",
  TRUETIME_NO_MAJORITY: "no instant is agreed on by a strict majority of the time sources asked",
};

/** The message that goes with a code, for values and exceptions alike. */
export function messageOf(code: TrueTimeErrorCode): string {
  return messages[code];
}

export class TrueTimeError extends SkewError<TrueTimeErrorCode> {
  override name = "TrueTimeError";

  constructor(code: TrueTimeErrorCode, options?: { cause?: unknown }) {
    super(code, messageOf(code), options);
  }
}
