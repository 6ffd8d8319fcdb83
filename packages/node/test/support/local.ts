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
