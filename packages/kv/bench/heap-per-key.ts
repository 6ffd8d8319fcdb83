/**
 * What a stored key costs a replica in memory: a size, not a time, printed
 * as its own table after the timed ones (with `--json`, one JSON line per
 * row). A replica keeps every key it holds in memory (the record, its
 * history, its Merkle leaf, the indexes over them), so this is what bounds
 * the keys a node can hold, and what the young-generation garbage collector
 * copies when a write to a new key survives it (the p99 stalls of the node
 * benchmark, packages/node/README.md).
 *
 * For each mode, on a fresh 3-replica LocalCluster: 1,000 puts to warm up,
 * a full collection, then `keys` puts of 100-byte values, each to a new key,
 * and a full collection again. The figure is the growth of V8's heap (and
 * of the memory outside it that holds array buffers) divided by keys x 3
 * replicas. Its floor is what no replica can hold less than: the key's id
 * string and the record's encoded bytes in one Map, measured the same way.
 *
 *   node --expose-gc --import tsx bench/heap-per-key.ts [--json]
 */
import { parseBenchArgs } from "@skew/harness";
import { type ConflictMode, encodeRecord, type LwwRecord } from "@skew/kv";
import { manualCluster, replicaIds } from "../test/support/manual-cluster.js";

const keys = 20_000;
const warmupKeys = 1_000;
const valueBytes = 100;
const replicas = 3;
const modes: readonly ConflictMode[] = ["lww-hlc", "causal"];

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("heap-per-key needs node --expose-gc");
const collect = gc;

interface HeapRow {
  readonly name: string;
  readonly heapBytesPerKey: number;
  readonly outsideHeapBytesPerKey: number;
  readonly totalBytesPerKey: number;
}

function used(): { heap: number; outside: number } {
  collect();
  collect();
  const memory = process.memoryUsage();
  return { heap: memory.heapUsed, outside: memory.external + memory.arrayBuffers };
}

/** Runs `fill(from, to)` over new keys and reports the growth per key and replica (`per`: replicas the fill stores). */
function measure(name: string, per: number, fill: (from: number, to: number) => void): HeapRow {
  fill(0, warmupKeys);
  const before = used();
  fill(warmupKeys, warmupKeys + keys);
  const after = used();
  const heap = Math.round((after.heap - before.heap) / keys / per);
  const outside = Math.round((after.outside - before.outside) / keys / per);
  return { name, heapBytesPerKey: heap, outsideHeapBytesPerKey: outside, totalBytesPerKey: heap + outside };
}

function clusterRow(mode: ConflictMode): HeapRow {
  const { env, cluster } = manualCluster({ [mode]: mode });
  const value = new Uint8Array(valueBytes).fill(42);
  const row = measure(`a key in a ${mode} bucket`, replicas, (from, to) => {
    for (let i = from; i < to; i++) {
      env.advance(0.01);
      const reply = cluster.request(replicaIds[i % replicaIds.length] as string, {
        kind: "put",
        bucket: mode,
        key: `key-${i}`,
        value,
      });
      if (reply?.ok !== true) throw new Error(`put failed: ${JSON.stringify(reply)}`);
    }
  });
  // Keep the cluster alive until measured: what it holds is the figure.
  if (cluster.nodes.size !== replicaIds.length) throw new Error("unreachable");
  return row;
}

function floorRow(): HeapRow {
  const store = new Map<string, Uint8Array>();
  const value = new Uint8Array(valueBytes).fill(42);
  return measure("floor: key id + encoded record in a Map", 1, (from, to) => {
    for (let i = from; i < to; i++) {
      const record: LwwRecord = { kind: "lww", stamp: { fence: 0, time: 1_704_067_200_000 + i, node: "n1" }, value };
      store.set(`lww-hlc\u0000key-${i}`, encodeRecord(record));
    }
  });
}

const args = parseBenchArgs(process.argv.slice(2));
const floor = floorRow();
const rows = [floor, ...modes.map(clusterRow)];
const group = `memory per stored key per replica, N=3, ${valueBytes}-byte values`;
if (args.json) {
  for (const row of rows) {
    const ratio = row === floor ? undefined : row.totalBytesPerKey / floor.totalBytesPerKey;
    process.stdout.write(
      `${JSON.stringify({ package: "@skew/kv", group, bytes: row.totalBytesPerKey, ...row, ...(ratio === undefined ? {} : { ratio }) })}\n`,
    );
  }
} else {
  process.stdout.write(`\n${group} (bytes; ${keys} new keys after ${warmupKeys})\n`);
  process.stdout.write("  what                                      heap  outside heap   total  vs floor\n");
  for (const row of rows) {
    const ratio = row === floor ? "" : `${(row.totalBytesPerKey / floor.totalBytesPerKey).toFixed(1)}x`;
    process.stdout.write(
      `  ${row.name.padEnd(40)}  ${String(row.heapBytesPerKey).padStart(5)}  ${String(row.outsideHeapBytesPerKey).padStart(12)}  ${String(row.totalBytesPerKey).padStart(6)}  ${ratio.padStart(8)}\n`,
    );
  }
}
