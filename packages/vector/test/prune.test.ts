/**
 * Pruning is sound: whatever a pruned clock went through afterwards (merges,
 * increments, more pruning), comparing it never gives an answer that the
 * true, unpruned clock would contradict. It may say `concurrent` where the
 * truth is `before`, `after` or `equal` (a false conflict); it never says
 * `before`, `after` or `equal` where the truth is something else.
 *
 * Each generated history runs the same operations on a few tracks, each
 * holding its true clock and the clock a store that prunes would hold.
 */
import { VectorClock } from "@skew/vector";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clockArb, nodeIdArb } from "./support/arbitraries.js";

interface Track {
  truth: VectorClock;
  held: VectorClock;
}

type Step =
  | { readonly kind: "increment"; readonly track: number; readonly id: string }
  | { readonly kind: "merge"; readonly into: number; readonly from: number }
  | { readonly kind: "prune"; readonly track: number; readonly entriesMax: number };

const trackCount = 4;
const trackArb = fc.nat({ max: trackCount - 1 });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("increment" as const), track: trackArb, id: nodeIdArb }),
  fc.record({ kind: fc.constant("merge" as const), into: trackArb, from: trackArb }),
  fc.record({ kind: fc.constant("prune" as const), track: trackArb, entriesMax: fc.nat({ max: 3 }) }),
);

function run(starts: readonly VectorClock[], steps: readonly Step[]): Track[] {
  const tracks = starts.map((clock) => ({ truth: clock, held: clock }));
  for (const step of steps) {
    if (step.kind === "increment") {
      const t = tracks[step.track] as Track;
      if (t.truth.get(step.id) >= Number.MAX_SAFE_INTEGER) continue;
      t.truth = t.truth.increment(step.id);
      t.held = t.held.increment(step.id);
    } else if (step.kind === "merge") {
      const into = tracks[step.into] as Track;
      const from = tracks[step.from] as Track;
      into.truth = into.truth.merge(from.truth);
      into.held = into.held.merge(from.held);
    } else {
      const t = tracks[step.track] as Track;
      t.held = t.held.prune(step.entriesMax);
    }
  }
  return tracks;
}

describe("pruning", () => {
  it("never reports a false before, after or equal", () => {
    fc.assert(
      fc.property(
        fc.array(clockArb, { minLength: trackCount, maxLength: trackCount }),
        fc.array(stepArb, { maxLength: 30 }),
        (starts, steps) => {
          const tracks = run(starts, steps);
          for (const x of tracks) {
            // What a held clock lists is a lower bound of the truth, and exact when it was never pruned.
            for (const [id, counter] of x.held.entries()) expect(counter).toBeLessThanOrEqual(x.truth.get(id));
            if (!x.held.pruned) expect(x.held.equals(x.truth)).toBe(true);
            for (const y of tracks) {
              const held = x.held.compare(y.held);
              if (held !== "concurrent") expect(held).toBe(x.truth.compare(y.truth));
              if (x.held.descends(y.held)) expect(x.truth.descends(y.truth)).toBe(true);
            }
          }
        },
      ),
    );
  });

  it("still reports what the kept entries prove", () => {
    const truth = VectorClock.from({ a: 1, b: 2, c: 3 });
    const pruned = truth.prune(2); // {b:2, c:3}
    expect(pruned.compare(VectorClock.from({ c: 2 }))).toBe("after");
    // Truly after, but the pruned clock no longer knows that what it dropped was only a:1: a false conflict.
    expect(VectorClock.from({ a: 1, b: 3, c: 4 }).compare(pruned)).toBe("concurrent");
    expect(VectorClock.from({ c: 2 }).compare(pruned)).toBe("before");
  });
});
