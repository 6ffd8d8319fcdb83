/**
 * A real node that starts after an unclean stop under relaxed durability
 * recovers before its reads count as a primary's (@skew/kv's README,
 * "Recovery"), and says so: `/cluster`'s `repairs.recovering` and the
 * `skew_partitions_recovering` gauge count its partitions until it has
 * taken each back from the other two nodes, then read 0.
 */
import { describe, expect, it } from "vitest";
import { buildServer, type SkewApp } from "../../src/index.js";
import { LevelStore } from "../../src/storage/index.js";
import { eventually, startLocalCluster } from "../support/local.js";

async function recovering(app: SkewApp): Promise<{ view: number; gauge: number }> {
  const cluster = await app.inject({ method: "GET", url: "/cluster" });
  const metrics = await app.inject({ method: "GET", url: "/metrics" });
  const gauge = /^skew_partitions_recovering (\d+)$/m.exec(metrics.body)?.[1];
  return { view: cluster.json().repairs.recovering, gauge: Number(gauge) };
}

describe("recovery on a real node", () => {
  it("counts its partitions in /cluster and /metrics after an unclean start under relaxed durability, then none", async () => {
    const cluster = await startLocalCluster(3, { durability: "relaxed" });
    let restarted: SkewApp | undefined;
    try {
      const [first] = cluster.apps as [SkewApp];
      expect(await recovering(first)).toEqual({ view: 0, gauge: 0 });
      // A clean close leaves a mark that the next start keeps its state by; without it the start is unclean,
      // as after a kill (the store's own record of the node's last clean stop is deleted here).
      await first.close();
      const config = cluster.configs[0] as (typeof cluster.configs)[0];
      const store = await LevelStore.open({ dir: config.dataDir, durability: "relaxed" });
      await store.submit({ batchId: 1, ops: [{ kind: "delete", key: "m/closed" }] });
      await store.close();

      restarted = await buildServer(config);
      await restarted.listen({ host: config.host, port: config.port });
      // With three nodes, each replicates all 64 partitions.
      expect(await recovering(restarted)).toEqual({ view: 64, gauge: 64 });
      const app = restarted;
      const done = await eventually(async () => (await recovering(app)).view === 0, 30_000);
      expect(done).toBe(true);
      expect(await recovering(app)).toEqual({ view: 0, gauge: 0 });
    } finally {
      await restarted?.close();
      await cluster.close(); // n1's first process is closed already: closing it again does nothing
    }
  });
});
