/**
 * The one registry of @skew/vector's runtime failures (see the README's error
 * table). They come from data: bytes that are not a clock, a counter that
 * would pass 2^53, a limit from constants.ts. Programming mistakes (a node id
 * that is not a string, a negative counter handed to `VectorClock.from`) are
 * plain `TypeError`/`RangeError`, as in abstract-level.
 */
import { SkewError } from "@skew/env";

export const vectorErrorCodes = Object.freeze({
  /** Encoded bytes or text that are not a well-formed clock or set of this format. */
  VECTOR_MALFORMED: "the input is not a well-formed encoded clock or set",
  /** Encoded by a newer format version than this package reads. */
  VECTOR_VERSION_UNSUPPORTED: "the input was encoded with an unsupported format version",
  /** An increment past `counterMax` (2^53 - 1), or an encoded counter beyond it. */
  VECTOR_COUNTER_OVERFLOW: "a counter would exceed 2^53 - 1",
  /** More entries, siblings or bytes than constants.ts allows. */
  VECTOR_LIMIT_EXCEEDED: "a limit of @skew/vector would be exceeded",
} as const);

export type VectorErrorCode = keyof typeof vectorErrorCodes;

export class VectorError extends SkewError<VectorErrorCode> {
  override name = "VectorError";
}
