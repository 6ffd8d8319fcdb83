import { Nemesis, Simulation } from "@skew/sim";
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
  for (const [call, message] of cases) expectRefused(call, message);
});

test("the messages say what was passed even when its conversion to text throws", () => {
  const sim = new Simulation({ seed: 1 });
  sim.addNode("n1", () => ({ onMessage: () => {} }));
  for (const bad of [{ toString: 0 }, Object.create(null), Symbol()] as never[]) {
    const cases: [() => unknown, RegExp][] = [
      [() => new Simulation({ seed: bad }), /^Simulation: seed: expected an integer .*, got an? \w+$/],
      [() => new Simulation({ seed: 1, epochMs: bad }), /^Simulation: epochMs must be finite, got an? \w+$/],
      [() => sim.node("n1").pause(bad), /^NodeControl.pause: expected a duration .*, got an? \w+$/],
      [() => sim.node("n1").pause(1, { clock: bad }), /^NodeControl.pause: clock must be .*, got an? \w+$/],
      [() => sim.clock("n1").slew(1, bad), /^ClockControl.slew: ratePpm must be in .*, got an? \w+$/],
      [() => sim.clock("n1").strobe(10, bad, 100), /^ClockControl.strobe: periodMs must be in .*, got an? \w+$/],
      [() => sim.configureLinks({ transmitMs: bad }), /transmitMs must be in .*, got an? \w+$/],
      [() => sim.configureLinks({ lossProbability: bad }), /lossProbability: expected a probability .*, got an? \w+$/],
      [() => sim.configureLinks({ delay: { kind: "pareto", minMs: 1, alpha: bad } }), /pareto.alpha .*, got an? \w+$/],
      [() => sim.history.invoke(bad, "read"), /^History.invoke: process must be .*, got an? \w+$/],
      [() => Nemesis.swarm(sim, { faults: [bad] }), /^Nemesis: unknown fault an? \w+$/],
    ];
    for (const [call, message] of cases) expectRefused(call, message);
  }
});

/** `call` throws a RangeError or a TypeError (the simulator's own, not one from inside it) whose message matches. */
function expectRefused(call: () => unknown, message: RegExp): void {
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
