/**
 * The node's deadline queue against the walk it replaced: after any run of
 * starts, settlements, compactions, questions and ticks, `earliest` is the
 * least deadline among the live operations, and `takeDue` hands out exactly
 * the live operations due, in (deadline, start) order, none twice.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Deadlines } from "../../src/node/deadlines.js";

type Step =
  | { readonly kind: "start"; readonly inMs: number }
  | { readonly kind: "settle"; readonly pick: number }
  | { readonly kind: "earliest" }
  | { readonly kind: "tick"; readonly advanceMs: number }
  | { readonly kind: "compact" };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("start" as const), inMs: fc.integer({ min: 0, max: 50 }) }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant("settle" as const), pick: fc.nat() }), weight: 4 },
  { arbitrary: fc.constant({ kind: "earliest" as const }), weight: 2 },
  {
    arbitrary: fc.record({ kind: fc.constant("tick" as const), advanceMs: fc.integer({ min: 0, max: 20 }) }),
    weight: 2,
  },
  { arbitrary: fc.constant({ kind: "compact" as const }), weight: 1 },
);

describe("Deadlines", () => {
  it("answers as a walk over the live operations would", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 300, size: "max" }), (steps) => {
        const queue = new Deadlines({ compactSlack: 0 });
        // The model: live operations by id, with their deadline and start order.
        const live = new Map<string, { atMs: number; seq: number }>();
        const isLive = (op: string): boolean => live.has(op);
        let nowMs = 0;
        let seq = 0;
        for (const step of steps) {
          if (step.kind === "start") {
            seq++;
            const op = `op${seq}`;
            live.set(op, { atMs: nowMs + step.inMs, seq });
            queue.push(nowMs + step.inMs, seq, op);
          } else if (step.kind === "settle") {
            const ops = [...live.keys()];
            if (ops.length > 0) live.delete(ops[step.pick % ops.length] as string);
          } else if (step.kind === "earliest") {
            const least = Math.min(...[...live.values()].map((v) => v.atMs));
            expect(queue.earliest(isLive)).toBe(live.size === 0 ? undefined : least);
          } else if (step.kind === "compact") {
            // Compaction keeps what it must (no slack here: it rebuilds whenever settled entries outnumber live ones).
            queue.compact(live.size, isLive);
          } else {
            nowMs += step.advanceMs;
            const expected = [...live.entries()]
              .filter(([, v]) => v.atMs <= nowMs)
              .sort(([, a], [, b]) => a.atMs - b.atMs || a.seq - b.seq)
              .map(([op, v]) => ({ seq: v.seq, op }));
            expect(queue.takeDue(nowMs, isLive)).toEqual(expected);
            // What a tick takes out, the node settles: it is not live any more.
            for (const { op } of expected) live.delete(op);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("compacts to the live entries once settled ones outnumber them, and not before", () => {
    const queue = new Deadlines(); // the node's slack: 1,024
    const live = new Set<string>();
    for (let i = 0; i < 3_000; i++) {
      queue.push(i, i, `op${i}`);
      if (i % 10 === 0) live.add(`op${i}`);
    }
    queue.compact(3_000, (op) => live.has(op));
    expect(queue.size).toBe(3_000);
    queue.compact(live.size, (op) => live.has(op));
    expect(queue.size).toBe(live.size);
    expect(queue.earliest((op) => live.has(op))).toBe(0);
  });
});
