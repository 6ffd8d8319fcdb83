/**
 * The live driver against three real node processes (@skew/node's
 * `ProcessCluster`, run from source): the store's replies come back as the
 * simulator's client would see them, and a workload run with real faults
 * (a process paused with SIGSTOP, a clock stepped through the admin
 * endpoint) is judged by the same checkers. Everything is torn down in
 * `afterAll`, whether the tests passed or not.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Random } from "@skew/env";
import { freePort, ProcessCluster } from "@skew/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Fault, type Outcome, operations, planFaults } from "../../src/index.js";
import {
  adjustClock,
  awaitHealthy,
  HttpDriver,
  LiveError,
  type LiveNemesis,
  runLiveWorkload,
} from "../../src/live/index.js";

const sourceCli = join(import.meta.dirname, "..", "..", "..", "node", "src", "cli.ts");
const dir = mkdtempSync(join(tmpdir(), "skew-jepsen-live-"));
let cluster: ProcessCluster | undefined;
let urls: Record<string, string> = {};

beforeAll(async () => {
  const ports = await Promise.all([freePort(), freePort(), freePort()]);
  cluster = new ProcessCluster({
    nodes: 3,
    ports,
    dataDir: dir,
    cli: sourceCli,
    nodeArgs: ["--conditions=@skew/source", "--import", "tsx"],
    env: { SKEW_LOG_LEVEL: "warn" },
  });
  await cluster.start();
  urls = Object.fromEntries(cluster.nodes.map((node) => [node.id, node.url]));
  await awaitHealthy(urls);
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const bytes = (text: string) => new TextEncoder().encode(text);
const texts = (outcome: Outcome) =>
  outcome.ok && outcome.kind === "get" ? outcome.values.map((v) => new TextDecoder().decode(v)).sort() : outcome;

function call(driver: HttpDriver, node: string, request: Parameters<HttpDriver["call"]>[1]): Promise<Outcome> {
  return new Promise((resolve) => driver.client("t").call(node, request, resolve));
}

describe("HttpDriver on three real nodes", () => {
  it("returns the store's replies: siblings of blind causal writes, superseded by a write with their context", async () => {
    const driver = new HttpDriver({ nodes: urls });
    try {
      const key = `siblings-${process.pid}`;
      const [a, b] = await Promise.all([
        call(driver, "n1", { kind: "put", bucket: "causal", key, value: bytes("apples") }),
        call(driver, "n3", { kind: "put", bucket: "causal", key, value: bytes("bread") }),
      ]);
      expect(a.ok && b.ok).toBe(true);
      const read = await call(driver, "n2", { kind: "get", bucket: "causal", key, r: 3 });
      expect(texts(read)).toEqual(["apples", "bread"]);
      if (!(read.ok && read.kind === "get")) throw new Error("unreachable");
      const merged = await call(driver, "n2", {
        kind: "put",
        bucket: "causal",
        key,
        value: bytes("both"),
        context: read.context,
      });
      expect(merged).toMatchObject({ ok: true, kind: "put", siblings: 1 });
      expect(texts(await call(driver, "n1", { kind: "get", bucket: "causal", key, r: 3 }))).toEqual(["both"]);
      expect(await call(driver, "n1", { kind: "get", bucket: "lww-hlc", key })).toMatchObject({ ok: true, values: [] });
      expect(await call(driver, "n1", { kind: "get", bucket: "causal", key, r: 4 })).toMatchObject({
        ok: false,
        code: "INVALID_REQUEST",
        definite: true,
      });
      expect(driver.anomalies).toEqual([]);
    } finally {
      await driver.close();
    }
  });

  it("a set workload with SIGSTOP pauses and clock steps: causal loses no acknowledged add", async () => {
    const live = cluster as ProcessCluster;
    const nemesis: LiveNemesis = {
      begin: async (fault) => {
        if (fault.kind === "pause") live.kill(fault.node, "SIGSTOP");
        else if (fault.kind === "clock-step")
          await adjustClock(urls[fault.node] as string, live.adminToken, { jumpMs: fault.deltaMs });
      },
      end: async (fault) => {
        if (fault.kind === "pause") live.kill(fault.node, "SIGCONT");
        else if (fault.kind === "clock-step")
          await adjustClock(urls[fault.node] as string, live.adminToken, { jumpMs: -fault.deltaMs });
      },
    };
    const runMs = 2_500;
    const faults: Fault[] = [
      ...planFaults({ kind: "pause", nodes: ["n1", "n2", "n3"], fromMs: 250, toMs: 1_200, random: Random.seeded(3) }),
      ...planFaults({
        kind: "clock-step",
        nodes: ["n1", "n2", "n3"],
        fromMs: 1_300,
        toMs: 2_250,
        random: Random.seeded(4),
      }),
    ];
    expect(faults.some((f) => f.kind === "pause") && faults.some((f) => f.kind === "clock-step")).toBe(true);
    await adjustClock(urls.n1 as string, live.adminToken, { offsetMs: 50, driftPpm: 0 });
    await adjustClock(urls.n3 as string, live.adminToken, { offsetMs: -50, driftPpm: 0 });
    const driver = new HttpDriver({ nodes: urls });
    try {
      const run = await runLiveWorkload({
        driver,
        kind: "set",
        bucket: "causal",
        key: `set-${process.pid}`,
        random: Random.seeded(1),
        runMs,
        faults,
        nemesis,
      });
      console.log(
        `live set on causal: ${run.verdict.acknowledged} of ${run.verdict.attempted} adds acknowledged, ${run.verdict.lost} lost; ` +
          `faults: ${run.faults.map((f) => f.description).join("; ")}`,
      );
      expect(run.faults.map((f) => f.fault)).toEqual(faults);
      expect(run.verdict.finalRead).toBe(true);
      expect(run.verdict.acknowledged).toBeGreaterThan(0);
      expect(run.verdict.lost).toBe(0);
      expect(run.verdict.unacknowledgedAppeared).toBe(0);
      expect(run.verdict.unexpected).toBe(0);
      // The pauses were real: the client of a paused coordinator waited for it (or heard nothing in time).
      const shortestPauseMs = Math.min(...faults.filter((f) => f.kind === "pause").map((f) => f.durationMs));
      const longestOpMs = Math.max(...operations(run.ops).map((op) => (op.completeUs - op.invokeUs) / 1_000));
      expect(longestOpMs).toBeGreaterThanOrEqual(shortestPauseMs / 2);
    } finally {
      await driver.close();
      for (const id of ["n1", "n3"])
        await adjustClock(urls[id] as string, live.adminToken, { offsetMs: 0, driftPpm: 0 });
    }
    await awaitHealthy(urls);
  });

  it("refuses a clock change without the admin token (LIVE_ADMIN_FAILED)", async () => {
    await expect(adjustClock(urls.n1 as string, "not-the-token", { offsetMs: 10 })).rejects.toThrow(LiveError);
    await expect(adjustClock(urls.n1 as string, "not-the-token", { offsetMs: 10 })).rejects.toMatchObject({
      code: "LIVE_ADMIN_FAILED",
    });
  });
});
