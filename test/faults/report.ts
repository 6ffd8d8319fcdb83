/**
 * A fault run's folder and its summary: everything needed to read what
 * happened after the processes are gone.
 *
 *   schedule.json          the seed, the faults planned, those played (when they really began and ended),
 *                          and the nemesis's log (what a disk fault cut or corrupted)
 *   histories/<case>.jsonl each case's history, one operation per line (Jepsen's invoke/ok/fail/info)
 *   results.json           convergence, stale reads, every case's verdict, the laws broken
 *   summary.md             the table below and the command that replays the schedule
 *   nodes/                 the nodes' data directories and logs
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type FaultRunOptions, type FaultRunResult, unreadAfterHeal } from "./run.js";

/** `npm run test:faults -- ...` with the flags that draw the same schedule and workloads again. */
export function replayCommand(options: Omit<FaultRunOptions, "log" | "dir">): string {
  const flags = [
    `--seed ${options.seed}`,
    `--time ${options.timeMs / 1_000}`,
    `--nemesis ${options.nemeses.join(",")}`,
    `--modes ${options.modes.join(",")}`,
    ...(options.workloads === undefined ? [] : [`--workloads ${options.workloads.join(",")}`]),
    ...(options.durability === undefined ? [] : [`--durability ${options.durability}`]),
    ...(options.clockBumpMsMax === undefined ? [] : [`--clock-bump-max ${options.clockBumpMsMax / 1_000}`]),
  ];
  return `npm run test:faults -- ${flags.join(" ")}`;
}

/** The table: one row per case. */
export function summaryTable(result: FaultRunResult): string {
  const rows = [
    "| bucket | workload | ops | writes ok/tried | lost | wrong order | siblings max | failed yet appeared | fencing | deletes back |",
    "|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const c of result.cases) {
    const v = c.verdict;
    const lost = v === undefined ? "" : `${v.lost} (${v.lostPercent.toFixed(1)}%)`;
    const writes =
      v !== undefined
        ? `${v.acknowledged}/${v.attempted}`
        : c.fencing !== undefined
          ? `${c.fencing.acknowledged}/${c.fencing.attempted}`
          : c.deletes !== undefined
            ? `${c.deletes.deleted} deleted`
            : "";
    rows.push(
      `| ${c.bucket} | ${c.workload} | ${c.ops} | ${writes} | ${lost} | ${v?.wrongOrder ?? ""} | ${v?.siblingsMax ?? ""} | ${
        v?.unacknowledgedAppeared ?? ""
      } | ${c.fencing === undefined ? "" : `${c.fencing.violations.length} violations`} | ${
        c.deletes === undefined ? "" : c.deletes.resurrected.length
      } |`,
    );
  }
  return rows.join("\n");
}

export function summary(result: FaultRunResult): string {
  const { options } = result;
  const unread = unreadAfterHeal(result);
  const laws =
    result.lawsBroken.length === 0
      ? "Every law held."
      : ["Laws broken:", ...result.lawsBroken.map((line) => `- ${line}`)].join("\n");
  return [
    `# Fault run, seed ${result.seed}`,
    "",
    `${options.timeMs / 1_000} s of workload, nemeses ${options.nemeses.join(", ") || "none"}, buckets ${options.modes.join(
      ", ",
    )}, ${options.durability ?? "sync"} durability; ${result.played.length} faults played; took ${(
      result.elapsedMs / 1_000
    ).toFixed(1)} s.`,
    "",
    `Healed: ${result.convergence.converged ? "yes" : "NO"} after ${(result.convergence.tookMs / 1_000).toFixed(1)} s ` +
      `(every node hears every other: ${result.convergence.membershipHealed ? "yes" : "no"}; Merkle roots agree: ${
        result.convergence.report.converged ? "yes" : "no"
      }; hints left: ${result.convergence.hintsPending}).`,
    "",
    summaryTable(result),
    "",
    laws,
    "",
    ...(unread.length === 0
      ? []
      : ["Reads after the heal that failed (reported, not judged):", ...unread.map((line) => `- ${line}`), ""]),
    `Replay the schedule: \`${replayCommand(options)}\``,
    "",
  ].join("\n");
}

/** Writes the folder (see the module comment); returns the summary's path. */
export async function writeRunFolder(dir: string, result: FaultRunResult): Promise<string> {
  await mkdir(join(dir, "histories"), { recursive: true });
  const json = (value: unknown) => `${JSON.stringify(value, replacer, 2)}\n`;
  await writeFile(
    join(dir, "schedule.json"),
    json({ seed: result.seed, planned: result.planned, played: result.played, events: result.events }),
  );
  for (const [name, ops] of result.histories) {
    await writeFile(join(dir, "histories", `${name}.jsonl`), ops.map((op) => JSON.stringify(op, replacer)).join("\n"));
  }
  const { histories: _histories, planned: _planned, played: _played, events: _events, ...rest } = result;
  await writeFile(join(dir, "results.json"), json(rest));
  const path = join(dir, "summary.md");
  await writeFile(path, summary(result));
  return path;
}

/** Bytes as base64, sets and maps as arrays: a history's values as JSON. */
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return { base64: Buffer.from(value).toString("base64") };
  if (value instanceof Set) return [...value];
  if (value instanceof Map) return Object.fromEntries(value);
  if (typeof value === "bigint") return value.toString();
  return value;
}
