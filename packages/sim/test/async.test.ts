/**
 * Promise-based nodes: `runAsync` lets promise jobs settle after each event,
 * so async code inside a node runs at the virtual time of the event that woke
 * it, deterministically.
 */
import { sleep } from "@skew/env";
import { Simulation } from "@skew/sim";
import { describe, expect, test } from "vitest";

type Ping = { readonly kind: "ping" | "pong"; readonly n: number };

/** A client that awaits each reply with a timeout: the shape of real request/response code. */
function pingPong(seed: number) {
  const sim = new Simulation<Ping>({ seed, link: { lossProbability: 0.2 } });
  const log: string[] = [];
  const waiters = new Map<number, () => void>();
  sim.addNode("server", (ctx) => ({
    onMessage: async (from, message) => {
      await sleep(ctx.env.timers, 5); // think time
      ctx.send(from, { kind: "pong", n: message.n });
    },
  }));
  sim.addNode("client", (ctx) => ({
    onStart: async () => {
      for (let n = 0; n < 20; n++) {
        const reply = new Promise<"ok">((resolve) => waiters.set(n, () => resolve("ok")));
        ctx.send("server", { kind: "ping", n });
        const outcome = await Promise.race([reply, sleep(ctx.env.timers, 50).then(() => "timeout" as const)]);
        log.push(`${sim.nowMs.toFixed(3)} ${n} ${outcome}`);
      }
    },
    onMessage: (_from, message) => waiters.get(message.n)?.(),
  }));
  return { sim, log };
}

describe("promise-based nodes", () => {
  test("await chains settle between events, deterministically", async () => {
    const a = pingPong(5);
    await a.sim.runAsync();
    expect(a.log.length).toBe(20);
    expect(a.log.some((line) => line.endsWith("timeout"))).toBe(true);
    expect(a.log.some((line) => line.endsWith("ok"))).toBe(true);
    for (const line of a.log.filter((l) => l.endsWith("ok"))) {
      const at = Number(line.split(" ")[0]);
      expect(at % 1).not.toBe(0); // replies arrive after drawn network delays, not on timer boundaries
    }
    const b = pingPong(5);
    await b.sim.runAsync();
    expect(b.log).toEqual(a.log);
    expect(b.sim.traceHash).toBe(a.sim.traceHash);
  });

  test("run() refuses a node that returns a promise", () => {
    const { sim } = pingPong(1);
    expect(() => sim.run()).toThrow(/drive promise-based nodes with runAsync/);
  });

  test("a rejected promise from a node fails runAsync with NODE_THREW", async () => {
    const sim = new Simulation<number>({ seed: 3 });
    sim.addNode("x", (ctx) => ({
      onMessage: () => {},
      onStart: async () => {
        await sleep(ctx.env.timers, 10);
        throw new Error("late boom");
      },
    }));
    await expect(sim.runAsync()).rejects.toMatchObject({ code: "NODE_THREW", message: /late boom/ });
  });
});
