/**
 * Hybrid logical clock timestamps as the nodes send them: one packed number
 * (@skew/hlc's `Timestamp`). The split is @skew/hlc's own `wallOf` and
 * `logicalOf`, a core with no I/O, so the browser runs the same code the
 * nodes do; this adds only the check that a number from the wire is one.
 */
import { isTimestamp, logicalOf, wallOf } from "@skew/hlc";

export interface HlcParts {
  /** The wall part `l`: ms since the Unix epoch, the latest wall time the clock had heard of. */
  readonly wallMs: number;
  /** The logical part `c`: which of the events sharing `wallMs` this is. */
  readonly logical: number;
}

/** The two parts of a packed timestamp; undefined for a number that is not one. */
export function decodeHlc(packed: number): HlcParts | undefined {
  if (!isTimestamp(packed)) return undefined;
  return { wallMs: wallOf(packed), logical: logicalOf(packed) };
}
