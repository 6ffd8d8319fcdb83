/**
 * The matrix's faults on real processes on one machine, each the live twin
 * of the simulator's (jepsen's sim/faults.ts):
 *
 * - `pause`: SIGSTOP to the node's process, SIGCONT when it heals. Nothing
 *   runs in it meanwhile, its sockets queue, its clock keeps running: a
 *   stop-the-world GC pause, as the simulator's `pause`.
 * - `clock-step`: the node's wall clock stepped by `deltaMs` through the
 *   admin endpoint, and stepped back when it heals (NTP correcting it), as
 *   the simulator's `step`.
 * - `partition`: not available. Cutting links between processes that share
 *   one loopback interface needs network namespaces (`ip netns`, as root:
 *   issue 8's suite); refusing connections in the node would be a mock of a
 *   partition, not one. The matrix reports such cells as skipped
 *   (`liveSkipReason`) and never runs them.
 */
import type { Fault, FaultKind } from "@skew/jepsen";
import { adjustClock, type LiveNemesis } from "@skew/jepsen/live";
import type { LiveCluster } from "./cluster.js";
import { LiveMatrixError } from "./errors.js";

export const partitionUnavailable =
  "partitions need network namespaces (ip netns, as root) to cut links between processes on one machine; " +
  "this benchmark does not fake them (issue 8's fault suite runs them)";

/** Why a live run cannot play faults of `kind` here, or undefined when it can. */
export function faultUnavailable(kind: FaultKind): string | undefined {
  return kind === "partition" ? partitionUnavailable : undefined;
}

export function processNemesis(cluster: LiveCluster): LiveNemesis {
  const url = (node: string): string => {
    const found = cluster.urls[node];
    if (found === undefined) throw new TypeError(`processNemesis: no node ${node}`);
    return found;
  };
  return {
    async begin(fault: Fault): Promise<void> {
      switch (fault.kind) {
        case "pause":
          cluster.processes.kill(fault.node, "SIGSTOP");
          return;
        case "clock-step":
          await adjustClock(url(fault.node), cluster.adminToken, { jumpMs: fault.deltaMs });
          return;
        case "partition":
          throw new LiveMatrixError("LIVE_FAULT_UNAVAILABLE", partitionUnavailable);
      }
    },
    async end(fault: Fault): Promise<void> {
      switch (fault.kind) {
        case "pause":
          cluster.processes.kill(fault.node, "SIGCONT");
          return;
        case "clock-step":
          await adjustClock(url(fault.node), cluster.adminToken, { jumpMs: -fault.deltaMs });
          return;
        case "partition":
          return;
      }
    },
  };
}
