/**
 * One seed, one run (FoundationDB's and TigerBeetle's rule, and DESIGN.md's:
 * "a test runs every simulation scenario twice with one seed and requires
 * identical traces"). The faulty scenario is the swarm: the Jepsen set
 * workload on five nodes under a random mix of partitions, loss, pauses,
 * crashes and clock faults. Two runs with one seed must agree on the
 * simulator's trace (its hash covers every event: sends, deliveries, drops,
 * timers, faults, in order and at the same virtual microsecond), on the
 * Jepsen history, on the faults injected and on every replica's stored
 * bytes. A different seed must give a different trace, or the seed would
 * not be what drives the run.
 */
import { encodeRecord } from "@skew/kv";
import { runSeeds } from "@skew/sim";
import { describe, expect, it } from "vitest";
import { type SwarmSetRun, swarmSetRun } from "../../src/index.js";
import { replayIn } from "../support/replay.js";

const nodes = ["n1", "n2", "n3", "n4", "n5"];

/** Everything a run leaves behind that must be a function of its seed. */
function fingerprint(run: SwarmSetRun) {
  const { sim } = run.cluster;
  const stored = nodes.map((id) => {
    const node = run.cluster.node(id);
    const records = [...node.localKeys()].map(({ bucket, key }) => {
      const record = node.localRecord(bucket, key);
      return `${bucket}/${key}=${record === undefined ? "-" : Buffer.from(encodeRecord(record)).toString("base64")}`;
    });
    return `${id}: ${records.join(" ")}`;
  });
  return {
    traceHash: sim.traceHash,
    events: sim.stats,
    lastEvents: sim.formatTrace(),
    history: sim.history.toJsonLines(),
    faults: run.faults.join("\n"),
    stored,
  };
}

describe("determinism: the swarm's Jepsen set run", () => {
  for (const mode of ["causal", "lww-hlc"] as const) {
    const name = `determinism: one seed replays to the same trace, history and data (${mode})`;
    it(name, async () => {
      await runSeeds(
        { count: 1, first: 11, env: process.env, test: name, command: replayIn(import.meta.url, name) },
        (seed) => {
          const first = fingerprint(swarmSetRun(seed, { mode, safetyMs: 2_000 }));
          const second = fingerprint(swarmSetRun(seed, { mode, safetyMs: 2_000 }));
          expect(second.history).toEqual(first.history);
          expect(second.faults).toEqual(first.faults);
          expect(second.stored).toEqual(first.stored);
          expect(second.lastEvents).toEqual(first.lastEvents);
          expect(second.events).toEqual(first.events);
          expect(second.traceHash).toBe(first.traceHash);
          expect(first.history.length).toBeGreaterThan(0);
        },
      );
    });
  }

  it("a different seed gives a different trace", () => {
    const a = fingerprint(swarmSetRun(11, { safetyMs: 2_000 }));
    const b = fingerprint(swarmSetRun(12, { safetyMs: 2_000 }));
    expect(b.traceHash).not.toBe(a.traceHash);
    expect(b.history).not.toEqual(a.history);
  });
});
