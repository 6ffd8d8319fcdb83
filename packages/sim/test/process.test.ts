import type { NodeContext } from "@skew/sim";
import { Simulation } from "@skew/sim";
import { describe, expect, test } from "vitest";

type Msg = number;

/** A node that logs every message and timer it handles with the true time, and ticks every 100 ms. */
function loggingCluster(seed = 1) {
  const sim = new Simulation<Msg>({ seed, link: { delay: { kind: "constant", ms: 1 } } });
  const log: string[] = [];
  const contexts = new Map<string, NodeContext<Msg>>();
  const factories = new Map<string, number>();
  for (const id of ["a", "b"]) {
    sim.addNode(id, (context) => {
      contexts.set(id, context);
      factories.set(id, (factories.get(id) ?? 0) + 1);
      const tick = (): void => {
        log.push(`${sim.nowMs} ${id} tick`);
        context.env.timers.schedule(100, tick);
      };
      return {
        onStart: () => {
          context.env.timers.schedule(100, tick);
        },
        onMessage: (from, message) => {
          log.push(`${sim.nowMs} ${id} got ${message} from ${from}`);
        },
      };
    });
  }
  sim.run({ forMs: 0 });
  const ctx = (id: string): NodeContext<Msg> => {
    const context = contexts.get(id);
    if (context === undefined) throw new Error(`no context for ${id}`);
    return context;
  };
  return { sim, log, ctx, factories };
}

describe("process faults", () => {
  test("a paused node handles nothing; its messages queue up and its timers fire late, in order, on resume", () => {
    const { sim, log, ctx } = loggingCluster();
    sim.run({ forMs: 50 });
    sim.node("b").pause(1000);
    for (let i = 1; i <= 3; i++) {
      ctx("a").send("b", i);
      sim.run({ forMs: 10 });
    }
    sim.run({ forMs: 1000 - 30 - 1 }); // just before the pause ends
    const during = log.filter((line) => line.includes(" b "));
    expect(during).toEqual([]);
    expect(sim.node("b").paused).toBe(true);
    expect(sim.node("b").queuedEvents).toBe(4); // 3 messages (arrived at 51, 61, 71) and the tick due at 100
    sim.run({ forMs: 1 });
    expect(log.filter((line) => line.includes(" b "))).toEqual([
      "1050 b got 1 from a",
      "1050 b got 2 from a",
      "1050 b got 3 from a",
      "1050 b tick",
    ]);
    // Meanwhile the other node went on as usual.
    expect(log.filter((line) => line.includes(" a tick")).length).toBe(10);
  });

  test("resume ends a pause early", () => {
    const { sim, log, ctx } = loggingCluster();
    sim.node("b").pause(10_000);
    ctx("a").send("b", 7);
    sim.run({ forMs: 500 });
    expect(log.filter((line) => line.includes(" b "))).toEqual([]);
    sim.node("b").resume();
    sim.run({ forMs: 0 });
    // In arrival order: the message (at 1 ms) before the tick (due at 100 ms).
    expect(log.filter((line) => line.includes(" b ")).slice(0, 2)).toEqual(["500 b got 7 from a", "500 b tick"]);
  });

  test("a crash loses exactly the unsynced writes", () => {
    const { sim, ctx } = loggingCluster();
    const disk = ctx("a").storage;
    const bytes = (s: string) => new TextEncoder().encode(s);
    disk.put("synced", bytes("1"));
    disk.put("overwritten", bytes("old"));
    disk.put("deleted", bytes("here"));
    disk.sync();
    disk.put("unsynced", bytes("2"));
    disk.put("overwritten", bytes("new"));
    disk.delete("deleted");
    expect(disk.keys()).toEqual(["overwritten", "synced", "unsynced"]);
    sim.node("a").crash();
    const after = sim.node("a").storage;
    expect(after.keys()).toEqual(["deleted", "overwritten", "synced"]);
    expect(new TextDecoder().decode(after.get("overwritten"))).toBe("old");
    expect(new TextDecoder().decode(after.get("deleted"))).toBe("here");
  });

  test("a crash kills the process: no more timers, sends or writes from it; a restart calls the factory on the same disk", () => {
    const { sim, log, ctx, factories } = loggingCluster();
    sim.run({ forMs: 150 });
    const dead = ctx("a");
    dead.storage.put("k", new Uint8Array([1]));
    dead.storage.sync();
    sim.node("a").crash();
    ctx("b").send("a", 1); // lost: nobody is there
    dead.send("b", 2); // a zombie's send goes nowhere
    dead.storage.put("zombie", new Uint8Array([9]));
    dead.storage.sync();
    sim.run({ forMs: 500 });
    expect(log.filter((line) => line.startsWith("1") && line.includes(" a ")).length).toBe(1); // only the tick at 100
    expect(log.some((line) => line.includes("got 2"))).toBe(false);
    expect(sim.node("a").storage.keys()).toEqual(["k"]);
    expect(sim.node("a").up).toBe(false);
    sim.node("a").restart();
    sim.run({ forMs: 100 });
    expect(factories.get("a")).toBe(2);
    expect(sim.node("a").incarnation).toBe(2);
    expect(ctx("a").incarnation).toBe(2);
    expect(ctx("a").storage.get("k")).toEqual(new Uint8Array([1]));
    expect(log.at(-1)).toMatch(/^750 a tick|^750 b tick/);
  });

  test("a message due at the instant of a restart, before the new process starts, is dropped, not handed to nobody", () => {
    const { sim, log, ctx, factories } = loggingCluster();
    sim.run({ forMs: 10 });
    sim.node("a").crash();
    sim.after(1, () => sim.node("a").restart()); // queued first: runs first at 11 ms, its start event after
    ctx("b").send("a", 7); // due at 11 ms too, queued between the restart and the start
    sim.run({ forMs: 5 });
    expect(factories.get("a")).toBe(2);
    expect(log.some((line) => line.includes("got 7"))).toBe(false);
    expect(sim.trace().some((entry) => entry.kind === "drop" && entry.node === "a")).toBe(true);
  });

  test("crash with restartAfterMs comes back by itself", () => {
    const { sim, factories } = loggingCluster();
    sim.node("a").crash({ restartAfterMs: 2000 });
    sim.run({ forMs: 1999 });
    expect(sim.node("a").up).toBe(false);
    sim.run({ forMs: 1 });
    expect(sim.node("a").up).toBe(true);
    expect(factories.get("a")).toBe(2);
  });

  test("a limping node is alive but slow: each event takes its service time, and work queues up", () => {
    const { sim, log, ctx } = loggingCluster();
    sim.node("b").limp(40);
    for (let i = 1; i <= 4; i++) ctx("a").send("b", i);
    sim.run({ forMs: 200 });
    expect(log.filter((line) => line.includes("b got"))).toEqual([
      "1 b got 1 from a",
      "41 b got 2 from a",
      "81 b got 3 from a",
      "121 b got 4 from a",
    ]);
    sim.node("b").limp(0);
    ctx("a").send("b", 5);
    sim.run({ forMs: 10 });
    expect(log.filter((line) => line.includes("b got")).at(-1)).toBe("201 b got 5 from a");
  });

  test("a corrupted value differs from what was written by exactly one bit", () => {
    const { sim, ctx } = loggingCluster();
    const original = new Uint8Array([0x10, 0x20, 0x30, 0x40]);
    ctx("a").storage.put("v", original);
    ctx("a").storage.sync();
    expect(sim.node("a").corrupt("v")).toBe("v");
    const corrupted = ctx("a").storage.get("v") as Uint8Array;
    let bits = 0;
    for (let i = 0; i < 4; i++) bits += popcount((corrupted[i] as number) ^ (original[i] as number));
    expect(bits).toBe(1);
  });

  test("a node's handler that throws fails the run with NODE_THREW, the seed and the time", () => {
    const sim = new Simulation<number>({ seed: 42 });
    sim.addNode("x", () => ({
      onMessage: () => {},
      onStart: () => {
        throw new Error("boom");
      },
    }));
    expect(() => sim.run()).toThrow(
      expect.objectContaining({
        code: "NODE_THREW",
        message: expect.stringMatching(/node x .* at 0 ms, seed 42: boom/),
      }),
    );
  });
});

function popcount(x: number): number {
  let n = 0;
  for (let v = x; v !== 0; v >>= 1) n += v & 1;
  return n;
}
