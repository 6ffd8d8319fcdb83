/**
 * Claim: which node owns which partition, and how that changes when a node
 * joins or leaves. Riak's ring is state, not a function of the member list:
 * its claimant changes the previous ring as little as it can and gossips the
 * result (riak_core_claim; see Martin Sumner's "The Ring and Claim",
 * riak_core/docs/ring_claim.md). The reason is a theorem, not taste: an
 * assignment computed from the member set alone that moves only a leaving
 * node's partitions gives each partition a fixed preference order over all
 * possible nodes (rendezvous hashing), and such an assignment cannot keep
 * every node within one partition of its fair share. Dealing partitions round
 * robin over the sorted members, recomputed after each change, keeps the
 * balance and moves nearly every partition.
 *
 * So: a new ring is dealt round robin (`roundRobinOwners`); then
 * - a joining node takes floor(Q / (k + 1)) partitions, each from a node that
 *   currently owns the most, at evenly spread positions: only partitions that
 *   go to the new node move;
 * - a leaving node's partitions go, one at a time, to a node that currently
 *   owns the fewest: only partitions of the leaving node move.
 * Taking from the fullest and giving to the emptiest keeps every node within
 * one partition of Q / k. Within that rule, a partition is preferably placed
 * where the same node owns nothing within `spacing` partitions (Riak's
 * target_n_val), or else as far from its other partitions as the rule
 * allows, so that consecutive partitions keep distinct owners.
 */
import { assert } from "@skew/env";

/** Partitions dealt over `nodes` in order: partition p to nodes[p mod k]. */
export function roundRobinOwners(nodes: readonly string[], partitions: number): string[] {
  return Array.from({ length: partitions }, (_, p) => nodes[p % nodes.length] as string);
}

/** The owners after `node` (not yet a member) joins. */
export function claimForJoin(owners: readonly string[], node: string, spacing: number): string[] {
  const q = owners.length;
  const next = owners.slice();
  const loads = countLoads(owners);
  assert(!loads.has(node), "a joining node owns nothing yet");
  const want = Math.floor(q / (loads.size + 1));
  // Past the first candidate that breaks spacing, look this far for one that
  // keeps it: about the gap between two of the new node's partitions.
  const patience = Math.ceil(q / Math.max(want, 1));
  for (let taken = 0; taken < want; taken++) {
    const fullest = extreme(loads, Math.max);
    const start = Math.floor((taken * q) / want);
    // The first candidate from `start` that keeps the spacing, or failing
    // that (within `patience` of the first candidate) the one farthest from
    // the new node's other partitions.
    let chosen = -1;
    let chosenDistance = 0;
    let firstStep = -1;
    for (let step = 0; step < q; step++) {
      const p = (start + step) % q;
      const owner = next[p] as string;
      if (owner === node || loads.get(owner) !== fullest) continue;
      const distance = distanceToOwn(next, p, node, spacing);
      if (distance > chosenDistance) {
        chosen = p;
        chosenDistance = distance;
      }
      if (distance === spacing) break;
      if (firstStep === -1) firstStep = step;
      else if (step - firstStep > patience) break;
    }
    assert(chosen !== -1, "a node that owns the most partitions owns at least one");
    const giver = next[chosen] as string;
    loads.set(giver, (loads.get(giver) as number) - 1);
    next[chosen] = node;
  }
  return next;
}

/** The owners after `node` (a member, not the last) leaves. */
export function claimForLeave(owners: readonly string[], node: string, spacing: number): string[] {
  const next = owners.slice();
  const loads = countLoads(owners);
  assert(loads.delete(node) && loads.size > 0, "the leaving node is a member and not the last");
  const heirs = [...loads.keys()].sort();
  for (let p = 0; p < next.length; p++) {
    if (next[p] !== node) continue;
    const emptiest = extreme(loads, Math.min);
    const candidates = heirs.filter((heir) => loads.get(heir) === emptiest);
    // The heir whose own partitions are farthest from p (the first such by id).
    let heir = candidates[0] as string;
    let heirDistance = 0;
    for (const candidate of candidates) {
      const distance = distanceToOwn(next, p, candidate, spacing);
      if (distance > heirDistance) {
        heir = candidate;
        heirDistance = distance;
      }
    }
    loads.set(heir, (loads.get(heir) as number) + 1);
    next[p] = heir;
  }
  return next;
}

/** Partitions per owner. */
export function countLoads(owners: readonly string[]): Map<string, number> {
  const loads = new Map<string, number>();
  for (const owner of owners) loads.set(owner, (loads.get(owner) ?? 0) + 1);
  return loads;
}

/** The largest or smallest load (a loop: spreading 2^16 values into Math.max could overflow the stack). */
function extreme(loads: ReadonlyMap<string, number>, pick: (a: number, b: number) => number): number {
  let result: number | undefined;
  for (const load of loads.values()) result = result === undefined ? load : pick(result, load);
  assert(result !== undefined, "a ring has at least one node");
  return result;
}

/**
 * How many steps from partition `p` the nearest other partition of `node` is,
 * either way round the ring; `spacing` when there is none that close.
 */
function distanceToOwn(owners: readonly string[], p: number, node: string, spacing: number): number {
  const q = owners.length;
  for (let d = 1; d < spacing && d < q; d++) {
    if (owners[(p + d) % q] === node || owners[(p - d + q) % q] === node) return d;
  }
  return spacing;
}
