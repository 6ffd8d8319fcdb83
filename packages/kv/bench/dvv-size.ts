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
import { parseBenchArgs } from "@skew/harness";
import { concurrentClientsOnOneKey, type KeySize } from "../test/support/concurrent-clients.js";

const clientCounts = [1, 10, 100, 1000];
const valueBytes = 100;

interface SizeRow extends KeySize {
  readonly clients: number;
  readonly state: "siblings outstanding" | "after resolution";
  readonly accepted: number;
  readonly refused: number;
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

/** The largest record among the replicas (they agree once every write reached all three, as here). */
function largest(sizes: readonly KeySize[]): KeySize {
  return sizes.reduce((a, b) => (b.recordBytes > a.recordBytes ? b : a));
}

function measure(clients: number): SizeRow[] {
  const run = concurrentClientsOnOneKey(clients, valueBytes);
  if (run.resolvingReply?.ok !== true) throw new Error(`resolving write failed: ${JSON.stringify(run.resolvingReply)}`);
  const accepted = run.acknowledged.filter(Boolean).length;
  const common = {
    clients,
    accepted,
    refused: clients - accepted,
    perClientVectorBytes: perClientVectorBytes(clients),
  };
  return [
    { ...common, state: "siblings outstanding", ...largest(run.outstanding) },
    { ...common, state: "after resolution", ...largest(run.resolved) },
  ];
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
