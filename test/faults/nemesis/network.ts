/**
 * What the network faults on at one moment add up to: the packets dropped,
 * lost and delayed on each directed link, as the lab applies them
 * (lab/netns.ts `applyNetwork`). Pure, so that combining nemeses (a bridge
 * while a link loses packets) is a union computed here and tested without
 * namespaces, and healing one fault is recomputing without it.
 */
import type { Link, NetworkState } from "../lab/netns.js";
import type { LiveFault } from "./schedule.js";

export { healthyNetwork, type NetworkState } from "../lab/netns.js";

/** True for the faults `networkOf` turns into rules. */
export function isNetworkFault(fault: LiveFault): boolean {
  return fault.kind.startsWith("partition-") || fault.kind === "loss" || fault.kind === "delay";
}

/**
 * The network state of the faults on. Drops are a union; on a link that two faults both touch, the larger
 * loss and the longer delay win (one loss and one delay nemesis run at a time, so this only merges a fault
 * with itself). Links come out sorted, so equal states compare equal.
 */
export function networkOf(faults: readonly LiveFault[], nodes: readonly string[]): NetworkState {
  const drops = new Map<string, Link>();
  const loss = new Map<string, Link & { probability: number }>();
  const delay = new Map<string, Link & { meanMs: number; jitterMs: number }>();
  const key = ({ from, to }: Link) => `${from}\u0000${to}`;
  const drop = (from: string, to: string) => {
    if (from !== to) drops.set(key({ from, to }), { from, to });
  };
  const cutBetween = (left: readonly string[], right: readonly string[]) => {
    for (const a of left)
      for (const b of right) {
        drop(a, b);
        drop(b, a);
      }
  };
  for (const fault of faults) {
    switch (fault.kind) {
      case "partition-isolate":
        cutBetween([fault.node], nodes);
        break;
      case "partition-halves":
        cutBetween(fault.minority, fault.majority);
        break;
      case "partition-asymmetric":
        for (const other of nodes) drop(fault.node, other);
        break;
      case "partition-bridge":
        cutBetween(fault.left, fault.right);
        break;
      case "partition-links":
        for (const { from, to } of fault.cut) cutBetween([from], [to]);
        break;
      case "loss":
        for (const link of fault.links) {
          const had = loss.get(key(link));
          if (had === undefined || had.probability < fault.probability)
            loss.set(key(link), { from: link.from, to: link.to, probability: fault.probability });
        }
        break;
      case "delay":
        for (const link of fault.links) {
          const had = delay.get(key(link));
          if (had === undefined || had.meanMs < fault.meanMs)
            delay.set(key(link), { from: link.from, to: link.to, meanMs: fault.meanMs, jitterMs: fault.jitterMs });
        }
        break;
      default:
        break;
    }
  }
  const sorted = <T extends Link>(links: Iterable<T>) =>
    [...links].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  return { drops: sorted(drops.values()), loss: sorted(loss.values()), delay: sorted(delay.values()) };
}
