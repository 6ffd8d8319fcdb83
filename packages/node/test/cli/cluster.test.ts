/**
 * `skew cluster --nodes 2` from the sources, as a user runs it: it prints
 * the addresses once both nodes answer, both serve `/health`, and Ctrl-C
 * (SIGINT) stops it within 20 s with exit code 0, leaving no node process
 * behind and both ports closed. Linux only: the node processes are found
 * through /proc.
 */

import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exitCodes } from "../../src/cli/exit.js";
import { tempDir } from "../support/local.js";
import {
  alive,
  childPids,
  commandLine,
  connectionRefused,
  eventually,
  exitOf,
  freePortRun,
  sourceCli,
  spawnCli,
  waitForStdout,
} from "./support.js";

/** The brief's bound for Ctrl-C to a clean exit: each node drains (its SIGTERM), then the command returns. */
const stopMsMax = 20_000;
const nodeCount = 2;
/** How long `skew cluster` may take to print its addresses. */
const startMsMax = 120_000;

describe("skew cluster", () => {
  const dir = tempDir("skew-cli-cluster-");
  let child: ChildProcess;
  let output = "";
  let urls: string[] = [];
  let nodePids: number[] = [];

  beforeAll(async () => {
    const basePort = await freePortRun(nodeCount);
    // The command and its two nodes each load the sources through tsx: seconds of CPU apiece, many more on a
    // machine running every package's tests; a node once took more than the default 30 s to answer there. So each
    // node gets nearly the whole start bound (the hook's own bound is above the wait's, so the wait reports).
    child = spawnCli([
      "cluster",
      "--nodes",
      String(nodeCount),
      "--base-port",
      String(basePort),
      "--data-dir",
      dir,
      "--start-timeout-ms",
      String(startMsMax - 10_000),
    ]);
    output = await waitForStdout(child, /Ctrl-C stops it\./, startMsMax);
    urls = [...output.matchAll(/^ {2}n\d+ +(http:\/\/\S+)/gm)].map((m) => m[1] as string);
    nodePids = childPids(child.pid as number);
  }, startMsMax + 30_000);

  afterAll(async () => {
    // Only if a test failed half-way: the processes this test started, by their ids.
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    for (const pid of nodePids) if (alive(pid)) process.kill(pid, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("prints the address of every node, and each answers /health with 200", async () => {
    expect(output).toContain(`A ${nodeCount}-replica cluster is running:`);
    expect(urls).toHaveLength(nodeCount);
    for (const url of urls) expect((await fetch(`${url}/health`)).status).toBe(200);
    expect(nodePids).toHaveLength(nodeCount);
  });

  it("runs its nodes from the CLI it was started from (here the sources), not from a build in dist/", () => {
    // ProcessCluster spawns `node <defaultCli()> node`, and defaultCli() is always dist/cli.js: run from the
    // sources, `skew cluster` starts whatever was last built (or fails when nothing was).
    for (const pid of nodePids) {
      expect(commandLine(pid), "ProcessCluster ran the build in dist/, not the CLI `skew cluster` runs from").toContain(
        sourceCli,
      );
    }
  });

  it(`stops on SIGINT: exit 0 within ${stopMsMax / 1000} s, no node process left, both ports closed`, async () => {
    const sent = performance.now();
    child.kill("SIGINT");
    expect(await exitOf(child, stopMsMax)).toBe(exitCodes.ok);
    console.log(`skew cluster: exit 0 ${Math.round(performance.now() - sent)} ms after SIGINT`);
    expect(await eventually(() => nodePids.every((pid) => !alive(pid)), 2_000)).toBe(true);
    for (const url of urls) expect(await connectionRefused(Number(new URL(url).port))).toBe(true);
  });
});
