/**
 * Checkers of the replicas' own state, beside the history: what a client
 * cannot see but the issue's rules still govern. A driver exposes each
 * replica as a `ReplicaView` (the simulator hands out the `KvNode` itself; a
 * live driver can build one from a node's admin endpoint).
 *
 * - `siblingViolations`: no replica holds more siblings for a key than a bound.
 * - `replicaDisagreements`: after the faults heal, the primaries of every
 *   key hold equal records (the convergence the issue asks for).
 * - `merkleDisagreements`: every partition's replicas hold equal Merkle roots.
 */
import { type HashRing, hashKey, type KvRecord, recordsEqual, replicasDefault } from "@skew/kv";

/** What the state checkers read of one replica. */
export interface ReplicaView {
  readonly ring: Pick<HashRing, "preferenceList">;
  localKeys(): Iterable<{ readonly bucket: string; readonly key: string }>;
  localRecord(bucket: string, key: string): KvRecord | undefined;
  merkleRoots(): Iterable<readonly [number, number]>;
}

export interface ReplicaSource {
  /** Replica `id`'s state, or undefined while it is down. */
  replica(id: string): ReplicaView | undefined;
}

/** Siblings a record holds (1 for a last-write-wins record). */
export function siblingsOf(record: KvRecord): number {
  return record.kind === "lww" ? 1 : record.set.size;
}

/** Every replica's record of every key it holds, with its sibling count above `bound`. */
export function siblingViolations(replicas: ReplicaSource, nodes: readonly string[], bound: number): string[] {
  const found: string[] = [];
  for (const id of nodes) {
    const node = replicas.replica(id);
    if (node === undefined) continue;
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
export function maxSiblings(replicas: ReplicaSource, nodes: readonly string[]): number {
  let max = 0;
  for (const id of nodes) {
    const node = replicas.replica(id);
    if (node === undefined) continue;
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
 * missing. Empty when the replicas have converged; a replica that is down
 * has not.
 */
export function replicaDisagreements(replicas: ReplicaSource, nodes: readonly string[], n = replicasDefault): string[] {
  const down = nodes.filter((id) => replicas.replica(id) === undefined);
  if (down.length > 0) return down.map((id) => `${id} is down`);
  const view = (id: string) => replicas.replica(id) as ReplicaView;
  const keys = new Map<string, { readonly bucket: string; readonly key: string }>();
  for (const id of nodes) {
    for (const entry of view(id).localKeys()) keys.set(`${entry.bucket}\u0000${entry.key}`, entry);
  }
  const found: string[] = [];
  for (const { bucket, key } of keys.values()) {
    const primaries = view(nodes[0] as string).ring.preferenceList(hashKey(bucket, key), n);
    const records = primaries.map((id) => replicas.replica(id)?.localRecord(bucket, key));
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
 * equal data). Empty when every partition's replicas agree; a replica that
 * is down does not.
 */
export function merkleDisagreements(replicas: ReplicaSource, nodes: readonly string[]): string[] {
  const roots = new Map<number, { readonly node: string; readonly root: number }[]>();
  const found: string[] = [];
  for (const id of nodes) {
    const replica = replicas.replica(id);
    if (replica === undefined) {
      found.push(`${id} is down`);
      continue;
    }
    for (const [partition, root] of replica.merkleRoots()) {
      const list = roots.get(partition) ?? [];
      list.push({ node: id, root });
      roots.set(partition, list);
    }
  }
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
