/**
 * The clock condition of Lamport (1978), checked against happened-before
 * computed from its definition: the transitive closure of program order (an
 * event and the next one on the same node) and of messages (a send and each
 * receive of it). Schedules are arbitrary: any number of nodes from 2 to 5,
 * local events, sends, and deliveries in any order, some duplicated, some
 * never made (loss). Messages travel as text and are parsed on arrival.
 */
import { compareLamportStamps, LamportClock, LamportStamp } from "@skew/lamport";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

type Step =
  | { readonly kind: "local"; readonly node: number }
  | { readonly kind: "send"; readonly from: number; readonly to: number }
  /** Delivers one in-flight message, chosen by `pick`; a duplicated one stays in flight to arrive again. */
  | { readonly kind: "deliver"; readonly pick: number; readonly duplicate: boolean };

interface Schedule {
  readonly nodeCount: number;
  readonly steps: readonly Step[];
}

interface Event {
  readonly node: number;
  readonly stamp: LamportStamp;
  /** The events that immediately precede this one: the node's previous event, and for a receive the send. */
  readonly causes: readonly number[];
}

const scheduleArbitrary: fc.Arbitrary<Schedule> = fc.record({
  nodeCount: fc.integer({ min: 2, max: 5 }),
  steps: fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant("local" as const), node: fc.nat({ max: 4 }) }),
      fc.record({ kind: fc.constant("send" as const), from: fc.nat({ max: 4 }), to: fc.nat({ max: 4 }) }),
      fc.record({ kind: fc.constant("deliver" as const), pick: fc.nat(), duplicate: fc.boolean() }),
    ),
    { maxLength: 80, size: "max" },
  ),
});

/** Runs a schedule on real clocks and records every event with its stamp and its immediate causes. */
function run(schedule: Schedule): Event[] {
  const { nodeCount } = schedule;
  const clocks = Array.from({ length: nodeCount }, (_, i) => new LamportClock(`node-${i}`));
  const latest: (number | undefined)[] = Array.from({ length: nodeCount }, () => undefined);
  const inFlight: { sendEvent: number; to: number; text: string }[] = [];
  const events: Event[] = [];
  const record = (node: number, stamp: LamportStamp, message?: number): void => {
    const previous = latest[node];
    const causes = [previous, message].filter((cause): cause is number => cause !== undefined);
    latest[node] = events.length;
    events.push({ node, stamp, causes });
  };
  for (const step of schedule.steps) {
    switch (step.kind) {
      case "local": {
        const node = step.node % nodeCount;
        const clock = clocks[node] as LamportClock;
        clock.tick();
        record(node, clock.stamp());
        break;
      }
      case "send": {
        const from = step.from % nodeCount;
        const stamp = (clocks[from] as LamportClock).send();
        inFlight.push({ sendEvent: events.length, to: step.to % nodeCount, text: stamp.toString() });
        record(from, stamp);
        break;
      }
      case "deliver": {
        if (inFlight.length === 0) break;
        const index = step.pick % inFlight.length;
        const message = inFlight[index] as (typeof inFlight)[number];
        if (!step.duplicate) inFlight.splice(index, 1);
        const parsed = LamportStamp.parse(message.text);
        if (!parsed.ok) throw parsed.error;
        const clock = clocks[message.to] as LamportClock;
        clock.receive(parsed.value);
        record(message.to, clock.stamp(), message.sendEvent);
        break;
      }
    }
  }
  return events;
}

/** For each event, the set of events that happened before it: the transitive closure of its causes. */
function happenedBefore(events: readonly Event[]): Set<number>[] {
  const ancestors: Set<number>[] = [];
  for (const event of events) {
    const mine = new Set<number>();
    for (const cause of event.causes) {
      mine.add(cause);
      for (const earlier of ancestors[cause] ?? []) mine.add(earlier);
    }
    ancestors.push(mine);
  }
  return ancestors;
}

function stampOf(events: readonly Event[], index: number): LamportStamp {
  return (events[index] as Event).stamp;
}

describe("Lamport clocks under arbitrary message schedules", () => {
  it("satisfy the clock condition: if a happened before b, then C(a) < C(b)", () => {
    fc.assert(
      fc.property(scheduleArbitrary, (schedule) => {
        const events = run(schedule);
        const ancestors = happenedBefore(events);
        const violations: string[] = [];
        events.forEach((b, j) => {
          for (const i of ancestors[j] ?? []) {
            const a = stampOf(events, i);
            if (!(a.counter < b.stamp.counter && a.compare(b.stamp) === "before")) {
              violations.push(`${a} happened before ${b.stamp}`);
            }
          }
        });
        expect(violations).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("count up strictly on each node", () => {
    fc.assert(
      fc.property(scheduleArbitrary, (schedule) => {
        const lastCounter = new Map<number, number>();
        const steps: string[] = [];
        for (const event of run(schedule)) {
          const last = lastCounter.get(event.node) ?? 0;
          if (!(event.stamp.counter > last)) steps.push(`node ${event.node}: ${last} then ${event.stamp.counter}`);
          lastCounter.set(event.node, event.stamp.counter);
        }
        expect(steps).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("give every event its own stamp, so that sorting by stamp is a causal order of all events", () => {
    fc.assert(
      fc.property(scheduleArbitrary, (schedule) => {
        const events = run(schedule);
        const ancestors = happenedBefore(events);
        expect(new Set(events.map((event) => event.stamp.toString())).size).toBe(events.length);
        const sorted = events
          .map((_, i) => i)
          .sort((i, j) => compareLamportStamps(stampOf(events, i), stampOf(events, j)));
        const seen = new Set<number>();
        const causesAfterEffects: string[] = [];
        for (const i of sorted) {
          for (const cause of ancestors[i] ?? []) {
            if (!seen.has(cause))
              causesAfterEffects.push(`${stampOf(events, cause)} sorted after ${stampOf(events, i)}`);
          }
          seen.add(i);
        }
        expect(causesAfterEffects).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("order concurrent events too, either way round: the order is total, not a test of causality", () => {
    fc.assert(
      fc.property(scheduleArbitrary, (schedule) => {
        const events = run(schedule);
        const ancestors = happenedBefore(events);
        const unordered: string[] = [];
        for (let j = 0; j < events.length; j++) {
          for (let i = 0; i < j; i++) {
            const concurrent = !(ancestors[j]?.has(i) ?? false);
            const ordering = stampOf(events, i).compare(stampOf(events, j));
            if (concurrent && ordering !== "before" && ordering !== "after") unordered.push(`${i} ${ordering} ${j}`);
          }
        }
        expect(unordered).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it("do not satisfy the converse: C(a) < C(b) for a concurrent pair", () => {
    // Node 0 has three local events; node 1 has one. No message: nothing is causally related across nodes.
    const events = run({
      nodeCount: 2,
      steps: [
        { kind: "local", node: 0 },
        { kind: "local", node: 0 },
        { kind: "local", node: 0 },
        { kind: "local", node: 1 },
      ],
    });
    const ancestors = happenedBefore(events);
    const [a, b] = [3, 2]; // a: node 1's first event; b: node 0's third
    expect(ancestors[b]?.has(a)).toBe(false);
    expect(ancestors[a]?.has(b)).toBe(false);
    expect((events[a] as Event).stamp.counter).toBeLessThan((events[b] as Event).stamp.counter); // 1 < 3, yet a did not happen before b
  });
});
