/**
 * The runtime failures of @skew/lamport: one registry, each code documented
 * in the README ("Error codes"). Programming mistakes (a node id with a space,
 * a negative counter, something that is not a stamp where a stamp belongs)
 * are plain `TypeError` or `RangeError` instead, as in abstract-level.
 */
import { SkewError } from "@skew/env";
import { counterMax, quotedCharsMax } from "./constants.js";

export const lamportErrorCodes = [
  /** A tick, send or receive would take the counter past `counterMax`. The clock is left unchanged. */
  "LAMPORT_COUNTER_OVERFLOW",
  /** A text is not the text form of a stamp (`LamportStamp.parse`). */
  "LAMPORT_MALFORMED",
] as const;

export type LamportErrorCode = (typeof lamportErrorCodes)[number];

export class LamportError extends SkewError<LamportErrorCode> {
  override name = "LamportError";
}

export function counterOverflow(operation: string, counter: number): LamportError {
  return new LamportError(
    "LAMPORT_COUNTER_OVERFLOW",
    `${operation}: the counter would pass counterMax (${counterMax}) from ${counter}; the clock is unchanged`,
  );
}

export function malformedStamp(text: string, reason: string): LamportError {
  const quoted =
    text.length > quotedCharsMax
      ? `${JSON.stringify(text.slice(0, quotedCharsMax))}... (${text.length} characters)`
      : JSON.stringify(text);
  return new LamportError("LAMPORT_MALFORMED", `LamportStamp.parse: ${reason}: ${quoted}`);
}
