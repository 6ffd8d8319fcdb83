/**
 * The chapter's clock-skew scenario (section 3.3, "Timestamps for ordering
 * events"): client A writes x = 1 via node 1, whose clock is fast; the write
 * replicates; client B reads x and writes x + 1 via node 3, whose clock is
 * slow. If B's write comes within the skew window after A's, node 3 stamps
 * it below A's stamp, and last-write-wins on wall clocks keeps x = 1: the
 * increment, acknowledged, is gone.
 *
 * The numbers come from the TrueTime bound, not from the air. Each node's
 * TrueTime clock is synchronized from its own wall clock, claimed accurate to
 * +-boundMs (`trueTimeSource: "local-wall"`), so the bound is the error
 * budget every node promises: while a node's offset stays within it, its
 * TrueTime interval holds true time. The scenario skews n1 by +0.6 bound and
 * n3 by -0.6 bound: each within the promise, but 1.2 bounds apart, which
 * (with 0.5 ms links) is longer than B's whole read-then-write, so B's write
 * lands in the window. The second half skews them by +-1.6 bound, beyond the
 * promise, to show that TrueTime's guarantee is only as good as its bound.
 */
import type { ConflictMode } from "@skew/kv";
import { afterAll, describe, expect, it } from "vitest";
import { KvCluster, type Outcome, text } from "../../src/index.js";

/** The TrueTime error bound every node claims for its clock (the chapter: Spanner keeps it to about 7 ms). */
const boundMs = 5;
/** Within the bound: n1 fast, n3 slow, by this much each. */
const withinBoundSkewMs = 0.6 * boundMs;
/** Beyond it. */
const beyondBoundSkewMs = 1.6 * boundMs;
/** Every link takes exactly this long, so the interleaving is the chapter's, not a lucky draw. */
const linkMs = 0.5;
const nodes = ["n1", "n2", "n3"];
const key = "x";

function cluster(mode: ConflictMode, skewMs: number): KvCluster {
  return new KvCluster({
    seed: 1,
    nodes,
    clients: ["a", "b", "observer"],
    buckets: { [mode]: mode },
    clockOffsetsMs: { n1: +skewMs, n3: -skewMs },
    link: { delay: { kind: "constant", ms: linkMs } },
    gpsErrorMs: boundMs,
    trueTimeSource: "local-wall",
  });
}

function readValues(outcome: Outcome): string[] {
  if (!outcome.ok || outcome.kind !== "get") throw new Error(`read failed: ${JSON.stringify(outcome)}`);
  return outcome.values.map(text.decode).sort();
}

/** Calls and measures the call's latency in true (simulation) time. */
function timedCall(c: KvCluster, client: string, node: string, request: Parameters<KvCluster["callAndWait"]>[2]) {
  const startMs = c.sim.nowMs;
  const outcome = c.callAndWait(client, node, request);
  return { outcome, latencyMs: c.sim.nowMs - startMs, startMs };
}

interface IncrementRun {
  readonly finalValues: string[];
  readonly writeLatencyMs: number;
  /** True ms between the start of A's write and the start of B's. */
  readonly gapMs: number;
}

/** A writes x = 1 via n1; B reads x via n3 and writes x + 1 via n3 with the read's context; a final read with r = all. */
function increment(mode: ConflictMode): IncrementRun {
  const c = cluster(mode, withinBoundSkewMs);
  c.sim.run({ forMs: 100 }); // the GPS has synced, the clocks have run a while
  const a = timedCall(c, "a", "n1", { kind: "put", bucket: mode, key, value: text.encode("1") });
  expect(a.outcome.ok).toBe(true);
  const read = c.callAndWait("b", "n3", { kind: "get", bucket: mode, key });
  const seen = readValues(read);
  expect(seen).toEqual(["1"]); // B's increment follows A's write: it read it
  if (!read.ok) throw new Error("unreachable");
  const b = timedCall(c, "b", "n3", {
    kind: "put",
    bucket: mode,
    key,
    value: text.encode(String(Number(seen[0]) + 1)),
    context: read.context,
  });
  expect(b.outcome.ok).toBe(true); // acknowledged, in every mode: what happens next is the store's doing
  c.sim.run({ forMs: 100 });
  const finalValues = readValues(c.callAndWait("observer", "n2", { kind: "get", bucket: mode, key, r: 3 }));
  return { finalValues, writeLatencyMs: a.latencyMs, gapMs: b.startMs - a.startMs };
}

describe("the chapter's clock skew (3.3): B increments x after reading A's x = 1", () => {
  const results = new Map<ConflictMode, IncrementRun>();

  it("lww-wall loses the increment: n3 stamps B's write below A's", () => {
    const run = increment("lww-wall");
    results.set("lww-wall", run);
    // The precondition of the anomaly: B's write came within the skew window (n1 ahead of n3 by 2 x skew).
    expect(run.gapMs).toBeLessThan(2 * withinBoundSkewMs);
    expect(run.finalValues).toEqual(["1"]);
  });

  it("lww-hlc keeps it: n3's HLC heard n1's timestamp on the replication and read messages", () => {
    // Every message carries the sender's HLC timestamp; A's write reached n3 stamped by n1's fast clock,
    // so n3's HLC was already past A's stamp when it stamped B's write (B's context would also have moved it).
    const run = increment("lww-hlc");
    results.set("lww-hlc", run);
    expect(run.finalValues).toEqual(["2"]);
  });

  it("lww-lamport keeps it: n3's Lamport clock moved past the counter in A's record", () => {
    const run = increment("lww-lamport");
    results.set("lww-lamport", run);
    expect(run.finalValues).toEqual(["2"]);
  });

  it("lww-truetime keeps it, and A's write waited out the clock's uncertainty before its acknowledgement", () => {
    const run = increment("lww-truetime");
    results.set("lww-truetime", run);
    expect(run.finalValues).toEqual(["2"]);
    // Commit wait: the stamp is n1's `latest`; the acknowledgement waits until n1's `earliest` passes it: the
    // interval's whole width, 2 x bound. Between the request's arrival and the reply's departure (the call's
    // latency less its two client legs) the coordinator held the acknowledgement at least that long.
    expect(run.writeLatencyMs - 2 * linkMs).toBeGreaterThanOrEqual(2 * boundMs);
  });

  it("causal keeps both: B's write carries the context of A's, so it supersedes it (one value)", () => {
    const run = increment("causal");
    results.set("causal", run);
    expect(run.finalValues).toEqual(["2"]);
  });

  afterAll(() => {
    const lines = [`skew n1 +${withinBoundSkewMs} ms, n3 -${withinBoundSkewMs} ms (TrueTime bound +-${boundMs} ms):`];
    for (const [mode, run] of results) {
      lines.push(
        `  ${mode.padEnd(12)} final x = [${run.finalValues.join(",")}]; A's write took ${run.writeLatencyMs.toFixed(2)} ms; B started ${run.gapMs.toFixed(2)} ms after A`,
      );
    }
    console.log(lines.join("\n"));
  });
});

interface BlindRun {
  readonly writes: number;
  /** Acknowledged writes that the very next read (before any other write) did not see. */
  readonly disappeared: number;
}

/**
 * Sequential blind writers (the chapter's "database writes can mysteriously
 * disappear"): writes 1..count, each started only after the previous one was
 * acknowledged, alternately through n1 (fast) and n3 (slow), none reading
 * first. After each acknowledgement an observer reads with r = all before
 * the next write starts; a write that read does not see has disappeared: an
 * earlier write outranks it. Reads move no wall clock and no TrueTime clock.
 */
function blindWrites(mode: ConflictMode, skewMs: number, count = 20): BlindRun {
  const c = cluster(mode, skewMs);
  c.sim.run({ forMs: 100 });
  let disappeared = 0;
  for (let i = 1; i <= count; i++) {
    const coordinator = i % 2 === 1 ? "n1" : "n3";
    const written = c.callAndWait("a", coordinator, { kind: "put", bucket: mode, key, value: text.encode(String(i)) });
    expect(written.ok).toBe(true);
    const seen = readValues(c.callAndWait("observer", "n2", { kind: "get", bucket: mode, key, r: 3 }));
    if (seen.length !== 1 || seen[0] !== String(i)) disappeared++;
  }
  return { writes: count, disappeared };
}

describe("sequential blind writes through a fast and a slow coordinator (3.3: writes mysteriously disappear)", () => {
  const rows: string[] = [];

  it("lww-wall: every write through the slow n3 right after one through the fast n1 disappears", () => {
    const run = blindWrites("lww-wall", withinBoundSkewMs);
    rows.push(`  lww-wall      skew +-${withinBoundSkewMs} ms: ${run.disappeared}/${run.writes} disappeared`);
    expect(run.disappeared).toBeGreaterThan(0);
  });

  it("lww-truetime: none disappears while the skew stays within the bound", () => {
    const run = blindWrites("lww-truetime", withinBoundSkewMs);
    rows.push(`  lww-truetime  skew +-${withinBoundSkewMs} ms: ${run.disappeared}/${run.writes} disappeared`);
    expect(run.disappeared).toBe(0);
  });

  it("lww-hlc and lww-lamport: none disappears, since replication carried n1's time to n3", () => {
    for (const mode of ["lww-hlc", "lww-lamport"] as const) {
      const run = blindWrites(mode, withinBoundSkewMs);
      rows.push(`  ${mode.padEnd(12)}  skew +-${withinBoundSkewMs} ms: ${run.disappeared}/${run.writes} disappeared`);
      expect(run.disappeared).toBe(0);
    }
  });

  it("lww-truetime beyond its bound: the guarantee is gone, writes disappear", () => {
    // n1's interval now lies wholly ahead of true time and n3's wholly behind it: a commit wait of
    // 2 x bound no longer covers the 2 x 1.6 x bound between their clocks.
    const run = blindWrites("lww-truetime", beyondBoundSkewMs);
    rows.push(
      `  lww-truetime  skew +-${beyondBoundSkewMs} ms (beyond the bound): ${run.disappeared}/${run.writes} disappeared`,
    );
    expect(run.disappeared).toBeGreaterThan(0);
  });

  afterAll(() => {
    console.log(`sequential blind writes, TrueTime bound +-${boundMs} ms:\n${rows.join("\n")}`);
  });
});
