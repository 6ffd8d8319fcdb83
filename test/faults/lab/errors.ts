/**
 * The lab's failures, each with a code, so the nemesis runner can tell a
 * machine that cannot host a lab (not root, no free subnet) from a mistake
 * in a schedule (an unknown node, a probability of 2) and from a command
 * that failed (its stderr in the message).
 */
import { SkewError } from "@skew/env";

export const labErrorCodes = [
  /** Namespaces and iptables need root (CAP_NET_ADMIN). */
  "LAB_NOT_ROOT",
  /** A command (`ip`, `iptables-restore`, or one run in a namespace) exited non-zero; its stderr is in the message. */
  "LAB_COMMAND_FAILED",
  /** A node id that is not one of the lab's. */
  "LAB_UNKNOWN_NODE",
  /** Options or a network state that cannot be applied (bad probability, negative delay, a link from a node to itself). */
  "LAB_INVALID",
  /** Every subnet of the lab range is taken by a live lab. */
  "LAB_NO_SUBNET",
  /** A relay did not start, or did not acknowledge its delay table, or died. */
  "LAB_RELAY_FAILED",
  /** The lab was destroyed; it can do nothing more. */
  "LAB_DESTROYED",
  /** A node process is not running (kill, pause or resume of a stopped node). */
  "LAB_NODE_NOT_RUNNING",
  /** A node process is still running (restart of a live node). */
  "LAB_NODE_RUNNING",
  /** The nodes did not all hear from each other in time. */
  "LAB_TIMEOUT",
] as const;

export type LabErrorCode = (typeof labErrorCodes)[number];

export class LabError extends SkewError<LabErrorCode> {
  override name = "LabError";
}
