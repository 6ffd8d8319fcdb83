/**
 * The one registry of @skew/failure-detector's runtime failures (fastify and
 * abstract-level keep one per package); each code is documented here and in
 * the README. Programming mistakes (a NaN time, a time earlier than the last
 * heartbeat, a negative pause) are plain `TypeError` / `RangeError`.
 *
 * A detector itself cannot fail at run time: every heartbeat and every
 * question has an answer. Only a registry can, when peers it has never heard
 * of keep arriving.
 */
import { SkewError } from "@skew/env";

export type FailureDetectorErrorCode =
  /**
   * A heartbeat came from a peer the registry does not know while it already
   * holds `peersMax` peers. The heartbeat is not recorded and no state
   * changes. Thrown by `FailureDetectorRegistry.heartbeat()`; remove departed
   * peers, or raise `peersMax` if the cluster really is that large.
   */
  "FAILURE_DETECTOR_PEERS_FULL";

const messages: Readonly<Record<FailureDetectorErrorCode, string>> = {
  FAILURE_DETECTOR_PEERS_FULL: "the registry holds peersMax peers and cannot watch another",
};

/** The message that goes with a code. */
export function messageOf(code: FailureDetectorErrorCode): string {
  return messages[code];
}

export class FailureDetectorError extends SkewError<FailureDetectorErrorCode> {
  override name = "FailureDetectorError";

  constructor(code: FailureDetectorErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(code, detail === undefined ? messageOf(code) : `${messageOf(code)}: ${detail}`, options);
  }
}
