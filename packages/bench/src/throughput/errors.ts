/**
 * The throughput comparison's documented runtime errors (each listed in the
 * README): a `ThroughputError` with a code and a message that says what
 * would have been right, or what failed and where its log is.
 */
import { SkewError } from "@skew/env";

export const throughputErrorCodes = Object.freeze({
  /** An option or command-line argument out of range or unknown; the message gives the valid ones. */
  THROUGHPUT_OPTION_INVALID: "an option is out of range or unknown",
  /** The Skew cluster did not start (a node exited or never answered /health); the message names its log. */
  THROUGHPUT_SKEW_START_FAILED: "the Skew cluster did not start",
  /** The etcd cluster did not start; the run goes on without etcd's rows and the results give this reason. */
  THROUGHPUT_ETCD_START_FAILED: "the etcd cluster did not start",
  /** The load generator's process failed; its standard error is in the message. */
  THROUGHPUT_LOAD_FAILED: "the load generator failed",
  /** The run was stopped (its AbortSignal fired, or Ctrl-C on the command line); every process was stopped. */
  THROUGHPUT_ABORTED: "the run was stopped",
});

export type ThroughputErrorCode = keyof typeof throughputErrorCodes;

export class ThroughputError extends SkewError<ThroughputErrorCode> {
  override name = "ThroughputError";
}
