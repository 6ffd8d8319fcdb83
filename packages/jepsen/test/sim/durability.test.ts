/**
 * The simulator's hosts under the two durabilities of the real node: `sync`
 * reports a batch durable after the simulated disk synced it, `relaxed` as
 * soon as it is written, so a crash that loses unsynced writes (a power cut)
 * takes back a write the node acknowledged.
 */
import { describe, expect, it } from "vitest";
import { KvCluster, text } from "../../src/index.js";

const one = { n: 1, r: 1, w: 1 } as const;

function acknowledgedThenPowerCut(durability: "sync" | "relaxed"): string[] {
  const c = new KvCluster({ seed: 7, nodes: ["n1"], clients: ["c1"], buckets: { causal: "causal" }, durability });
  c.sim.run({ forMs: 100 });
  const put = c.callAndWait("c1", "n1", { kind: "put", bucket: "causal", key: "k", value: text.encode("v"), ...one });
  expect(put.ok).toBe(true);
  c.sim.node("n1").crash({ unsynced: "all", restartAfterMs: 10 });
  c.sim.run({ forMs: 50 });
  const read = c.callAndWait("c1", "n1", { kind: "get", bucket: "causal", key: "k", ...one });
  if (!(read.ok && read.kind === "get")) throw new Error(`the read failed: ${JSON.stringify(read)}`);
  return read.values.map((v) => text.decode(v));
}

describe("durability on the simulator", () => {
  it("sync: an acknowledged write survives a crash that loses every unsynced write", () => {
    expect(acknowledgedThenPowerCut("sync")).toEqual(["v"]);
  });

  it("relaxed: the same crash takes it back", () => {
    expect(acknowledgedThenPowerCut("relaxed")).toEqual([]);
  });
});
