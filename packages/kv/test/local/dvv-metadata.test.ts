/**
 * The law behind server-side ids in a dotted version vector set: a causal
 * key's metadata is bounded by the replicas (N = 3) and the sibling cap, not
 * by how many clients wrote it. K clients all read one version, then each
 * writes once, concurrently (even ones blind, odd ones with the stale context
 * of that read); then a write with the full context of a read resolves them.
 * Metadata = encoded record bytes - the live values' bytes.
 */
import { siblingsMax } from "@skew/kv";
import { describe, expect, it } from "vitest";
import { concurrentClientsOnOneKey, type KeySize, replicaIds } from "../support/concurrent-clients.js";

const valueBytes = 100;
/**
 * The most a sibling adds beside its value: its dot (a replica index varint,
 * one byte for three replicas, and a counter varint, at most three bytes below
 * 2^21), its length varint (two bytes for values under 16 KiB), its fence
 * (f64), its write stamp (f64, the HLC time the causal history needs) and its
 * tag byte.
 */
const siblingOverheadBytesMax = 1 + 3 + 2 + 8 + 8 + 1;

type Size = Pick<KeySize, "siblings" | "metadataBytes">;

/** The replicas' common size: every write reached all three at once, so they hold the same record. */
function agreed(sizes: readonly KeySize[]): Size {
  for (const size of sizes) expect(size).toEqual(sizes[0]);
  const { siblings, metadataBytes } = sizes[0] as KeySize;
  return { siblings, metadataBytes };
}

function concurrentClients(clients: number): { outstanding: Size; resolved: Size } {
  const run = concurrentClientsOnOneKey(clients, valueBytes);
  // Past the cap a write is refused; before it, every concurrent write is kept.
  for (const [c, ok] of run.acknowledged.entries()) expect(ok).toBe(c < siblingsMax);
  expect(run.resolvingReply).toMatchObject({ ok: true, siblings: 1 });
  return { outstanding: agreed(run.outstanding), resolved: agreed(run.resolved) };
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
    expect(resolved.metadataBytes).toBeLessThanOrEqual(base.resolved.metadataBytes + replicaIds.length);
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
