/**
 * The bounded fault suite CI runs: every nemesis at least once, against a
 * causal bucket and an LWW one (`lww-wall`, the mode clock faults hurt
 * most) at the same time, on five real node processes in network
 * namespaces, with all five workloads. Four runs of 15 s of workload each,
 * the nemeses grouped so that each run combines partitions, a packet
 * fault, a process fault and a clock fault; the unsynced-write nemesis
 * needs relaxed durability and has a cluster of its own. Each run has one
 * process nemesis: the process faults share a lane, and a restart slowed
 * down by CI's other tests would push a second one past the workload.
 *
 * The seed is drawn per run (or taken from SKEW_FAULT_SEED) and printed
 * with the command that replays its schedule: CI explores a new schedule
 * each time, and a failure names the one that broke.
 *
 * Longer runs: `npm run test:faults -- --time 600 --nemesis all --seed <n>`.
 */
import { randomInt } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type NemesisName, nemesisNames } from "./nemesis/schedule.js";
import { replayCommand, summary, writeRunFolder } from "./report.js";
import { runFaults } from "./run.js";

const groups: readonly { readonly nemeses: readonly NemesisName[]; readonly durability: "sync" | "relaxed" }[] = [
  { nemeses: ["partition-isolate", "partition-links", "loss", "kill", "clock-bump"], durability: "sync" },
  { nemeses: ["partition-halves", "partition-bridge", "delay", "pause", "clock-strobe"], durability: "sync" },
  { nemeses: ["partition-asymmetric", "disk-corrupt", "clock-drift"], durability: "sync" },
  { nemeses: ["disk-unsynced", "partition-isolate", "loss"], durability: "relaxed" },
];
const timeMs = 15_000;
const modes = ["causal", "lww-wall"] as const;
/**
 * Bumps of 1 to 20 s: a node bumped forward keeps its HLC that far ahead after the bump ends, and its peers
 * refuse it until real time catches up, so a bump of minutes would hold the convergence check for minutes.
 * Long runs (`npm run test:faults`) bump by up to two minutes.
 */
const clockBumpMsMax = 20_000;
/** Lab and cluster start, 15 s of workload, heal, convergence and final reads: about a minute; four on a busy CI. */
const runTimeoutMs = 300_000;

function seedOf(): number {
  const fixed = process.env.SKEW_FAULT_SEED;
  return fixed === undefined ? randomInt(0, 2 ** 31) : Number(fixed);
}

describe("fault injection on five real nodes in network namespaces", () => {
  it("covers every nemesis", () => {
    const covered = new Set(groups.flatMap((group) => group.nemeses));
    expect([...nemesisNames].filter((name) => !covered.has(name))).toEqual([]);
  });

  for (const { nemeses, durability } of groups) {
    it(
      `${nemeses.join(", ")} (${durability}): nothing acknowledged lost in causal, LWW's losses measured`,
      async () => {
        const seed = seedOf();
        const options = { seed, timeMs, nemeses, modes, durability, clockBumpMsMax } as const;
        const dir = await mkdtemp(join(tmpdir(), `skew-faults-${seed}-`));
        const replay = replayCommand(options);
        // Kept unless the run passes: a failure's folder holds the histories and the nodes' logs.
        let kept = true;
        try {
          const result = await runFaults({ ...options, dir });
          await writeRunFolder(dir, result);
          const context = `seed ${seed}; replay: ${replay}; folder: ${dir}\n${summary(result)}`;
          // Every nemesis of the group happened.
          const played = new Set(result.played.map((fault) => fault.kind));
          for (const name of nemeses) expect(played.has(name), `${name} never played; ${context}`).toBe(true);
          // The laws: see run.ts. LWW's losses are reported, not failed.
          expect(result.lawsBroken, context).toEqual([]);
          // Every case was judged on a final read, in both modes, and the workloads did work.
          for (const c of result.cases) {
            if (c.verdict !== undefined) {
              expect(c.verdict.finalRead, `${c.bucket}/${c.workload}; ${context}`).toBe(true);
              expect(c.verdict.acknowledged, `${c.bucket}/${c.workload}; ${context}`).toBeGreaterThan(0);
            }
            if (c.fencing !== undefined) expect(c.fencing.acknowledged, context).toBeGreaterThan(0);
          }
          // The disk faults left their evidence: a corruption the restarted node's checksums caught, a log cut.
          if (nemeses.includes("disk-corrupt")) {
            expect(result.disk.corruptions, context).toBeGreaterThan(0);
            expect(result.disk.corruptionsCaught.length, context).toBe(result.disk.corruptions);
          }
          if (nemeses.includes("disk-unsynced")) expect(result.disk.logBytesCut.length, context).toBeGreaterThan(0);
          process.stdout.write(`fault run passed: ${replay}\n`);
          kept = false;
        } finally {
          if (kept) process.stderr.write(`fault run failed; its folder is kept: ${dir}\nreplay: ${replay}\n`);
          else await rm(dir, { recursive: true, force: true });
        }
      },
      runTimeoutMs,
    );
  }
});
