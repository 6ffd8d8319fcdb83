/**
 * Who thinks what of whom. Each node's /cluster says how it sees its peers
 * (phi, suspected, when it last heard one); the serving node's
 * /cluster/nodes adds whether it could reach each node just now.
 */
import type { ClusterNodesView, ClusterView } from "@skew/client/api";

/**
 * - `up`: heard from, not suspected;
 * - `suspected`: its phi passed the threshold (the failure detector's verdict);
 * - `unreachable`: the serving node's request for its /cluster failed;
 * - `unheard`: no heartbeat from it yet (just started);
 * - `self`: the node itself.
 */
export type NodeState = "up" | "suspected" | "unreachable" | "unheard" | "self";

/** How `view`'s node sees `target`, from its membership table. */
export function stateSeenBy(view: ClusterView, target: string): NodeState {
  if (view.node === target) return "self";
  const member = view.members.find((m) => m.id === target);
  if (member === undefined) return "unheard";
  if (member.suspected === true) return "suspected";
  if (member.lastHeartbeatAgoMs === null || member.lastHeartbeatAgoMs === undefined) return "unheard";
  return "up";
}

/** The serving node's verdict on `id`: unreachable if its fan-out failed, else what its failure detector says. */
export function servingState(nodes: ClusterNodesView, id: string): NodeState {
  const entry = nodes.nodes.find((n) => n.id === id);
  if (entry === undefined || entry.error !== null || entry.view === null) return "unreachable";
  if (id === nodes.node) return "up"; // it served this very answer
  const serving = nodes.nodes.find((n) => n.id === nodes.node)?.view;
  if (serving === undefined || serving === null) return "up";
  const seen = stateSeenBy(serving, id);
  return seen === "self" ? "up" : seen;
}
