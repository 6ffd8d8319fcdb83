/**
 * The nemesis's bookkeeping against recording fakes: what reaches the network, the processes and the
 * clocks, in which order. The real hands (namespaces, signals, the admin endpoint) are tested in
 * lab/lab.test.ts and by the fault suite itself.
 */
import type { ClockChange } from "@skew/jepsen/live";
import { describe, expect, it } from "vitest";
import { ClusterNemesis } from "./live.js";
import type { NetworkState } from "./network.js";
import type { LiveFault } from "./schedule.js";

const nodes = ["n1", "n2", "n3", "n4", "n5"];

function fakes() {
  const calls: string[] = [];
  const networks: NetworkState[] = [];
  const clocks: { node: string; change: ClockChange }[] = [];
  const nemesis = new ClusterNemesis({
    nodes,
    network: {
      applyNetwork: async (state) => {
        networks.push(state);
      },
    },
    processes: {
      kill: async (id) => void calls.push(`kill ${id}`),
      restart: async (id) => void calls.push(`restart ${id}`),
      pause: async (id) => void calls.push(`pause ${id}`),
      resume: async (id) => void calls.push(`resume ${id}`),
      dataDirOf: (id) => `/nonexistent/${id}`,
    },
    clocks: {
      adjust: async (node, change) => {
        clocks.push({ node, change });
      },
    },
    nowMs: () => 0,
    wait: async () => undefined,
  });
  return { nemesis, calls, networks, clocks };
}

const at = { atMs: 0, durationMs: 1_000 };

describe("ClusterNemesis", () => {
  it("applies the union of the network faults on, and what is left when one heals", async () => {
    const { nemesis, networks } = fakes();
    const isolate: LiveFault = { ...at, kind: "partition-isolate", node: "n1" };
    const loss: LiveFault = { ...at, kind: "loss", links: [{ from: "n2", to: "n3" }], probability: 0.2 };
    await nemesis.begin(isolate);
    await nemesis.begin(loss);
    expect(networks.at(-1)?.drops).toHaveLength(8);
    expect(networks.at(-1)?.loss).toEqual([{ from: "n2", to: "n3", probability: 0.2 }]);
    await nemesis.end(isolate);
    expect(networks.at(-1)).toEqual({ drops: [], loss: [{ from: "n2", to: "n3", probability: 0.2 }], delay: [] });
    await nemesis.end(loss);
    expect(networks.at(-1)).toEqual({ drops: [], loss: [], delay: [] });
  });

  it("sums the clock faults on a node and sets it right when they end", async () => {
    const { nemesis, clocks } = fakes();
    const bump: LiveFault = { ...at, kind: "clock-bump", node: "n2", deltaMs: 30_000 };
    const drift: LiveFault = { ...at, kind: "clock-drift", node: "n2", driftPpm: -50_000 };
    const other: LiveFault = { ...at, kind: "clock-bump", node: "n3", deltaMs: -2_000 };
    await nemesis.begin(bump);
    await nemesis.begin(drift);
    await nemesis.begin(other);
    expect(nemesis.clockOf("n2")).toEqual({ offsetMs: 30_000, driftPpm: -50_000 });
    await nemesis.end(bump);
    await nemesis.end(drift);
    await nemesis.end(other);
    expect(clocks).toEqual([
      { node: "n2", change: { offsetMs: 30_000, driftPpm: 0 } },
      { node: "n2", change: { offsetMs: 30_000, driftPpm: -50_000 } },
      { node: "n3", change: { offsetMs: -2_000, driftPpm: 0 } },
      { node: "n2", change: { offsetMs: 0, driftPpm: -50_000 } },
      { node: "n2", change: { offsetMs: 0, driftPpm: 0 } },
      { node: "n3", change: { offsetMs: 0, driftPpm: 0 } },
    ]);
  });

  it("sets a paused node's clock when it resumes, and a restarted node's again", async () => {
    const { nemesis, calls, clocks } = fakes();
    const pause: LiveFault = { ...at, kind: "pause", nodes: ["n4"] };
    const bump: LiveFault = { ...at, kind: "clock-bump", node: "n4", deltaMs: 5_000 };
    const kill: LiveFault = { ...at, kind: "kill", nodes: ["n4"] };
    await nemesis.begin(pause);
    await nemesis.begin(bump);
    expect(clocks).toEqual([]); // a paused node cannot answer: set later
    await nemesis.end(pause);
    expect(clocks).toEqual([{ node: "n4", change: { offsetMs: 5_000, driftPpm: 0 } }]);
    await nemesis.begin(kill);
    await nemesis.end(kill);
    // The new process starts on the machine's clock: the bump still on is set again.
    expect(calls).toEqual(["pause n4", "resume n4", "kill n4", "restart n4"]);
    expect(clocks).toHaveLength(2);
    expect(clocks[1]).toEqual({ node: "n4", change: { offsetMs: 5_000, driftPpm: 0 } });
    await nemesis.end(bump);
    expect(clocks.at(-1)).toEqual({ node: "n4", change: { offsetMs: 0, driftPpm: 0 } });
  });

  it("strobes between the offset and the offset plus its delta, and stops on the right one", async () => {
    const { nemesis, clocks } = fakes();
    // The fake `wait` returns at once: let a few flips happen, then end.
    const strobe: LiveFault = { ...at, kind: "clock-strobe", node: "n1", deltaMs: 700, periodMs: 50 };
    await nemesis.begin(strobe);
    for (let i = 0; i < 20; i++) await Promise.resolve();
    await nemesis.end(strobe);
    const offsets = clocks.map(({ change }) => change.offsetMs);
    expect(offsets[0]).toBe(700);
    expect(offsets.at(-1)).toBe(0);
    // Flips alternate.
    for (let i = 1; i < offsets.length; i++) expect(offsets[i]).not.toBe(offsets[i - 1]);
  });

  it("sets the clock of a node killed while the change was in flight when it restarts", async () => {
    let release: () => void = () => undefined;
    const clocks: number[] = [];
    let first = true;
    const nemesis = new ClusterNemesis({
      nodes,
      network: { applyNetwork: async () => undefined },
      processes: {
        kill: async () => release(),
        restart: async () => undefined,
        pause: async () => undefined,
        resume: async () => undefined,
        dataDirOf: (id) => `/nonexistent/${id}`,
      },
      clocks: {
        adjust: async (_node, change) => {
          if (first) {
            first = false;
            // The admin request hangs until the kill, then fails as a dead process's would.
            await new Promise<void>((resolve) => {
              release = resolve;
            });
            throw new TypeError("fetch failed");
          }
          clocks.push(change.offsetMs as number);
        },
      },
      nowMs: () => 0,
      wait: async () => undefined,
    });
    const bump: LiveFault = { ...at, kind: "clock-bump", node: "n3", deltaMs: 4_000 };
    const kill: LiveFault = { ...at, kind: "kill", nodes: ["n3"] };
    const bumping = nemesis.begin(bump);
    // Let the admin request start before the kill.
    while (first) await Promise.resolve();
    await nemesis.begin(kill);
    await expect(bumping).resolves.toBeUndefined();
    await nemesis.end(kill);
    expect(clocks).toEqual([4_000]);
  });

  it("names an unknown node", async () => {
    const { nemesis } = fakes();
    await expect(nemesis.begin({ ...at, kind: "clock-bump", node: "n9", deltaMs: 1 })).rejects.toThrow(/no node "n9"/);
  });
});
