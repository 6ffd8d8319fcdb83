/**
 * K clients writing one causal key concurrently, on a fresh 3-replica
 * LocalCluster: one first write, which every client then reads, so that all
 * hold the same context; then each client writes a value once, through the
 * coordinators in turn, the even ones blind and the odd ones with that (by
 * then stale) context; then one write with the full context of an R = 3 read
 * resolves the siblings. The record is measured at every replica with its
 * siblings outstanding and after resolution.
 *
 * Shared by the law in test/local/dvv-metadata.test.ts and the size table of
 * bench/dvv-size.ts, so that the two measure the same thing.
 */
import { type ClientReply, encodeRecord, type LocalCluster, liveValues } from "@skew/kv";
import { manualCluster, replicaIds } from "./manual-cluster.js";

export { replicaIds };

/** One replica's record of the key: metadata = encoded record bytes - the live values' bytes. */
export interface KeySize {
  readonly siblings: number;
  readonly recordBytes: number;
  readonly valuesBytes: number;
  readonly metadataBytes: number;
}

export interface ConcurrentClientsRun {
  /** Per client write, whether it was acknowledged (past the sibling cap a write is refused). */
  readonly acknowledged: readonly boolean[];
  /** Each replica's record with the siblings outstanding, in `replicaIds` order. */
  readonly outstanding: readonly KeySize[];
  /** The reply to the resolving write. */
  readonly resolvingReply: ClientReply | undefined;
  /** Each replica's record after it. */
  readonly resolved: readonly KeySize[];
}

export function concurrentClientsOnOneKey(clients: number, valueBytes: number): ConcurrentClientsRun {
  const { env, cluster } = manualCluster({ b: "causal" });
  const first = cluster.request("n1", { kind: "put", bucket: "b", key: "k", value: new Uint8Array(valueBytes) });
  if (first?.ok !== true) throw new Error(`first write failed: ${JSON.stringify(first)}`);
  const stale = readContext(cluster, "n2");
  const acknowledged: boolean[] = [];
  for (let c = 0; c < clients; c++) {
    env.advance(0.01);
    const reply = cluster.request(replicaIds[c % replicaIds.length] as string, {
      kind: "put",
      bucket: "b",
      key: "k",
      value: new Uint8Array(valueBytes).fill(c & 0xff),
      ...(c % 2 === 1 ? { context: stale } : {}),
    });
    acknowledged.push(reply?.ok === true);
  }
  const outstanding = sizes(cluster);
  env.advance(0.01);
  const full = readContext(cluster, "n3");
  env.advance(0.01);
  const resolvingReply = cluster.request("n1", {
    kind: "put",
    bucket: "b",
    key: "k",
    value: new Uint8Array(valueBytes),
    context: full,
  });
  return { acknowledged, outstanding, resolvingReply, resolved: sizes(cluster) };
}

function readContext(cluster: LocalCluster, node: string): string {
  const read = cluster.request(node, { kind: "get", bucket: "b", key: "k", r: 3 });
  if (read?.ok !== true || read.kind !== "get") throw new Error(`read failed: ${JSON.stringify(read)}`);
  return read.context;
}

function sizes(cluster: LocalCluster): KeySize[] {
  return replicaIds.map((id) => {
    const record = cluster.node(id).localRecord("b", "k");
    if (record?.kind !== "causal") throw new Error(`replica ${id} holds no causal record`);
    const recordBytes = encodeRecord(record).length;
    const valuesBytes = liveValues(record).reduce((sum, value) => sum + value.length, 0);
    return { siblings: record.set.size, recordBytes, valuesBytes, metadataBytes: recordBytes - valuesBytes };
  });
}
