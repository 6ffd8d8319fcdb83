/**
 * `skew demo --no-serve` from the sources: three node processes, n3's
 * clock set back, the same read-modify-write appends in three buckets.
 * Its table must say what the demonstration is for: last-write-wins by
 * wall clock lost acknowledged appends, the hybrid logical clock and the
 * causal bucket lost none. Only the demo's own numbers are fixed (every
 * append is acknowledged); how many lww-wall loses is the run's.
 */
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { exitCodes } from "../../src/cli/exit.js";
import { tempDir } from "../support/local.js";
import { connectionRefused, freePortRun, runCli } from "./support.js";

const appends = 9;
const runMsMax = 60_000;

interface Row {
  readonly bucket: string;
  readonly acknowledged: number;
  readonly kept: number;
  readonly lost: number;
}

/** The rows under the header `bucket  acknowledged  kept  lost`, up to the first blank line. */
function parseTable(stdout: string): Row[] {
  const lines = stdout.split("\n");
  const header = lines.findIndex((line) => /^\s*bucket\s+acknowledged\s+kept\s+lost\s*$/.test(line));
  if (header < 0) throw new Error(`no table in:\n${stdout}`);
  const rows: Row[] = [];
  for (const line of lines.slice(header + 1)) {
    if (line.trim() === "") break;
    const match = /^\s*(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/.exec(line);
    if (match === null) throw new Error(`not a row of the table: ${JSON.stringify(line)}`);
    rows.push({
      bucket: match[1] as string,
      acknowledged: Number(match[2]),
      kept: Number(match[3]),
      lost: Number(match[4]),
    });
  }
  return rows;
}

describe("skew demo --no-serve", () => {
  const dir = tempDir("skew-cli-demo-");
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  // The test's own bound is above the run's, so that a slow run is reported by the run's bound (with its output).
  it(`exits 0 within ${runMsMax / 1000} s; lww-wall lost appends, lww-hlc and causal lost none`, {
    timeout: runMsMax + 30_000,
  }, async () => {
    const basePort = await freePortRun(3);
    const run = await runCli(
      ["demo", "--no-serve", "--appends", String(appends), "--base-port", String(basePort), "--data-dir", dir],
      undefined,
      runMsMax,
    );
    console.log(`skew demo --no-serve --appends ${appends}: ${Math.round(run.ms)} ms`);
    expect(run.signal, `killed after ${runMsMax} ms; stdout: ${run.stdout}`).toBeNull();
    expect(run.code, run.stderr).toBe(exitCodes.ok);
    const rows = parseTable(run.stdout);
    expect(rows.map((r) => r.bucket)).toEqual(["lww-wall", "lww-hlc", "causal"]);
    for (const row of rows) {
      expect(row.acknowledged, row.bucket).toBe(appends);
      // Every acknowledged append is either in the final list or counted lost, and nothing else is in it.
      expect(row.kept + row.lost, row.bucket).toBe(row.acknowledged);
    }
    const by = Object.fromEntries(rows.map((r) => [r.bucket, r]));
    expect(by["lww-wall"]?.lost).toBeGreaterThanOrEqual(1);
    expect(by["lww-hlc"]?.lost).toBe(0);
    expect(by.causal?.lost).toBe(0);
    // --no-serve stopped the cluster: nothing listens on its ports any more.
    for (let port = basePort; port < basePort + 3; port++) expect(await connectionRefused(port)).toBe(true);
  });
});
