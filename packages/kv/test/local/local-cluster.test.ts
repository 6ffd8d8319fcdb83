import { ManualEnvironment } from "@skew/env/manual";
import { HybridLogicalClock } from "@skew/hlc";
import { type ConflictMode, conflictModes, LocalCluster } from "@skew/kv";
import { LamportClock } from "@skew/lamport";
import { TrueTimeClock } from "@skew/truetime";
import { describe, expect, it } from "vitest";

const text = new TextEncoder();

function cluster(uncertaintyMs = 1) {
  const env = new ManualEnvironment({ wallStartMs: 1_704_067_200_000 });
  const local = new LocalCluster({
    nodes: ["n1", "n2", "n3"],
    buckets: Object.fromEntries(conflictModes.map((mode) => [mode, mode])) as Record<string, ConflictMode>,
    now: () => env.monotonic.now(),
    clocks: (id) => {
      const truetime = new TrueTimeClock({ monotonic: env.monotonic, timers: env.timers });
      const wall = env.wall.now();
      truetime.sync([
        {
          source: "gps",
          monotonicMs: env.monotonic.now(),
          earliest: wall - uncertaintyMs,
          latest: wall + uncertaintyMs,
        },
      ]);
      return {
        wall: env.wall,
        hlc: new HybridLogicalClock({ wall: env.wall, node: id }),
        lamport: new LamportClock(id),
        truetime,
      };
    },
  });
  return { env, local };
}

describe("LocalCluster", () => {
  it.each(conflictModes.filter((mode) => mode !== "lww-truetime"))("answers %s puts and gets at once", (mode) => {
    const { env, local } = cluster();
    const put = local.request("n1", { kind: "put", bucket: mode, key: "k", value: text.encode("v") });
    expect(put).toMatchObject({ ok: true, kind: "put" });
    env.advance(1);
    const get = local.request("n2", { kind: "get", bucket: mode, key: "k", r: 3 });
    expect(get).toMatchObject({ ok: true, kind: "get", values: [text.encode("v")] });
  });

  it("holds a TrueTime write's reply until the commit wait is over", () => {
    const { env, local } = cluster(5);
    const id = local.send("n1", { kind: "put", bucket: "lww-truetime", key: "k", value: text.encode("v") });
    expect(local.reply(id)).toBeUndefined();
    // The stamp is `latest`, 5 ms ahead of true time; the wait ends when `earliest` passes it, about 10 ms on.
    env.advance(5);
    local.run();
    expect(local.reply(id)).toBeUndefined();
    env.advance(6);
    local.run();
    expect(local.reply(id)).toMatchObject({ ok: true, kind: "put" });
    expect(local.reply(id)).toBeUndefined(); // handed out once
  });

  it("names the node it does not have", () => {
    const { local } = cluster();
    expect(() => local.request("n9", { kind: "get", bucket: "causal", key: "k" })).toThrow(/no node "n9"/);
  });
});
