/**
 * The real thing, small: Debian's etcd, three members on loopback, a put and
 * a get through the gateway in the load generator's request shape, a short
 * load through the load generator's own process, torn down. Installed with
 * apt-get if missing; skipped, with the reason printed, only when etcd
 * cannot be had on this machine.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { etcdRangeRequest, type PreparedRequest, prepareRequest, runLoadProcess } from "@skew/harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureEtcd, probeEtcdHealth } from "../../src/throughput/etcd.js";
import { type SystemUnderTest, startEtcd } from "../../src/throughput/systems.js";

const etcd = await ensureEtcd({ say: (text) => console.log(text) });
if (!etcd.available) console.warn(`etcd live test skipped: ${etcd.reason}`);

const valueBytes = 100;

async function send(target: string, request: PreparedRequest): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${target}${request.path}`, {
    method: request.method,
    ...(request.headers === undefined ? {} : { headers: request.headers }),
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  return { status: response.status, body: await response.json() };
}

describe.skipIf(!etcd.available)("a 3-member etcd cluster through its HTTP gateway", () => {
  let dir: string;
  let system: SystemUnderTest;

  beforeAll(async () => {
    if (!etcd.available) return;
    dir = mkdtempSync(join(tmpdir(), "skew-etcd-live-"));
    system = await startEtcd({ dataDir: dir, binary: etcd.binary, version: etcd.version });
  });
  afterAll(async () => {
    await system?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("takes a put on every member and reads it back, in the shapes the load generator sends", async () => {
    expect(system.targets).toHaveLength(3);
    const put = prepareRequest(system.putRequest("live/"), valueBytes);
    const get = prepareRequest(etcdRangeRequest("live/"), valueBytes);
    for (const [i, target] of system.targets.entries()) {
      const written = await send(target, put(i));
      expect(written.status).toBe(200);
      expect(Number((written.body as { header: { revision: string } }).header.revision)).toBeGreaterThan(0);
    }
    // Read each key through another member than the one that took it (a linearizable read sees it).
    for (const [i] of system.targets.entries()) {
      const read = await send(system.targets[(i + 1) % 3] as string, get(i));
      expect(read.status).toBe(200);
      const kvs = (read.body as { kvs?: { key: string; value: string }[] }).kvs ?? [];
      expect(kvs).toHaveLength(1);
      expect(Buffer.from(kvs[0]?.key ?? "", "base64").toString()).toBe(`live/${i}`);
      expect(Buffer.from(kvs[0]?.value ?? "", "base64")).toEqual(Buffer.alloc(valueBytes, "x"));
    }
  });

  it("takes a short load from the load generator's process with no failure, every put stored", async () => {
    const result = await runLoadProcess({
      ...system.putRequest("burst/"),
      targets: system.targets,
      valueBytes,
      connections: 4,
      durationMs: 300,
      warmupMs: 0,
    });
    expect(result.requests).toBeGreaterThan(0);
    expect(result.errors).toBe(0);
    expect(result.non2xx).toBe(0);
    // Count the keys under burst/ ("burst0" is the end of the prefix's range).
    const counted = await send(system.targets[0] as string, {
      method: "POST",
      path: "/v3/kv/range",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        key: Buffer.from("burst/").toString("base64"),
        range_end: Buffer.from("burst0").toString("base64"),
        count_only: true,
      }),
    });
    expect(Number((counted.body as { count?: string }).count ?? 0)).toBeGreaterThanOrEqual(result.requests);
  });

  it("stops every member", async () => {
    await system.stop();
    const healthy = await Promise.all(system.targets.map((url) => probeEtcdHealth(url)));
    expect(healthy).toEqual([false, false, false]);
  });
});
