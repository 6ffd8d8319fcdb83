/**
 * The law behind server-side ids in a dotted version vector set: a causal
 * key's metadata is bounded by the replicas (N = 3) and the sibling cap, not
 * by how many clients wrote it. K clients all read one version, then each
 * writes once, concurrently (even ones blind, odd ones with the stale context
 * of that read); then a write with the full context of a read resolves them.
 * Metadata = encoded record bytes - the live values' bytes.
 */
import { ManualEnvironment } from "@skew/env/manual";
import { HybridLogicalClock } from "@skew/hlc";
import { encodeRecord, LocalCluster, liveValues, siblingsMax } from "@skew/kv";
import { LamportClock } from "@skew/lamport";
import { TrueTimeClock } from "@skew/truetime";
import { describe, expect, it } from "vitest";

const ids = ["n1", "n2", "n3"];
const valueBytes = 100;
/**
 * The most a sibling adds beside its value: its dot (a replica index varint,
 * one byte for three replicas, and a counter varint, at most three bytes below
 * 2^21), its length varint (two bytes for values under 16 KiB), its fence
 * (f64), its write stamp (f64, the HLC time the causal history needs) and its
 * tag byte.
 */
const siblingOverheadBytesMax = 1 + 3 + 2 + 8 + 8 + 1;

interface Size {
  readonly siblings: number;
  readonly metadataBytes: number;
}

function sizeAt(cluster: LocalCluster): Size {
  const sizes = ids.map((id) => {
    const record = cluster.node(id).localRecord("b", "k");
    if (record?.kind !== "causal") throw new Error(`replica ${id} holds no causal record`);
    const values = liveValues(record).reduce((sum, value) => sum + value.length, 0);
    return { siblings: record.set.size, metadataBytes: encodeRecord(record).length - values };
  });
  // Every write reached all three replicas at once, so they hold the same record.
  for (const size of sizes) expect(size).toEqual(sizes[0]);
  return sizes[0] as Size;
}

function concurrentClients(clients: number): { outstanding: Size; resolved: Size } {
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
  expect(
    cluster.request("n1", { kind: "put", bucket: "b", key: "k", value: new Uint8Array(valueBytes) }),
  ).toMatchObject({ ok: true });
  const read = cluster.request("n2", { kind: "get", bucket: "b", key: "k", r: 3 });
  if (read?.ok !== true || read.kind !== "get") throw new Error(`read failed: ${JSON.stringify(read)}`);
  for (let c = 0; c < clients; c++) {
    env.advance(0.01);
    const value = new Uint8Array(valueBytes).fill(c & 0xff);
    const context = c % 2 === 1 ? { context: read.context } : {};
    const reply = cluster.request(ids[c % ids.length] as string, {
      kind: "put",
      bucket: "b",
      key: "k",
      value,
      ...context,
    });
    // Past the cap a write is refused; before it, every concurrent write is kept.
    expect(reply?.ok).toBe(c < siblingsMax);
  }
  const outstanding = sizeAt(cluster);
  env.advance(0.01);
  const full = cluster.request("n3", { kind: "get", bucket: "b", key: "k", r: 3 });
  if (full?.ok !== true || full.kind !== "get") throw new Error(`read failed: ${JSON.stringify(full)}`);
  env.advance(0.01);
  const value = new Uint8Array(valueBytes);
  expect(cluster.request("n1", { kind: "put", bucket: "b", key: "k", value, context: full.context })).toMatchObject({
    ok: true,
    siblings: 1,
  });
  return { outstanding, resolved: sizeAt(cluster) };
}

describe("dotted version vector set metadata", () => {
  const counts = [10, 100, 1000];
  const results = new Map(counts.map((k) => [k, concurrentClients(k)]));
  const base = results.get(10) as { outstanding: Size; resolved: Size };

  it.each(counts)("keeps at most the sibling cap after %i concurrent clients", (k) => {
    const { outstanding, resolved } = results.get(k) as { outstanding: Size; resolved: Size };
    expect(outstanding.siblings).toBe(Math.min(k, siblingsMax));
    expect(resolved.siblings).toBe(1);
  });

  it.each(counts)("does not grow with the clients once resolved (K = %i vs 10)", (k) => {
    const { resolved } = results.get(k) as { outstanding: Size; resolved: Size };
    // One value and a version vector of N entries; at most each of the N counters' varints may widen.
    expect(resolved.metadataBytes).toBeLessThanOrEqual(base.resolved.metadataBytes + ids.length);
  });

  it.each(counts)("grows with outstanding siblings only by each sibling's own overhead (K = %i)", (k) => {
    const { outstanding, resolved } = results.get(k) as { outstanding: Size; resolved: Size };
    // The set's sibling count varint may take a second byte past 127; the rest is per sibling.
    expect(outstanding.metadataBytes - resolved.metadataBytes).toBeLessThanOrEqual(
      (outstanding.siblings - 1) * siblingOverheadBytesMax + 1,
    );
  });

  it("stays a small fraction of what a per-client version vector needs after 1000 clients", () => {
    const { resolved } = results.get(1000) as { outstanding: Size; resolved: Size };
    // A version vector with an entry per client would still hold 1000 entries once resolved, at least
    // a byte each; this record's whole metadata is under a tenth of that.
    expect(resolved.metadataBytes * 10).toBeLessThan(1000);
  });
});
