/**
 * The live driver's documented runtime errors (each listed in the README).
 * What a live run meets that it cannot judge through (an admin endpoint
 * that refuses a clock change, a node that answers with a failure the store
 * does not have, a cluster that never becomes healthy) is a `LiveError`
 * with a code; a workload's own failures are outcomes in the history, never
 * errors. Programming mistakes (an unknown node id, a negative timeout) are
 * `TypeError` / `RangeError`.
 */
import { SkewError } from "@skew/env";

export const liveErrorCodes = Object.freeze({
  /** `POST /admin/clock` did not answer 200: no admin token configured, a wrong one, or the node unreachable. */
  LIVE_ADMIN_FAILED: "the node's admin endpoint did not take the clock change",
  /**
   * A node answered with something the store never says (`INTERNAL`, `BUCKET_NOT_FOUND`,
   * `MALFORMED_REQUEST`, an unreadable body): a bug in the node or the driver, or a cluster
   * configured without the bucket. The run's verdict would rest on it, so the run is refused.
   */
  LIVE_NODE_ANOMALY: "a node answered outside the store's vocabulary",
  /** A node did not answer `/health`, or still suspected a peer, when the deadline passed. */
  LIVE_NOT_HEALTHY: "the cluster did not become healthy in time",
});

export type LiveErrorCode = keyof typeof liveErrorCodes;

export class LiveError extends SkewError<LiveErrorCode> {
  override name = "LiveError";
}
