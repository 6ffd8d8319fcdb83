/**
 * Determinism and replay: one seed, one trace; a failure names its seed and
 * the command that replays it, and replaying it fails the same way.
 */
import { replayCommand, runSeeds, SimError, seedsToRun } from "@skew/sim";
import { describe, expect, test } from "vitest";
import { swarmRegister } from "./support.js";

describe("determinism", () => {
  test("running a faulty swarm twice with one seed gives identical trace hashes", () => {
    for (const seed of [1, 77, 4_000_000_000]) {
      const a = swarmRegister(seed).sim;
      const b = swarmRegister(seed).sim;
      expect(b.traceHash).toBe(a.traceHash);
      expect(b.trace()).toEqual(a.trace());
      expect(b.stats).toEqual(a.stats);
      expect(b.history.toJsonLines()).toBe(a.history.toJsonLines());
    }
  });

  test("different seeds give different traces", () => {
    const hashes = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => swarmRegister(seed).sim.traceHash);
    expect(new Set(hashes).size).toBe(hashes.length);
  });
});

describe("replay", () => {
  test("a planted bug is found, reported with its seed and replay command, and replays identically", async () => {
    // The bug: the register gossips state it has not synced, so a crash can take it back.
    const failure = await runSeeds({ count: 30, test: "planted bug" }, (seed) => {
      swarmRegister(seed, { syncs: false, faults: ["crash"] });
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SimError);
    const error = failure as SimError;
    expect(error.code).toBe("SEED_FAILED");
    const seed = Number(/^seed (\d+) failed/.exec(error.message)?.[1]);
    expect(error.message).toContain(`replay with:\n  SEED=${seed} npx vitest run -t "planted bug"`);
    expect(error.cause).toMatchObject({ code: "INVARIANT_VIOLATED" });
    const original = (error.cause as SimError).message;
    expect(original).toContain(`seed ${seed}`);
    // Replaying that one seed fails with the very same message (same time, same trace).
    expect(() => swarmRegister(seed, { syncs: false, faults: ["crash"] })).toThrow(original);
  });

  test("SEED in the environment runs exactly that seed", () => {
    expect(seedsToRun({ count: 5, test: "t", env: { SEED: "1234" } })).toEqual([1234]);
    expect(seedsToRun({ count: 3, first: 10, test: "t", env: {} })).toEqual([10, 11, 12]);
    expect(() => seedsToRun({ count: 3, test: "t", env: { SEED: "12x" } })).toThrow(RangeError);
  });

  test("the replay command quotes the test name as a vitest -t pattern", () => {
    expect(replayCommand(7, "swarm: a (b) costs $5")).toBe(
      'SEED=7 npx vitest run -t "swarm: a \\\\(b\\\\) costs \\\\\\$5"',
    );
  });
});
