/**
 * Swarm runs (VOPR's swarm testing on @skew/sim): the causal set workload
 * of the Jepsen test, on five nodes, under a random mix of every fault the
 * simulator has but bit rot, drawn per seed, beside a client that writes
 * and deletes a dozen other keys, their tombstones removed 300 ms after the
 * delete at the earliest (`swarmTombstoneRemovalDelayMsDefault`).
 * The safety properties, in causal mode: no acknowledged add is
 * ever lost, no add that failed definitely shows up, sibling counts stay
 * within the store's limit at every instant, no key whose delete was
 * acknowledged reads back a value through any node; and liveness: after
 * the faults heal, every key's replicas hold equal records
 * (`swarmSetRun` and `swarmViolations` in ../../src/sim/swarm.ts, which
 * `npm run swarm` runs over many more seeds).
 *
 * `SWARM_SEEDS=<n>` runs more or fewer seeds; `SEED=<n>` replays one (the
 * failure message prints the command).
 */
import { conflictModes, type LwwMode } from "@skew/kv";
import { runSeeds } from "@skew/sim";
import { afterAll, expect, test } from "vitest";
import { swarmSetRun, swarmViolations } from "../../src/index.js";
import { replayIn } from "../support/replay.js";

const seeds = Number(process.env.SWARM_SEEDS ?? 100);
/** Seeds per last-write-wins mode: those runs show convergence, not safety, so fewer. */
const lwwSeeds = Math.max(1, Math.floor(seeds / 15));
/**
 * A swarm seed takes about 0.35 s on a quiet 2-core machine, and four times that while `npm test` runs every
 * package at once on the same 2 cores: the budget is generous, as a time limit here tests nothing but the machine.
 */
const timeoutMs = 60_000 + seeds * 3_000;
const rows: string[] = [];

afterAll(() => {
  if (rows.length > 0)
    console.log(`swarm, set workload and deletes, ${seeds} seeds in causal mode:\n${rows.join("\n")}`);
});

const name = "swarm: causal set workload and deletes under every fault";
test(
  name,
  async () => {
    const totals = { acknowledged: 0, deletes: 0, deleted: 0, removed: 0, maxSiblings: 0, convergedMaxMs: 0 };
    const ran = await runSeeds(
      { count: seeds, env: process.env, test: name, command: replayIn(import.meta.url, name) },
      (seed) => {
        const run = swarmSetRun(seed);
        totals.acknowledged += run.report.acknowledged;
        totals.deletes += run.deletes.attempted;
        totals.deleted += run.deletes.acknowledged;
        totals.removed += run.deletes.tombstonesRemoved;
        totals.maxSiblings = Math.max(totals.maxSiblings, run.maxSiblingsSeen);
        totals.convergedMaxMs = Math.max(totals.convergedMaxMs, run.convergedAfterMs);
        if (seed <= 10 || process.env.SEED !== undefined) {
          const r = run.report;
          rows.push(
            `  seed ${String(seed).padStart(3)}: acknowledged ${String(r.acknowledged).padStart(4)}, lost ${r.lost.length}, ` +
              `unacknowledged appeared ${r.indefiniteAppeared}/${r.indefinite}, definite failures ${r.definite}, ` +
              `deletes acknowledged ${run.deletes.acknowledged}/${run.deletes.attempted} (${run.deletes.resurrected.length} came back, ` +
              `${run.deletes.tombstonesRemoved} tombstones removed), max siblings ${run.maxSiblingsSeen}, ` +
              `converged ${run.convergedAfterMs.toFixed(0)} ms after heal, ${run.faults.length} faults: ${run.nemesis.split(";")[0]}`,
          );
        }
        expect(swarmViolations(run), `${run.nemesis}\n${run.faults.join("\n")}`).toEqual([]);
      },
    );
    rows.push(
      `  causal, ${ran.length} seeds: ${totals.acknowledged} acknowledged adds, none lost; ` +
        `${totals.deleted}/${totals.deletes} deletes acknowledged, none came back; ${totals.removed} tombstones removed; ` +
        `max siblings ${totals.maxSiblings}; converged at most ${totals.convergedMaxMs.toFixed(0)} ms after heal`,
    );
  },
  timeoutMs,
);

const lwwModes = conflictModes.filter((mode): mode is LwwMode => mode !== "causal");
for (const mode of lwwModes) {
  const lwwName = `swarm: ${mode} set workload and deletes converge under every fault`;
  // Last-write-wins loses acknowledged adds by design (jepsen-set.test.ts), and a delete can lose to an older
  // write stamped later; what it still owes under faults: replicas converge after the heal (runPhases fails
  // otherwise), one value per key, and no add that failed definitely, and nothing nobody added, ever shows up.
  test(
    lwwName,
    async () => {
      let acknowledged = 0;
      let lost = 0;
      let deleted = 0;
      let cameBack = 0;
      const ran = await runSeeds(
        { count: lwwSeeds, first: 1_000, env: process.env, test: lwwName, command: replayIn(import.meta.url, lwwName) },
        (seed) => {
          const run = swarmSetRun(seed, { mode });
          expect(swarmViolations(run), `${run.nemesis}\n${run.faults.join("\n")}`).toEqual([]);
          acknowledged += run.report.acknowledged;
          lost += run.report.lost.length;
          deleted += run.deletes.acknowledged;
          cameBack += run.deletes.resurrected.length > 0 ? 1 : 0;
        },
      );
      rows.push(
        `  ${mode}, ${ran.length} seeds: ${lost}/${acknowledged} acknowledged adds lost, ` +
          `${deleted} acknowledged deletes, came back in ${cameBack} seeds (converged every time)`,
      );
    },
    timeoutMs,
  );
}
