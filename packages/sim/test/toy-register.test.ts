/**
 * The three-node toy register (toy/register.ts) partitioned, paused, skewed,
 * and replayed; then swarm runs in VOPR's two phases.
 */
import { describe, expect, test } from "vitest";
import { registerCluster, seededTest, swarmRegister } from "./support.js";

const values = (cluster: ReturnType<typeof registerCluster>) =>
  ["n1", "n2", "n3"].map((id) => cluster.at(id).state.value);

describe("toy register", () => {
  test("partitioned: the minority misses a write until the partition heals", () => {
    const cluster = registerCluster(11);
    const { sim, at } = cluster;
    sim.run({ forMs: 10 });
    sim.partition(["n1", "n2"], ["n3"]);
    at("n1").write("x");
    sim.run({ forMs: 5_000 });
    expect(values(cluster)).toEqual(["x", "x", ""]);
    sim.heal();
    sim.run({ forMs: 500 });
    expect(values(cluster)).toEqual(["x", "x", "x"]);
  });

  test("paused: a node frozen for 15 s hears nothing, then catches up from its queue", () => {
    const cluster = registerCluster(12);
    const { sim, at } = cluster;
    sim.run({ forMs: 10 });
    sim.node("n2").pause(15_000);
    at("n1").write("y");
    sim.run({ forMs: 14_000 });
    expect(values(cluster)).toEqual(["y", "", "y"]);
    expect(sim.node("n2").queuedEvents).toBeGreaterThan(100); // ~14 s of gossip from two peers
    sim.run({ forMs: 1_100 });
    expect(values(cluster)).toEqual(["y", "y", "y"]);
  });

  test("skewed: a node whose clock runs 4 s ahead wins over a write made 1 s later (a lost update)", () => {
    const cluster = registerCluster(13);
    const { sim, at } = cluster;
    sim.clock("n1").skew(+4_000);
    sim.run({ forMs: 10 });
    at("n1").write("early");
    sim.run({ forMs: 1_000 });
    at("n2").write("late"); // later in true time, but stamped 3 s lower
    sim.run({ forMs: 1_000 });
    expect(values(cluster)).toEqual(["early", "early", "early"]);
  });

  test("replayed: the same seed gives the same trace; another seed gives another", () => {
    const scenario = (seed: number) => {
      const cluster = registerCluster(seed);
      const { sim, at } = cluster;
      sim.configureLinks({ delay: { kind: "pareto", minMs: 0.5, alpha: 1.5 }, lossProbability: 0.05 });
      sim.run({ forMs: 10 });
      sim.partition(["n1"], ["n2", "n3"]);
      at("n1").write("a");
      at("n3").write("b");
      sim.node("n2").pause(700);
      sim.clock("n3").strobe(300, 20, 2_000);
      sim.run({ forMs: 3_000 });
      sim.heal();
      sim.run({ forMs: 3_000 });
      return { hash: sim.traceHash, events: sim.stats.events, values: values(cluster) };
    };
    const first = scenario(2024);
    expect(scenario(2024)).toEqual(first);
    expect(scenario(2025).hash).not.toBe(first.hash);
  });
});

/**
 * Swarm: each seed draws its own fault mix (see swarmRegister in support.ts).
 */
seededTest("swarm: the toy register stays monotonic under faults and converges after them", 12, (seed) => {
  const { writes, ops } = swarmRegister(seed);
  expect(ops).toBe(2 * writes);
});
