/**
 * `POST /admin/demo/lost-update` (routes/demo.ts, demo/lost-update.ts) on a
 * live 3-node cluster: with n3's clock 400 ms behind, `lww-wall` loses
 * acknowledged appends made through n3, each explained by an earlier write
 * stamped above it; `causal` loses none; one run at a time; n3's clock is
 * put back afterwards, also when the run fails.
 */
import type { ClusterView, DemoWrite, LostUpdateRun } from "@skew/client/api";
import { demoAppendsDefault } from "@skew/client/api";
import { Compile } from "typebox/compile";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DemoError, runLostUpdate } from "../../src/demo/lost-update.js";
import { LostUpdateRunSchema } from "../../src/routes/schemas.js";
import { expectError } from "../http/support.js";
import { type LocalCluster, startLocalCluster } from "../support/local.js";
import { bearer, postJson } from "./support.js";

const runSchema = Compile(LostUpdateRunSchema);
/** What n3's clock is set to before each run: the run must put exactly this back. */
const priorOffsetMs = 25;

describe("the lost-update demonstration on a live 3-node cluster", () => {
  let cluster: LocalCluster;
  let n1: string;
  let n3: string;

  const offsetOfN3 = async (): Promise<number> =>
    ((await (await fetch(`${n3}/cluster`)).json()) as ClusterView).clock.offsetMs;

  const run = async (body: unknown): Promise<LostUpdateRun> => {
    const response = await postJson(`${n1}/admin/demo/lost-update`, body, { authorization: bearer });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    const parsed = JSON.parse(text) as LostUpdateRun;
    expect(runSchema.Check(parsed), JSON.stringify([...runSchema.Errors(parsed)])).toBe(true);
    return parsed;
  };

  beforeAll(async () => {
    cluster = await startLocalCluster(3);
    [n1, , n3] = cluster.urls as [string, string, string];
    const set = await postJson(`${n3}/admin/clock`, { offsetMs: priorOffsetMs }, { authorization: bearer });
    expect(set.status).toBe(200);
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it("lww-wall: appends through n3 are lost, each beaten by an earlier write stamped higher; n3's clock is put back", async () => {
    const result = await run({ bucket: "lww-wall" });
    expect(result).toMatchObject({ bucket: "lww-wall", mode: "lww-wall", skewed: "n3", skewMs: -400 });
    expect(result.writes.map((w) => w.index)).toEqual([...Array(demoAppendsDefault).keys()]);
    expect(result.writes.map((w) => w.via)).toEqual(
      Array.from({ length: demoAppendsDefault }, (_, i) => `n${(i % 3) + 1}`),
    );
    for (const w of result.writes) {
      expect(w.error).toBeNull();
      expect(w.item).toBe(`${w.index}@${w.via}`);
      expect(w.context).toBe(`l.0.${w.stamp}`);
      expect(w.ackedAtMs).toBeGreaterThanOrEqual(w.startedAtMs);
    }
    expect(result.acknowledged).toBe(demoAppendsDefault);
    expect(result.finalReadR).toBeUndefined();
    expect(result.kept + result.lost).toBe(demoAppendsDefault);
    const lost = result.writes.filter((w) => !w.kept);
    expect(result.lost).toBe(lost.length);
    expect(lost.length).toBeGreaterThanOrEqual(1);
    const byIndex = new Map(result.writes.map((w) => [w.index, w]));
    for (const w of lost) {
      expect(w.via, `write ${w.index} lost`).toBe("n3");
      const winner = byIndex.get(w.beatenBy as number) as DemoWrite;
      expect(winner, `write ${w.index} names the write that beat it`).toBeDefined();
      expect(winner.index).toBeLessThan(w.index);
      expect(winner.stamp as number).toBeGreaterThan(w.stamp as number);
      // The highest stamp above it among the earlier writes.
      const earlierAbove = result.writes.filter((o) => o.index < w.index && (o.stamp as number) > (w.stamp as number));
      expect(winner.stamp).toBe(Math.max(...earlierAbove.map((o) => o.stamp as number)));
      expect(w.reason).toContain(`stamped ${w.stamp} by n3 (clock 400 ms behind)`);
      expect(w.reason).toContain(`write ${winner.index}'s ${winner.stamp} by ${winner.via}`);
    }
    for (const w of result.writes.filter((x) => x.kept)) {
      expect(w.beatenBy).toBeNull();
      expect(w.reason).toBeNull();
    }
    expect(Object.keys(result.offsets)).toEqual(["n1", "n2", "n3"]);
    expect(result.offsets.n1).toBe(0);
    // n1 measured n3's clock behind (its heartbeats arrive late by their transit, never early).
    expect(result.offsets.n3 as number).toBeLessThan(-200);
    expect(await offsetOfN3()).toBe(priorOffsetMs);
  });

  it("causal: nothing lost, no stamps; a chosen member and skew are used", async () => {
    const result = await run({ bucket: "causal", appends: 9, skewMs: -300, skewed: "n2" });
    expect(result).toMatchObject({ mode: "causal", skewed: "n2", skewMs: -300, acknowledged: 9, kept: 9, lost: 0 });
    for (const w of result.writes) {
      expect(w).toMatchObject({ kept: true, stamp: null, beatenBy: null, reason: null, error: null });
      expect(w.context).toMatch(/^c\./);
    }
    const n2 = (await (await fetch(`${cluster.urls[1]}/cluster`)).json()) as ClusterView;
    expect(n2.clock.offsetMs).toBe(0);
  });

  it("one run at a time: a second one while the first runs is 409 DEMO_RUNNING, and changes nothing", async () => {
    const first = run({ bucket: "lww-hlc", appends: 3 });
    // The first has begun once it has set n3's clock (it is then in its 1 s wait for heartbeats): watched for, not
    // guessed with a fixed 300 ms, which a loaded machine could spend before the first request was even read.
    await expect.poll(offsetOfN3, { timeout: 30_000, interval: 20 }).not.toBe(priorOffsetMs);
    const second = await postJson(`${n1}/admin/demo/lost-update`, { bucket: "causal" }, { authorization: bearer });
    await expectError(second, 409, "DEMO_RUNNING");
    const done = await first;
    expect(done.lost).toBe(0);
    expect(await offsetOfN3()).toBe(priorOffsetMs);
    // Free again once it is over.
    expect((await run({ bucket: "lww-hlc", appends: 3 })).acknowledged).toBe(3);
  });

  it("refuses without the token, a body out of its schema, an unknown bucket or member; nothing is skewed", async () => {
    const url = `${n1}/admin/demo/lost-update`;
    await expectError(await postJson(url, { bucket: "causal" }), 401, "UNAUTHORIZED");
    await expectError(await postJson(url, { bucket: "causal" }, { authorization: `${bearer}x` }), 403, "FORBIDDEN");
    const refused: [unknown, string][] = [
      [{}, "INVALID_REQUEST"],
      [{ bucket: "" }, "INVALID_REQUEST"],
      [{ bucket: "causal", appends: 2 }, "INVALID_REQUEST"],
      [{ bucket: "causal", appends: 61 }, "INVALID_REQUEST"],
      [{ bucket: "causal", appends: 3.5 }, "INVALID_REQUEST"],
      [{ bucket: "causal", skewMs: 5_001 }, "INVALID_REQUEST"],
      [{ bucket: "causal", skewMs: "-400" }, "INVALID_REQUEST"],
      [{ bucket: "causal", extra: true }, "INVALID_REQUEST"],
      [[], "INVALID_REQUEST"],
      ["not json", "MALFORMED_REQUEST"],
    ];
    for (const [body, code] of refused) {
      await expectError(await postJson(url, body, { authorization: bearer }), 400, code);
    }
    await expectError(await postJson(url, { bucket: "nope" }, { authorization: bearer }), 404, "BUCKET_NOT_FOUND");
    await expectError(
      await postJson(url, { bucket: "causal", skewed: "n9" }, { authorization: bearer }),
      404,
      "UNKNOWN_NODE",
    );
    expect(await offsetOfN3()).toBe(priorOffsetMs);
  });

  it("a skew past the max offset: the skewed member's appends fail (not lost), the final read falls back to a quorum", async () => {
    const result = await run({ bucket: "lww-wall", appends: 3, skewMs: -2_000 });
    expect(result.writes.map((w) => [w.via, w.error === null])).toEqual([
      ["n1", true],
      ["n2", true],
      ["n3", false],
    ]);
    const failed = result.writes[2] as DemoWrite;
    expect(["TIMEOUT", "UNAVAILABLE"]).toContain(failed.error?.code);
    expect(failed).toMatchObject({ stamp: null, context: "", beatenBy: null, reason: null });
    expect(result).toMatchObject({ acknowledged: 2, lost: 0, finalReadR: 2 });
    expect(result.writes.slice(0, 2).every((w) => w.kept)).toBe(true);
    expect(await offsetOfN3()).toBe(priorOffsetMs);
  });

  it("a run that fails puts the clock back too (DemoError)", async () => {
    const members = cluster.configs[0]?.peers ?? [];
    const failed = runLostUpdate({
      members,
      // Not a bucket of this cluster: every append is refused, and so is the final read.
      bucket: "no-such-bucket",
      mode: "lww-wall",
      appends: 3,
      skewed: "n3",
      skewMs: -400,
      authorization: bearer,
      nowMs: () => performance.now(),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      offsets: () => ({}),
      settleMs: 10,
    });
    await expect(failed).rejects.toBeInstanceOf(DemoError);
    await expect(failed).rejects.toThrow(/final read/);
    expect(await offsetOfN3()).toBe(priorOffsetMs);
  });
});
