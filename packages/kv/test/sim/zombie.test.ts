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
 * In every mode a replica that has seen 34 refuses a write carrying 33, with
 * `FENCED`; the failure is definite only when nothing was written anywhere.
 */
import { type ConflictMode, conflictModes, type KvRecord } from "@skew/kv";
import { afterAll, describe, expect, it } from "vitest";
import { KvCluster, type Outcome, text } from "../support/cluster.js";

const nodes = ["n1", "n2", "n3"];
const key = "locked-file";
const zombieToken = 33;
const leaseholderToken = 34;
/** The zombie's GC pause: far longer than the whole new lease's write. */
const pauseMs = 1_000;

function holds(record: KvRecord | undefined, value: string): boolean {
  if (record === undefined) return false;
  const values = record.kind === "lww" ? [record.value] : record.set.values();
  return values.some((v) => v !== null && text.decode(v) === value);
}

function values(outcome: Outcome): string[] {
  if (!outcome.ok || outcome.kind !== "get") throw new Error(`read failed: ${JSON.stringify(outcome)}`);
  return outcome.values.map(text.decode).sort();
}

interface ZombieRun {
  readonly zombieOutcome: Outcome;
  /** Replicas that hold the zombie's value right after its write finished. */
  readonly zombieStoredAt: string[];
  readonly quorumRead: string[];
  readonly fullRead: string[];
  readonly cluster: KvCluster;
}

/**
 * One run of the scenario. `n3MissesLease`: the new leaseholder's write does
 * not reach n3 (the chapter's case), so n3 has not seen token 34 when the
 * zombie's write reaches it.
 */
function zombie(mode: ConflictMode, n3MissesLease: boolean): ZombieRun {
  const c = new KvCluster({ seed: 33, nodes, clients: ["zombie", "leaseholder", "reader"], buckets: { [mode]: mode } });
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
    const record = c.node("n3").localRecord(mode, key);
    n3FenceAtWake = record === undefined ? undefined : record.kind === "lww" ? record.stamp.fence : record.fence;
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

  // 5. A quorum read, from each node in turn (r = 2 meets n3 and one that saw 34, or both that saw 34).
  const quorumReads = nodes.map((id) => values(c.callAndWait("reader", id, { kind: "get", bucket: mode, key, r: 2 })));
  for (const other of quorumReads) expect(other).toEqual(quorumReads[0]);
  sim.run({ forMs: 50 });
  const fullRead = values(c.callAndWait("reader", "n2", { kind: "get", bucket: mode, key, r: 3 }));
  return { zombieOutcome, zombieStoredAt, quorumRead: quorumReads[0] as string[], fullRead, cluster: c };
}

const rows: string[] = [];

function note(mode: ConflictMode, scenario: string, run: ZombieRun): void {
  const outcome = run.zombieOutcome;
  const label = outcome.ok ? "ok" : `${outcome.code} ${outcome.definite ? "definite" : "indefinite"}`;
  rows.push(
    `  ${mode.padEnd(12)} ${scenario.padEnd(17)} zombie: ${label.padEnd(19)} stored at [${run.zombieStoredAt.join(",")}]  quorum read: ${JSON.stringify(run.quorumRead)}`,
  );
}

afterAll(() => {
  console.log(
    `the zombie (token ${zombieToken}) after the leaseholder (token ${leaseholderToken}):\n${rows.join("\n")}`,
  );
});

describe.each(conflictModes)("%s: the zombie with token 33 after a leaseholder with token 34", (mode) => {
  it("n3 missed token 34: the zombie's write is refused with FENCED where 34 was seen, and the quorum read returns the 34 write", () => {
    const run = zombie(mode, true);
    note(mode, "n3 missed 34", run);
    expect(run.zombieOutcome).toMatchObject({ ok: false, code: "FENCED" });
    if (run.zombieOutcome.ok) throw new Error("unreachable");
    // n3 had not seen 34, so it took the write (the chapter's "may succeed at Replica 3"): the failure
    // must be indefinite, since a definite failure promises that nothing was written anywhere.
    expect(run.zombieStoredAt).toEqual(["n3"]);
    expect(run.zombieOutcome.definite).toBe(false);
    // The refusals came from the replicas that had seen 34.
    expect(nodes.map((id) => run.cluster.node(id).stats.writesFenced)).toEqual([1, 1, 0]);
    expect(run.quorumRead).toContain("written with 34");
    expect(run.fullRead).toContain("written with 34");
    if (mode !== "causal") {
      // The fence is the stamp's most significant part: the zombie's later stamp loses.
      expect(run.quorumRead).toEqual(["written with 34"]);
      expect(run.fullRead).toEqual(["written with 34"]);
      return;
    }
    // A causal bucket keeps what n3 accepted beside the 34 write, never in its place (the fence is kept per
    // key, not per sibling, so a merge cannot tell under which token a sibling was written). The
    // leaseholder's next write, with the context of its read, supersedes every sibling it saw.
    const c = run.cluster;
    const read = c.callAndWait("leaseholder", "n2", { kind: "get", bucket: mode, key, r: 3 });
    if (!read.ok || read.kind !== "get") throw new Error("the leaseholder's read failed");
    const resolved = c.callAndWait("leaseholder", "n2", {
      kind: "put",
      bucket: mode,
      key,
      value: text.encode("resolved under 34"),
      context: read.context,
      fence: leaseholderToken,
      w: 3,
    });
    expect(resolved.ok).toBe(true);
    expect(values(c.callAndWait("reader", "n3", { kind: "get", bucket: mode, key, r: 3 }))).toEqual([
      "resolved under 34",
    ]);
  });

  it("every replica saw token 34: the zombie's write is refused everywhere and nothing of it is stored", () => {
    const run = zombie(mode, false);
    note(mode, "all saw 34", run);
    expect(run.zombieOutcome).toMatchObject({ ok: false, code: "FENCED" });
    expect(run.zombieStoredAt).toEqual([]);
    // Nothing was written, so either label is truthful ("may have been written" is never a lie);
    // a definite label is the precise one. Which one the coordinator can give is printed above.
    expect(run.quorumRead).toEqual(["written with 34"]);
    expect(run.fullRead).toEqual(["written with 34"]);
  });
});
