import { Simulation } from "@skew/sim";
import { expect, test } from "vitest";

test("public inputs are validated with errors that name the method and the value", () => {
  const sim = new Simulation({ seed: 1 });
  sim.addNode("n1", () => ({ onMessage: () => {} }));
  const cases: [() => unknown, RegExp][] = [
    [() => new Simulation({ seed: 1.5 }), /seed: expected an integer/],
    [() => sim.node("nope"), /node: unknown node "nope" \(nodes: n1\)/],
    [() => sim.partition(["n1"], ["n9"]), /partition: unknown node "n9"/],
    [() => sim.addNode("n1", () => ({ onMessage: () => {} })), /already exists/],
    [() => sim.node("n1").pause(-1), /NodeControl.pause: expected a duration/],
    [() => sim.link("n1", "n1").clog(Number.NaN), /LinkControl.clog: expected a duration/],
    [() => sim.configureLinks({ lossProbability: 1.5 }), /lossProbability: expected a probability in \[0, 1\]/],
    [() => sim.configureLinks({ duplicateProbability: -0.1 }), /duplicateProbability: expected a probability/],
    [() => sim.configureLinks({ delay: { kind: "uniform", minMs: 5, maxMs: 1 } }), /minMs exceeds maxMs/],
    [() => sim.cutRandomLinks(2), /cutRandomLinks: expected a probability/],
    [() => sim.clock("n1").drift(1e9), /ClockControl.drift/],
    [() => sim.clock("n1").strobe(10, 0, 100), /periodMs must be in/],
    [() => sim.run({ forMs: -5 }), /run: forMs: expected a duration/],
    [() => sim.after(-1, () => {}), /Simulation.after: expected a duration/],
  ];
  for (const [call, message] of cases) {
    let thrown: unknown;
    try {
      call();
    } catch (error) {
      thrown = error;
    }
    expect(thrown, String(message)).toBeInstanceOf(Error);
    expect(thrown instanceof RangeError || thrown instanceof TypeError, String(message)).toBe(true);
    expect((thrown as Error).message).toMatch(message);
  }
});
