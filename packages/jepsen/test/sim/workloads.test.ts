/**
 * The lost-update workloads (src/workloads/suite.ts) on a simulated
 * 3-replica cluster, judged by `judge` (src/verdict.ts): the laws each
 * conflict mode owes, with numbers that come out of the runs. n1 runs
 * 50 ms fast and n3 50 ms slow (100 ms apart), the chapter's skew. Each
 * test runs its seeds through `runSeeds`, so a failure names the seed and
 * the command that replays it.
 */
import { Random } from "@skew/env";
import { type ConflictMode, conflictModes, type LwwMode } from "@skew/kv";
import { runSeeds } from "@skew/sim";
import { describe, expect, it } from "vitest";
import { planFaults, simulateWorkload, type Verdict, type WorkloadKind, workloadKinds } from "../../src/index.js";
import { replayIn } from "../support/replay.js";

const skewed = { n1: +50, n3: -50 };
const lwwModes = conflictModes.filter((mode): mode is LwwMode => mode !== "causal");

function run(mode: ConflictMode, kind: WorkloadKind, seed: number, withPartitions = false): Verdict {
  const faults = withPartitions
    ? planFaults({
        kind: "partition",
        nodes: ["n1", "n2", "n3"],
        fromMs: 100,
        toMs: 900,
        random: Random.seeded(seed).fork(),
      })
    : [];
  return simulateWorkload({ seed, mode, kind, clockOffsetsMs: skewed, faults }).verdict;
}

/** `it(name)` over `count` seeds from `first`, each failure naming its seed and replay command. */
function seeded(name: string, first: number, count: number, body: (seed: number) => void): void {
  it(name, async () => {
    await runSeeds({ count, first, env: process.env, test: name, command: replayIn(import.meta.url, name) }, body);
  });
}

describe("every workload, every mode: honest (nothing invented, no definite failure taken effect)", () => {
  for (const kind of workloadKinds) {
    seeded(`${kind}: causal loses no acknowledged write through partitions; no mode invents a value`, 2, 1, (seed) => {
      for (const mode of conflictModes) {
        const verdict = run(mode, kind, seed, true);
        expect(verdict.acknowledged, `${mode}: the workload did something`).toBeGreaterThan(0);
        expect(verdict.finalRead).toBe(true);
        expect(verdict.unexpected).toBe(0);
        expect(verdict.unacknowledgedAppeared).toBe(0);
        if (mode === "causal") expect(verdict.lost, `${mode} ${kind}`).toBe(0);
        else expect(verdict.siblingsMax, `${mode} ${kind}: LWW surfaces no sibling`).toBeLessThanOrEqual(1);
      }
    });
  }
});

describe("sequential writers under 100 ms of skew (3.3: writes mysteriously disappear)", () => {
  seeded("lww-wall loses writes, each one overwritten by an older write from the fast clock", 1, 2, (seed) => {
    const verdict = run("lww-wall", "sequential", seed);
    expect(verdict.lost).toBeGreaterThan(0);
    expect(verdict.wrongOrder).toBe(verdict.lost);
  });

  seeded("lww-hlc and lww-lamport lose none: the read's context carries the time forward", 1, 2, (seed) => {
    for (const mode of ["lww-hlc", "lww-lamport"] as const) {
      const verdict = run(mode, "sequential", seed);
      expect(verdict.acknowledged).toBeGreaterThan(10);
      expect(verdict.lost, mode).toBe(0);
    }
  });

  seeded("causal loses none and surfaces no siblings: each write supersedes what its read saw", 1, 2, (seed) => {
    const verdict = run("causal", "sequential", seed);
    expect(verdict.lost).toBe(0);
    expect(verdict.siblingsSurfaced).toBe(0);
  });
});

describe("concurrent read-modify-writes: no clock saves them, siblings do", () => {
  for (const kind of ["set", "counter"] as const) {
    seeded(`${kind}: every LWW mode loses acknowledged updates; causal surfaces siblings, loses none`, 1, 1, (seed) => {
      for (const mode of lwwModes) expect(run(mode, kind, seed).lost, mode).toBeGreaterThan(0);
      const causal = run("causal", kind, seed);
      expect(causal.lost).toBe(0);
      expect(causal.siblingsSurfaced).toBeGreaterThan(0);
    });
  }
});

describe("simulateWorkload is a function of its seed", () => {
  seeded("one seed, one trace and one verdict; another seed, another trace", 7, 1, (seed) => {
    const once = (s: number) => simulateWorkload({ seed: s, mode: "lww-wall", kind: "blind", clockOffsetsMs: skewed });
    const [a, b] = [once(seed), once(seed)];
    expect(b.traceHash).toBe(a.traceHash);
    expect(b.verdict).toEqual(a.verdict);
    expect(b.cluster.history.toJsonLines()).toBe(a.cluster.history.toJsonLines());
    expect(once(seed + 1).traceHash).not.toBe(a.traceHash);
  });
});

describe("simulateWorkload's checks", () => {
  it("name a bad run length whatever it is, even a value whose conversion to text throws", () => {
    for (const bad of [{ toString: 0 }, Object.create(null), Symbol()] as never[]) {
      expect(() => simulateWorkload({ seed: 1, mode: "lww-wall", kind: "blind", runMs: bad })).toThrow(
        /^simulateWorkload: runMs must be > 0, got an? \w+$/,
      );
    }
  });
});
