/**
 * The chapter's zombie (section 4.3, "Fencing with multiple replicas"): the
 * leaseholder with token 33 checks its lease and starts a write, then its
 * process pauses (a long GC); the lease expires and a new leaseholder gets
 * token 34 and writes to a quorum, but cannot reach replica n3. The zombie
 * wakes and finishes its write, through n3. "Its write may succeed at
 * Replica 3 even though it is ignored by replicas 1 and 2. This is not a
 * problem, since a subsequent quorum read will prefer the write from Client
 * 2 with the greater timestamp."
 *
 * Last-write-wins buckets put the token in the stamp's most significant
 * place, so the token-34 write outranks the zombie's whatever the clocks say.
 * Causal buckets keep each sibling's token and supersede a sibling below the
 * record's fence when versions merge (record.ts), so there too the zombie's
 * write, stored at n3, is gone once n3 meets token 34: by read repair or by
 * anti-entropy. In every mode a replica that has seen 34 refuses a write
 * carrying 33, with `FENCED`; the coordinator waits for every replica's
 * answer and labels the failure definite exactly when none accepted.
 */
import { type ConflictMode, conflictModes, type KvRecord, liveValues } from "@skew/kv";
import { afterAll, describe, expect, it } from "vitest";
import { KvCluster, type Outcome, text } from "../../src/index.js";

const nodes = ["n1", "n2", "n3"];
const key = "locked-file";
const zombieToken = 33;
const leaseholderToken = 34;
/** The zombie's GC pause: far longer than the whole new lease's write. */
const pauseMs = 1_000;

function holds(record: KvRecord | undefined, value: string): boolean {
  if (record === undefined) return false;
  const values = record.kind === "lww" ? [record.value] : record.set.values().map((sibling) => sibling.value);
  return values.some((v) => v !== null && text.decode(v) === value);
}

/** What a replica stores for the key, values only (tombstones left out), sorted. */
function stored(c: KvCluster, id: string, mode: ConflictMode): string[] {
  const record = c.node(id).localRecord(mode, key);
  return record === undefined ? [] : liveValues(record).map(text.decode).sort();
}

function fenceAt(c: KvCluster, id: string, mode: ConflictMode): number | undefined {
  const record = c.node(id).localRecord(mode, key);
  return record === undefined ? undefined : record.kind === "lww" ? record.stamp.fence : record.fence;
}

function values(outcome: Outcome): string[] {
  if (!outcome.ok || outcome.kind !== "get") throw new Error(`read failed: ${JSON.stringify(outcome)}`);
  return outcome.values.map(text.decode).sort();
}

interface ZombieRun {
  readonly zombieOutcome: Outcome;
  /** Replicas that hold the zombie's value right after its write finished. */
  readonly zombieStoredAt: string[];
  /** Replicas that hold it once the replicas have converged (by reads and read repair, or by anti-entropy alone). */
  readonly zombieStoredAfter: string[];
  /** Anti-entropy only: ms from the zombie's reply until every replica stored exactly the token-34 write. */
  readonly convergedAfterMs: number | undefined;
  readonly quorumRead: string[];
  readonly fullRead: string[];
  readonly cluster: KvCluster;
}

/**
 * One run of the scenario. `n3MissesLease`: the new leaseholder's write does
 * not reach n3 (the chapter's case), so n3 has not seen token 34 when the
 * zombie's write reaches it. `convergence`: `"read"`, quorum reads from every
 * node then a full read (read repair brings n3 the token-34 version);
 * `"anti-entropy"`, no read until anti-entropy alone (every 50 ms, 8
 * partitions) has brought every replica the same record.
 */
function zombie(mode: ConflictMode, n3MissesLease: boolean, convergence: "read" | "anti-entropy" = "read"): ZombieRun {
  const c = new KvCluster({
    seed: 33,
    nodes,
    clients: ["zombie", "leaseholder", "reader"],
    buckets: { [mode]: mode },
    ...(convergence === "anti-entropy" ? { partitions: 8, repair: { antiEntropyIntervalMs: 50 } } : {}),
  });
  const { sim } = c;
  // 1. The old leaseholder writes under token 33: every replica learns 33.
  const first = c.callAndWait("zombie", "n1", {
    kind: "put",
    bucket: mode,
    key,
    value: text.encode("written with 33"),
    fence: zombieToken,
    w: 3,
  });
  expect(first.ok).toBe(true);
  const zombieRead = c.callAndWait("zombie", "n1", { kind: "get", bucket: mode, key });
  if (!zombieRead.ok || zombieRead.kind !== "get") throw new Error("the zombie's read failed");

  // 2. It checks its lease (valid), starts its next write, and pauses before the request leaves.
  let zombieOutcome: Outcome | undefined;
  let n3FenceAtWake: number | undefined;
  c.client("zombie").after(1, () => {
    n3FenceAtWake = fenceAt(c, "n3", mode);
    c.client("zombie").call(
      "n3",
      {
        kind: "put",
        bucket: mode,
        key,
        value: text.encode("zombie's write"),
        context: zombieRead.context,
        fence: zombieToken,
      },
      (outcome) => {
        zombieOutcome = outcome;
      },
    );
  });
  sim.node("zombie").pause(pauseMs);
  const wakeAtMs = sim.nowMs + pauseMs;

  // 3. The lease expires; the new leaseholder (token 34) reads and writes to a quorum, n3 cut off.
  sim.run({ forMs: 100 });
  if (n3MissesLease) sim.partition(["n3"], ["n1", "n2"]);
  const read = c.callAndWait("leaseholder", "n1", { kind: "get", bucket: mode, key });
  if (!read.ok || read.kind !== "get") throw new Error("the leaseholder's read failed");
  const leased = c.callAndWait("leaseholder", "n1", {
    kind: "put",
    bucket: mode,
    key,
    value: text.encode("written with 34"),
    context: read.context,
    fence: leaseholderToken,
  });
  expect(leased).toMatchObject({ ok: true });
  // n3 stays cut off until just before the zombie wakes, so no repair reaches it first; then it can talk again.
  sim.run({ forMs: wakeAtMs - sim.nowMs - 1 });
  sim.heal();

  // 4. The zombie wakes and sends its write, under token 33, to n3.
  sim.run({ forMs: pauseMs, until: () => zombieOutcome !== undefined });
  if (zombieOutcome === undefined) throw new Error("the zombie's write never finished");
  // The scenario is the chapter's only if n3 had not heard of 34 when the zombie sent its write.
  expect(n3FenceAtWake).toBe(n3MissesLease ? zombieToken : leaseholderToken);
  const zombieStoredAt = nodes.filter((id) => holds(c.node(id).localRecord(mode, key), "zombie's write"));

  // 5. Convergence by anti-entropy alone, when asked: no client reads until every replica stores the same values.
  let convergedAfterMs: number | undefined;
  if (convergence === "anti-entropy") {
    const repliedAtMs = sim.nowMs;
    const converged = (): boolean => nodes.every((id) => stored(c, id, mode).join() === "written with 34");
    sim.run({ forMs: 10_000, until: converged });
    if (converged()) convergedAfterMs = sim.nowMs - repliedAtMs;
  }
  // 6. A quorum read, from each node in turn (r = 2 meets n3 and one that saw 34, or both that saw 34).
  const quorumReads = nodes.map((id) => values(c.callAndWait("reader", id, { kind: "get", bucket: mode, key, r: 2 })));
  for (const other of quorumReads) expect(other).toEqual(quorumReads[0]);
  sim.run({ forMs: 50 });
  const fullRead = values(c.callAndWait("reader", "n2", { kind: "get", bucket: mode, key, r: 3 }));
  sim.run({ forMs: 50 });
  const zombieStoredAfter = nodes.filter((id) => holds(c.node(id).localRecord(mode, key), "zombie's write"));
  return {
    zombieOutcome,
    zombieStoredAt,
    zombieStoredAfter,
    convergedAfterMs,
    quorumRead: quorumReads[0] as string[],
    fullRead,
    cluster: c,
  };
}

const rows: string[] = [];

function note(mode: ConflictMode, scenario: string, run: ZombieRun): void {
  const outcome = run.zombieOutcome;
  const label = outcome.ok ? "ok" : `${outcome.code} ${outcome.definite ? "definite" : "indefinite"}`;
  const converged =
    run.convergedAfterMs === undefined ? "" : `, every replica equal ${run.convergedAfterMs.toFixed(0)} ms later`;
  rows.push(
    `  ${mode.padEnd(12)} ${scenario.padEnd(24)} zombie: ${label.padEnd(19)} stored at [${run.zombieStoredAt.join(",")}], after [${run.zombieStoredAfter.join(",")}]${converged}  quorum read: ${JSON.stringify(run.quorumRead)}`,
  );
}

afterAll(() => {
  console.log(
    `the zombie (token ${zombieToken}) after the leaseholder (token ${leaseholderToken}):\n${rows.join("\n")}`,
  );
});

describe.each(conflictModes)("%s: the zombie with token 33 after a leaseholder with token 34", (mode) => {
  it("n3 missed token 34: refused with FENCED where 34 was seen, indefinite (n3 stored it), and every quorum read returns exactly the 34 write", () => {
    const run = zombie(mode, true);
    note(mode, "n3 missed 34, reads", run);
    // n3 had not seen 34, so it took the write (the chapter's "may succeed at Replica 3"): the failure
    // must be indefinite, since a definite failure promises that nothing was written anywhere.
    expect(run.zombieOutcome).toMatchObject({ ok: false, code: "FENCED", definite: false });
    expect(run.zombieStoredAt).toEqual(["n3"]);
    // The refusals came from the replicas that had seen 34.
    expect(nodes.map((id) => run.cluster.node(id).stats.writesFenced)).toEqual([1, 1, 0]);
    // LWW: the fence is the stamp's most significant part. Causal: the zombie's sibling is below the fence.
    expect(run.quorumRead).toEqual(["written with 34"]);
    expect(run.fullRead).toEqual(["written with 34"]);
    // Read repair brought n3 the token-34 version, which superseded the zombie's write there too.
    expect(run.zombieStoredAfter).toEqual([]);
    for (const id of nodes) expect(stored(run.cluster, id, mode)).toEqual(["written with 34"]);
  });

  it("n3 missed token 34: anti-entropy alone supersedes the zombie's write at n3", () => {
    const run = zombie(mode, true, "anti-entropy");
    note(mode, "n3 missed 34, AE only", run);
    expect(run.zombieOutcome).toMatchObject({ ok: false, code: "FENCED", definite: false });
    expect(run.zombieStoredAt).toEqual(["n3"]);
    expect(run.convergedAfterMs).toBeDefined();
    expect(run.zombieStoredAfter).toEqual([]);
    expect(run.quorumRead).toEqual(["written with 34"]);
    expect(run.fullRead).toEqual(["written with 34"]);
  });

  it("every replica saw token 34: refused by all three, definite (nothing stored), and the reads return the 34 write", () => {
    const run = zombie(mode, false);
    note(mode, "all saw 34", run);
    // The coordinator waited for every replica's answer: none accepted, so the label is the precise one.
    expect(run.zombieOutcome).toMatchObject({ ok: false, code: "FENCED", definite: true });
    expect(run.zombieStoredAt).toEqual([]);
    expect(run.quorumRead).toEqual(["written with 34"]);
    expect(run.fullRead).toEqual(["written with 34"]);
  });

  it("a client that read the 34 write is checked against 34 even through a replica that has not seen it", () => {
    const c = new KvCluster({ seed: 34, nodes, clients: ["leaseholder", "stale"], buckets: { [mode]: mode } });
    const first = c.callAndWait("leaseholder", "n1", {
      kind: "put",
      bucket: mode,
      key,
      value: text.encode("written with 33"),
      fence: zombieToken,
      w: 3,
    });
    expect(first.ok).toBe(true);
    c.sim.partition(["n3"], ["n1", "n2"]);
    const leased = c.callAndWait("leaseholder", "n1", {
      kind: "put",
      bucket: mode,
      key,
      value: text.encode("written with 34"),
      fence: leaseholderToken,
    });
    expect(leased.ok).toBe(true);
    const read = c.callAndWait("stale", "n1", { kind: "get", bucket: mode, key });
    if (!read.ok || read.kind !== "get") throw new Error("the read failed");
    expect(read.values.map(text.decode)).toEqual(["written with 34"]);
    expect(fenceAt(c, "n3", mode)).toBe(zombieToken);
    // It writes under the old token with the context of what it read, through n3, which never heard of 34.
    const stale = c.callAndWait("stale", "n3", {
      kind: "put",
      bucket: mode,
      key,
      value: text.encode("stale write"),
      context: read.context,
      fence: zombieToken,
    });
    expect(stale).toMatchObject({ ok: false, code: "FENCED", definite: true });
    expect(nodes.filter((id) => holds(c.node(id).localRecord(mode, key), "stale write"))).toEqual([]);
    // The same write under the token it read is taken.
    const current = c.callAndWait("stale", "n3", {
      kind: "put",
      bucket: mode,
      key,
      value: text.encode("stale write"),
      context: read.context,
      fence: leaseholderToken,
      w: 1,
    });
    expect(current).toMatchObject({ ok: true });
  });
});

describe("the label of a refused write waits for every replica, up to the deadline", () => {
  it("two refuse and the third is cut off: FENCED, indefinite, at the deadline (the silent one may have stored it)", () => {
    const mode = "lww-hlc";
    const c = new KvCluster({ seed: 35, nodes, clients: ["leaseholder", "zombie"], buckets: { [mode]: mode } });
    const leased = c.callAndWait("leaseholder", "n1", {
      kind: "put",
      bucket: mode,
      key,
      value: text.encode("written with 34"),
      fence: leaseholderToken,
      w: 3,
    });
    expect(leased.ok).toBe(true);
    c.sim.partition(["n3"], ["n1", "n2"]);
    const startMs = c.sim.nowMs;
    const timeoutMs = 300;
    const refused = c.callAndWait("zombie", "n1", {
      kind: "put",
      bucket: mode,
      key,
      value: text.encode("zombie's write"),
      fence: zombieToken,
      timeoutMs,
    });
    // n1 and n2 refused at once, which put W = 2 out of reach; n3 never answered, so nothing can be promised.
    expect(refused).toMatchObject({ ok: false, code: "FENCED", definite: false, got: 0, need: 2 });
    expect(c.sim.nowMs - startMs).toBeGreaterThanOrEqual(timeoutMs);
    expect(nodes.map((id) => c.node(id).stats.writesFenced)).toEqual([1, 1, 0]);
  });
});
