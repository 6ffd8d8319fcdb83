/**
 * Test support: free loopback ports, temporary data directories, and a
 * cluster of in-process nodes (each a real fastify server on a real
 * socket, with its own level database; one process, for speed).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../src/cli/processes.js";
import { buildServer, type NodeConfig, resolveConfig, type SkewApp } from "../../src/index.js";

export const secret = "test-cluster-secret-0123456789";
export const adminToken = "test-admin-token-0123456789";

export { freePort };

export function tempDir(prefix = "skew-node-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** How long the nodes of a fresh local cluster may take to hear each other (a loaded machine starts them slowly). */
export const peersHeardMsMax = 30_000;

/**
 * Whether every node has had a heartbeat from every other and suspects none. A node's failure detector watches
 * every member from its first tick, so one started well before the others (a loaded machine builds them slowly)
 * suspects those it has not heard from yet, and refuses a request that needs them (R or W = 3: 503) until their
 * first heartbeat arrives. That says nothing about what a test checks, so the cluster is handed over once this holds.
 */
function everyPeerHeard(apps: readonly SkewApp[]): boolean {
  return apps.every((app) =>
    app.skew.driver.node.membership().every((peer) => !peer.suspected && peer.clockOffsetMs !== undefined),
  );
}

/** Polls `check` every 50 ms until it holds (true) or `timeoutMs` passes (false). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface LocalCluster {
  readonly apps: SkewApp[];
  readonly urls: string[];
  readonly configs: NodeConfig[];
  readonly dir: string;
  close(): Promise<void>;
}

export async function startLocalCluster(size = 3, extra: Record<string, unknown> = {}): Promise<LocalCluster> {
  const dir = tempDir();
  const ports = await Promise.all(Array.from({ length: size }, () => freePort()));
  const ids = ports.map((_, i) => `n${i + 1}`);
  const peers = ids.map((id, i) => `${id}=http://127.0.0.1:${ports[i]}`).join(",");
  const configs = ids.map((id, i) => {
    const config = resolveConfig({
      id,
      port: ports[i] as number,
      peers,
      secret,
      adminToken,
      dataDir: join(dir, id),
      logLevel: "silent",
      heartbeatIntervalMs: 100,
      ...extra,
    });
    if (!config.ok) throw config.error;
    return config.value;
  });
  const apps: SkewApp[] = [];
  for (const config of configs) {
    const app = await buildServer(config);
    await app.listen({ host: config.host, port: config.port });
    apps.push(app);
  }
  if (!(await eventually(() => everyPeerHeard(apps), peersHeardMsMax))) {
    await Promise.all(apps.map((app) => app.close()));
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`the nodes of a local cluster did not hear each other within ${peersHeardMsMax} ms`);
  }
  return {
    apps,
    urls: ports.map((p) => `http://127.0.0.1:${p}`),
    configs,
    dir,
    async close() {
      await Promise.all(apps.map((app) => app.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
