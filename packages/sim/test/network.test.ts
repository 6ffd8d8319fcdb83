import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { probeCluster } from "./support.js";

const ids = ["n1", "n2", "n3", "n4", "n5"];

describe("network faults", () => {
  test("a lost message never arrives", () => {
    const { sim, send, inbox } = probeCluster(7, ["a", "b"], { link: { lossProbability: 1 } });
    for (let i = 0; i < 100; i++) send("a", "b", i);
    sim.run();
    expect(inbox("b")).toEqual([]);
    expect(sim.stats).toMatchObject({ sent: 100, delivered: 0, dropped: 100 });
  });

  test("every message is delivered or dropped, never both, and loss rate follows the probability", () => {
    const { sim, send, inbox } = probeCluster(8, ["a", "b"], { link: { lossProbability: 0.3 } });
    for (let i = 0; i < 10_000; i++) send("a", "b", i);
    sim.run();
    const got = inbox("b").map((r) => r.message);
    expect(new Set(got).size).toBe(got.length);
    expect(got.length + sim.stats.dropped).toBe(10_000);
    // Binomial(10000, 0.3): 3000 +- 46 (one sd); 6 sd either side.
    expect(sim.stats.dropped).toBeGreaterThan(3000 - 6 * 46);
    expect(sim.stats.dropped).toBeLessThan(3000 + 6 * 46);
  });

  test("duplication delivers a message twice", () => {
    const { sim, send, inbox } = probeCluster(9, ["a", "b"], { link: { duplicateProbability: 1 } });
    for (let i = 0; i < 10; i++) send("a", "b", i);
    sim.run();
    const counts = new Map<number, number>();
    for (const r of inbox("b")) counts.set(r.message, (counts.get(r.message) ?? 0) + 1);
    expect([...counts.values()]).toEqual(Array(10).fill(2));
  });

  test("a constant delay delivers exactly that much later", () => {
    const { sim, send, inbox } = probeCluster(1, ["a", "b"], { link: { delay: { kind: "constant", ms: 12.5 } } });
    sim.run({ forMs: 3 });
    send("a", "b", 1);
    sim.run();
    expect(inbox("b")).toEqual([{ from: "a", message: 1, atMs: 15.5 }]);
  });

  test("datagrams reorder under a long-tailed delay; an ordered link never reorders", () => {
    const delay = { kind: "pareto", minMs: 1, alpha: 1.5 } as const;
    const loose = probeCluster(3, ["a", "b"], { link: { delay } });
    const ordered = probeCluster(3, ["a", "b"], { link: { delay, ordered: true } });
    for (const { sim, send } of [loose, ordered]) {
      for (let i = 0; i < 1000; i++) {
        send("a", "b", i);
        sim.run({ forMs: 0.1 });
      }
      sim.run();
    }
    const inversions = (xs: number[]) => xs.filter((x, i) => i > 0 && x < (xs[i - 1] as number)).length;
    expect(inversions(loose.inbox("b").map((r) => r.message))).toBeGreaterThan(0);
    expect(ordered.inbox("b").map((r) => r.message)).toEqual([...Array(1000).keys()]);
  });

  test("a congested link delays more: each message waits for those ahead of it on the wire", () => {
    const { sim, send, inbox } = probeCluster(1, ["a", "b"], {
      link: { delay: { kind: "constant", ms: 1 }, transmitMs: 2 },
    });
    for (let i = 0; i < 50; i++) send("a", "b", i);
    sim.run();
    expect(inbox("b").map((r) => r.atMs)).toEqual(Array.from({ length: 50 }, (_, i) => 2 * (i + 1) + 1));
  });

  test("a full link drops what does not fit in its queue", () => {
    const { sim, send, inbox } = probeCluster(1, ["a", "b"], { link: { queueMax: 10 } });
    for (let i = 0; i < 25; i++) send("a", "b", i);
    sim.run();
    expect(
      inbox("b")
        .map((r) => r.message)
        .sort((x, y) => x - y),
    ).toEqual([...Array(10).keys()]);
    expect(sim.stats.dropped).toBe(15);
  });

  test("a clogged link holds messages until the clog ends, then delivers them all", () => {
    const { sim, send, inbox } = probeCluster(1, ["a", "b"], { link: { delay: { kind: "constant", ms: 1 } } });
    sim.link("a", "b").clog(500);
    for (let i = 0; i < 5; i++) send("a", "b", i);
    send("b", "a", 99);
    sim.run({ forMs: 499 });
    expect(inbox("b")).toEqual([]);
    expect(inbox("a").map((r) => r.message)).toEqual([99]); // the other direction flows
    expect(sim.link("a", "b").inFlight).toBe(5);
    sim.run();
    expect(inbox("b").map((r) => [r.message, r.atMs])).toEqual([0, 1, 2, 3, 4].map((i) => [i, 500]));
  });

  test("a message in flight when its link is cut is lost", () => {
    const { sim, send, inbox } = probeCluster(1, ["a", "b"], { link: { delay: { kind: "constant", ms: 10 } } });
    send("a", "b", 1);
    sim.run({ forMs: 5 });
    sim.link("a", "b").cut();
    sim.run({ forMs: 10 });
    sim.link("a", "b").restore();
    send("a", "b", 2);
    sim.run();
    expect(inbox("b").map((r) => r.message)).toEqual([2]);
  });

  test("partition shapes: a message gets through exactly when its link is not cut", () => {
    const shapes: Record<string, (sim: ReturnType<typeof probeCluster>["sim"]) => void> = {
      "majority/minority": (sim) => sim.partition(["n1", "n2"], ["n3", "n4", "n5"]),
      bridge: (sim) => sim.partition(["n1", "n2"], ["n4", "n5"]),
      isolate: (sim) => sim.isolate("n3"),
      mute: (sim) => sim.mute("n3"),
      "one way": (sim) => sim.cutOneWay(["n1"], ["n2", "n3"]),
    };
    const side = (id: string) => (["n1", "n2"].includes(id) ? 0 : ["n4", "n5"].includes(id) ? 1 : 2);
    const expected: Record<string, (from: string, to: string) => boolean> = {
      "majority/minority": (f, t) => ["n1", "n2"].includes(f) === ["n1", "n2"].includes(t),
      bridge: (f, t) => side(f) === side(t) || side(f) === 2 || side(t) === 2,
      isolate: (f, t) => f === t || (f !== "n3" && t !== "n3"),
      mute: (f, t) => f === t || f !== "n3",
      "one way": (f, t) => !(f === "n1" && ["n2", "n3"].includes(t)),
    };
    for (const [name, apply] of Object.entries(shapes)) {
      const { sim, send, inbox } = probeCluster<string>(1, ids);
      apply(sim);
      for (const from of ids) for (const to of ids) send(from, to, `${from}>${to}`);
      sim.run();
      const arrived = new Set(ids.flatMap((id) => inbox(id).map((r) => r.message)));
      for (const from of ids) {
        for (const to of ids) {
          expect([name, `${from}>${to}`, arrived.has(`${from}>${to}`)]).toEqual([
            name,
            `${from}>${to}`,
            expected[name]?.(from, to),
          ]);
        }
      }
      sim.heal();
      for (const from of ids) for (const to of ids) send(from, to, `healed ${from}>${to}`);
      sim.run();
      expect(ids.flatMap((id) => inbox(id)).filter((r) => r.message.startsWith("healed")).length).toBe(25);
    }
  });

  test("random link cuts follow the probability, and heal restores every link", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (seed, p) => {
        const { sim, send, inbox } = probeCluster<string>(seed, ids);
        sim.cutRandomLinks(p);
        const cut = ids.flatMap((f) => ids.filter((t) => f !== t && sim.link(f, t).isCut).map((t) => `${f}>${t}`));
        for (const from of ids) for (const to of ids) send(from, to, `${from}>${to}`);
        sim.run();
        const arrived = new Set(ids.flatMap((id) => inbox(id).map((r) => r.message)));
        for (const key of cut) expect(arrived.has(key)).toBe(false);
        expect(arrived.size).toBe(25 - cut.length);
        if (p === 0) expect(cut).toEqual([]);
        if (p === 1) expect(cut.length).toBe(20);
      }),
      { numRuns: 50 },
    );
  });
});
