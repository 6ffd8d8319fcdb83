/**
 * Checkers for the simulation proofs: they judge a Jepsen history and the
 * replicas' state, never the code's intentions.
 *
 * - `checkSet`: Jepsen's set checker. Every `add` that was acknowledged
 *   (`ok`) must be in the final read; an add that failed definitely
 *   (`fail`: nothing was written) must not be; an add whose outcome is
 *   unknown (`info`, or never completed) may be either. An element in the
 *   final read that nobody tried to add is a corruption.
 * - `siblingViolations`: no replica holds more siblings for a key than a bound.
 * - `replicaDisagreements`: after the faults heal, the primaries of every
 *   key hold equal records (the convergence the issue asks for).
 */
import { hashKey, type KvRecord, recordsEqual, replicasDefault } from "@skew/kv";
import type { Op } from "@skew/sim";
import type { KvCluster } from "./cluster.js";

export interface SetReport {
  /** Adds invoked. */
  readonly attempted: number;
  /** Adds acknowledged (`ok`). */
  readonly acknowledged: number;
  /** Acknowledged adds found in the final read. */
  readonly survived: number;
  /** Acknowledged adds missing from the final read: the writes the store lost. */
  readonly lost: readonly number[];
  /** Adds with an unknown outcome (`info` or still pending), and how many of them are in the final read. */
  readonly indefinite: number;
  readonly indefiniteAppeared: number;
  /** Adds that failed definitely, and those of them in the final read (each one a lie of the store). */
  readonly definite: number;
  readonly definiteAppeared: readonly number[];
  /** Elements in the final read that were never attempted. */
  readonly unexpected: readonly number[];
}

/** Jepsen's set checker over `add` operations whose invoke value is the element. */
export function checkSet(ops: readonly Op[], finalSet: ReadonlySet<number>): SetReport {
  const invoked = new Map<string | number, number>();
  const attempted = new Set<number>();
  const acknowledged: number[] = [];
  const definite: number[] = [];
  const indefinite = new Set<number>();
  for (const op of ops) {
    if (op.f !== "add") continue;
    if (op.type === "invoke") {
      const element = op.value as number;
      invoked.set(op.process, element);
      attempted.add(element);
      indefinite.add(element); // until it completes
      continue;
    }
    const element = invoked.get(op.process);
    if (element === undefined) throw new Error(`history: ${op.type} without invoke for ${String(op.process)}`);
    invoked.delete(op.process);
    if (op.type === "info") continue;
    indefinite.delete(element);
    if (op.type === "ok") acknowledged.push(element);
    else definite.push(element);
  }
  const lost = acknowledged.filter((element) => !finalSet.has(element));
  return {
    attempted: attempted.size,
    acknowledged: acknowledged.length,
    survived: acknowledged.length - lost.length,
    lost,
    indefinite: indefinite.size,
    indefiniteAppeared: [...indefinite].filter((element) => finalSet.has(element)).length,
    definite: definite.length,
    definiteAppeared: definite.filter((element) => finalSet.has(element)),
    unexpected: [...finalSet].filter((element) => !attempted.has(element)),
  };
}

/** Siblings a record holds (1 for a last-write-wins record). */
export function siblingsOf(record: KvRecord): number {
  return record.kind === "lww" ? 1 : record.set.size;
}

/** Every replica's record of every key it holds, with its sibling count above `bound`. */
export function siblingViolations(cluster: KvCluster, nodes: readonly string[], bound: number): string[] {
  const found: string[] = [];
  for (const id of nodes) {
    if (!cluster.sim.node(id).up) continue;
    const node = cluster.node(id);
    for (const { bucket, key } of node.localKeys()) {
      const record = node.localRecord(bucket, key);
      if (record !== undefined && siblingsOf(record) > bound) {
        found.push(`${id} holds ${siblingsOf(record)} siblings of ${bucket}/${key} (bound ${bound})`);
      }
    }
  }
  return found;
}

/** The largest sibling count any live replica holds for any key. */
export function maxSiblings(cluster: KvCluster, nodes: readonly string[]): number {
  let max = 0;
  for (const id of nodes) {
    if (!cluster.sim.node(id).up) continue;
    const node = cluster.node(id);
    for (const { bucket, key } of node.localKeys()) {
      const record = node.localRecord(bucket, key);
      if (record !== undefined) max = Math.max(max, siblingsOf(record));
    }
  }
  return max;
}

/**
 * For every key any node holds, the primaries (the first `n` of its
 * preference list) whose record differs from the first primary's, or is
 * missing. Empty when the replicas have converged.
 */
export function replicaDisagreements(cluster: KvCluster, nodes: readonly string[], n = replicasDefault): string[] {
  const keys = new Map<string, { readonly bucket: string; readonly key: string }>();
  for (const id of nodes) {
    for (const entry of cluster.node(id).localKeys()) keys.set(`${entry.bucket}\u0000${entry.key}`, entry);
  }
  const found: string[] = [];
  for (const { bucket, key } of keys.values()) {
    const primaries = cluster.node(nodes[0] as string).ring.preferenceList(hashKey(bucket, key), n);
    const records = primaries.map((id) => cluster.node(id).localRecord(bucket, key));
    const [first] = records;
    records.forEach((record, i) => {
      if (record === undefined || first === undefined || !recordsEqual(first, record)) {
        found.push(`${bucket}/${key}: ${primaries[i]} differs from ${primaries[0]}`);
      }
    });
  }
  return found;
}

/**
 * For every partition, the replicas whose Merkle root differs from the
 * first replica's (anti-entropy's own notion of convergence: equal roots,
 * equal data). Empty when every partition's replicas agree.
 */
export function merkleDisagreements(cluster: KvCluster, nodes: readonly string[]): string[] {
  const roots = new Map<number, { readonly node: string; readonly root: number }[]>();
  for (const id of nodes) {
    for (const [partition, root] of cluster.node(id).merkleRoots()) {
      const list = roots.get(partition) ?? [];
      list.push({ node: id, root });
      roots.set(partition, list);
    }
  }
  const found: string[] = [];
  for (const [partition, list] of roots) {
    const [first] = list;
    for (const { node, root } of list) {
      if (first !== undefined && root !== first.root) {
        found.push(`partition ${partition}: ${node}'s root ${root} differs from ${first.node}'s ${first.root}`);
      }
    }
  }
  return found;
}
