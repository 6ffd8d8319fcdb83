/**
 * Convergence, as anti-entropy itself judges it: once the faults have
 * healed, every partition's replicas hold equal Merkle roots (Dynamo,
 * section 4.7: equal roots, equal data, but for a 2^-32 chance with the
 * store's 32-bit hashes). The input is what each node's `/debug/merkle`
 * answered (or, on the simulator, `KvNode.merkleRoots()`): per node, the
 * root of each partition it replicates. The checker reports each partition
 * whose replicas disagree, with which nodes hold which root, so a failure
 * names the replicas to look at.
 *
 * A node that could not be asked (down, paused, unreachable) is reported
 * apart, and the cluster is not converged while one is: its replicas may
 * hold anything. A partition is compared across the nodes that reported it;
 * which nodes should replicate it is the ring's business, not the checker's.
 *
 * Pure: no I/O, no clock (the live helper that polls the nodes is
 * live/convergence.ts).
 */
import { describeValue } from "@skew/env";

/** What one node reported: the Merkle root of each partition it replicates, or nothing (it could not be asked). */
export interface NodeRoots {
  readonly node: string;
  /** Partition -> root; undefined when the node did not answer. */
  readonly roots: ReadonlyMap<number, number> | undefined;
}

/** One root of a partition that disagrees, and the nodes holding it (ascending). */
export interface RootHolders {
  readonly root: number;
  readonly nodes: readonly string[];
}

/** A partition whose replicas hold different roots: every root seen, the most widely held first. */
export interface PartitionDivergence {
  readonly partition: number;
  readonly roots: readonly RootHolders[];
}

export interface ConvergenceReport {
  /** Every node answered, and every partition's replicas hold one root. */
  readonly converged: boolean;
  /** Partitions that some node reported. */
  readonly partitions: number;
  /** The partitions whose replicas disagree, ascending. */
  readonly diverged: readonly PartitionDivergence[];
  /** Nodes that did not answer, ascending: not judged, and not converged. */
  readonly unreachable: readonly string[];
}

export function checkConvergence(snapshot: readonly NodeRoots[]): ConvergenceReport {
  const seen = new Set<string>();
  const unreachable: string[] = [];
  /** Partition -> root -> nodes. */
  const byPartition = new Map<number, Map<number, string[]>>();
  for (const { node, roots } of snapshot) {
    if (typeof node !== "string" || node === "") throw new TypeError("checkConvergence: a node is a non-empty string");
    if (seen.has(node)) throw new TypeError(`checkConvergence: node ${node} reported twice`);
    seen.add(node);
    if (roots === undefined) {
      unreachable.push(node);
      continue;
    }
    for (const [partition, root] of roots) {
      if (!(Number.isSafeInteger(partition) && partition >= 0)) {
        throw new TypeError(`checkConvergence: ${node} reported partition ${describeValue(partition)}`);
      }
      if (!Number.isSafeInteger(root))
        throw new TypeError(`checkConvergence: ${node}'s root ${describeValue(root)} is no integer`);
      let holders = byPartition.get(partition);
      if (holders === undefined) {
        holders = new Map();
        byPartition.set(partition, holders);
      }
      const nodes = holders.get(root) ?? [];
      nodes.push(node);
      holders.set(root, nodes);
    }
  }
  const diverged: PartitionDivergence[] = [];
  for (const [partition, holders] of byPartition) {
    if (holders.size <= 1) continue;
    const roots = [...holders]
      .map(([root, nodes]) => ({ root, nodes: [...nodes].sort() }))
      .sort((a, b) => b.nodes.length - a.nodes.length || a.root - b.root);
    diverged.push({ partition, roots });
  }
  diverged.sort((a, b) => a.partition - b.partition);
  unreachable.sort();
  return {
    converged: diverged.length === 0 && unreachable.length === 0,
    partitions: byPartition.size,
    diverged,
    unreachable,
  };
}

/** One line per problem, for a failure message: "partition 3: 1234 at n1, n2; 5678 at n3", "n4 did not answer". */
export function describeConvergence(report: ConvergenceReport): string[] {
  return [
    ...report.diverged.map(
      ({ partition, roots }) =>
        `partition ${partition}: ${roots.map(({ root, nodes }) => `${root} at ${nodes.join(", ")}`).join("; ")}`,
    ),
    ...report.unreachable.map((node) => `${node} did not answer`),
  ];
}
