/**
 * What a causal key's metadata weighs after many concurrent clients: a size,
 * not a time, so it is printed as its own table after the timed ones (and with
 * `--json`, one JSON line per row).
 *
 * For K = 1, 10, 100, 1000 clients, on a fresh 3-replica LocalCluster: one
 * first write, which every client then reads, so that all hold the same
 * context; then each client writes a 100-byte value once, through the
 * coordinators in turn, the even ones blind and the odd ones with that (by
 * then stale) context. Every such write is concurrent with every other, so
 * each keeps a sibling, until the sibling cap refuses the rest. The record is
 * measured twice: with its siblings outstanding, and after one more write
 * with the full context of a read (R = 3) resolves them to one value.
 *
 * The metadata is the encoded record's bytes minus its values' bytes: header,
 * checksum, the version vector (one entry per replica that coordinated a
 * write: at most N = 3), and per sibling its dot, length and fence. It is
 * bounded by the replicas and the sibling cap, not by the clients. A
 * version vector with an entry per client (client-side ids) would need
 * K entries for the history alone; its column counts one byte of id length,
 * the id ("client-<c>") and a one-to-three-byte varint counter per client.
 *
 *   node --expose-gc --import tsx bench/dvv-size.ts [--json]
 */
import { ManualEnvironment } from "@skew/env/manual";
import { parseBenchArgs } from "@skew/harness";
import { HybridLogicalClock } from "@skew/hlc";
import { encodeRecord, LocalCluster, liveValues } from "@skew/kv";
import { LamportClock } from "@skew/lamport";
import { TrueTimeClock } from "@skew/truetime";

const ids = ["n1", "n2", "n3"];
const clientCounts = [1, 10, 100, 1000];
const valueBytes = 100;

interface SizeRow {
  readonly clients: number;
  readonly state: "siblings outstanding" | "after resolution";
  readonly accepted: number;
  readonly refused: number;
  readonly siblings: number;
  readonly recordBytes: number;
  readonly valuesBytes: number;
  readonly metadataBytes: number;
  readonly perClientVectorBytes: number;
}

function varintBytes(n: number): number {
  let bytes = 1;
  for (let rest = n; rest >= 0x80; rest = Math.floor(rest / 0x80)) bytes++;
  return bytes;
}

function perClientVectorBytes(clients: number): number {
  let bytes = 0;
  for (let c = 0; c < clients; c++) bytes += 1 + `client-${c}`.length + varintBytes(1);
  return bytes;
}

function measure(clients: number): SizeRow[] {
  const env = new ManualEnvironment({ wallStartMs: 1_704_067_200_000 });
  const cluster = new LocalCluster({
    nodes: ids,
    buckets: { b: "causal" },
    now: () => env.monotonic.now(),
    clocks: (id) => ({
      wall: env.wall,
      hlc: new HybridLogicalClock({ wall: env.wall, node: id }),
      lamport: new LamportClock(id),
      truetime: new TrueTimeClock({ monotonic: env.monotonic, timers: env.timers }),
    }),
  });
  const first = cluster.request("n1", { kind: "put", bucket: "b", key: "k", value: new Uint8Array(valueBytes) });
  if (first?.ok !== true) throw new Error(`first write failed: ${JSON.stringify(first)}`);
  const read = cluster.request("n2", { kind: "get", bucket: "b", key: "k", r: 3 });
  if (read?.ok !== true) throw new Error(`read failed: ${JSON.stringify(read)}`);
  const stale = read.context;
  let accepted = 0;
  let refused = 0;
  for (let c = 0; c < clients; c++) {
    env.advance(0.01);
    const value = new Uint8Array(valueBytes).fill(c & 0xff);
    const reply = cluster.request(ids[c % ids.length] as string, {
      kind: "put",
      bucket: "b",
      key: "k",
      value,
      ...(c % 2 === 1 ? { context: stale } : {}),
    });
    if (reply?.ok === true) accepted++;
    else refused++;
  }
  const outstanding = sizeOf(cluster);
  env.advance(0.01);
  const full = cluster.request("n3", { kind: "get", bucket: "b", key: "k", r: 3 });
  if (full?.ok !== true) throw new Error(`read failed: ${JSON.stringify(full)}`);
  env.advance(0.01);
  const resolved = cluster.request("n1", {
    kind: "put",
    bucket: "b",
    key: "k",
    value: new Uint8Array(valueBytes),
    context: full.context,
  });
  if (resolved?.ok !== true) throw new Error(`resolving write failed: ${JSON.stringify(resolved)}`);
  const after = sizeOf(cluster);
  const common = { clients, accepted, refused, perClientVectorBytes: perClientVectorBytes(clients) };
  return [
    { ...common, state: "siblings outstanding", ...outstanding },
    { ...common, state: "after resolution", ...after },
  ];
}

/** The largest record among the replicas (they agree once every write reached all three, as here). */
function sizeOf(cluster: LocalCluster): Pick<SizeRow, "siblings" | "recordBytes" | "valuesBytes" | "metadataBytes"> {
  let largest = { siblings: 0, recordBytes: 0, valuesBytes: 0, metadataBytes: 0 };
  for (const id of ids) {
    const record = cluster.node(id).localRecord("b", "k");
    if (record?.kind !== "causal") throw new Error(`replica ${id} holds no causal record`);
    const recordBytes = encodeRecord(record).length;
    const valuesBytes = liveValues(record).reduce((sum, value) => sum + value.length, 0);
    if (recordBytes > largest.recordBytes) {
      largest = { siblings: record.set.size, recordBytes, valuesBytes, metadataBytes: recordBytes - valuesBytes };
    }
  }
  return largest;
}

const args = parseBenchArgs(process.argv.slice(2));
const rows = clientCounts.flatMap(measure);
const group = "causal key metadata after K concurrent clients, N=3";
if (args.json) {
  for (const row of rows) {
    process.stdout.write(
      `${JSON.stringify({ package: "@skew/kv", group, name: `dvv set, ${row.state}`, bytes: row.metadataBytes, ...row })}\n`,
    );
  }
} else {
  process.stdout.write(`\n${group} (bytes; ${valueBytes}-byte values)\n`);
  process.stdout.write(
    "  clients  state                  written  refused  siblings  record  values  metadata  per-client VV\n",
  );
  for (const row of rows) {
    process.stdout.write(
      `  ${String(row.clients).padStart(7)}  ${row.state.padEnd(21)}  ${String(row.accepted).padStart(7)}  ${String(row.refused).padStart(7)}  ${String(row.siblings).padStart(8)}  ${String(row.recordBytes).padStart(6)}  ${String(row.valuesBytes).padStart(6)}  ${String(row.metadataBytes).padStart(8)}  ${String(row.perClientVectorBytes).padStart(13)}\n`,
    );
  }
}
