/**
 * Generators for the record laws. Small domains on purpose: fences, times and
 * node ids collide often, so ties and equal stamps are exercised, not just
 * the easy case of distinct ones.
 */
import { DottedVersionVectorSet, VectorClock } from "@skew/vector";
import fc from "fast-check";
import type { CausalRecord, LwwRecord, Value } from "../../src/record/index.js";

export const valueArb: fc.Arbitrary<Value> = fc.oneof(
  fc.constant(null),
  fc.uint8Array({ maxLength: 3 }),
  fc.constantFrom(new Uint8Array([1]), new Uint8Array([2])),
);

export const lwwRecordArb: fc.Arbitrary<LwwRecord> = fc.record({
  kind: fc.constant("lww" as const),
  stamp: fc.record({
    fence: fc.integer({ min: 0, max: 2 }),
    time: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.double({ min: 0, max: 1e13, noNaN: true })),
    node: fc.constantFrom("n1", "n2", "n3"),
  }),
  value: valueArb,
});

/** One step of a random causal history over replicas A, B, C. */
export type CausalStep =
  | { readonly kind: "write"; readonly at: number; readonly readFrom: number | null; readonly fence: number }
  | { readonly kind: "sync"; readonly from: number; readonly to: number };

export const replicaNames = ["A", "B", "C"] as const;

export const causalStepsArb: fc.Arbitrary<CausalStep[]> = fc.array(
  fc.oneof(
    fc.record({
      kind: fc.constant("write" as const),
      at: fc.integer({ min: 0, max: 2 }),
      readFrom: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
      fence: fc.integer({ min: 0, max: 2 }),
    }),
    fc.record({
      kind: fc.constant("sync" as const),
      from: fc.integer({ min: 0, max: 2 }),
      to: fc.integer({ min: 0, max: 2 }),
    }),
  ),
  { maxLength: 24 },
);

/** Write `i` stores the two bytes of `i`, so a value names its write; with `tombstones`, every fifth write is a delete. */
export function valueOfWrite(i: number, tombstones: boolean): Value {
  return tombstones && i % 5 === 4 ? null : new Uint8Array([i & 0xff, i >> 8]);
}

export function writeOfValue(value: Uint8Array): number {
  return (value[0] as number) | ((value[1] as number) << 8);
}

/**
 * Runs `steps` on three replicas, each write at replica `at` with the context
 * read from replica `readFrom` (or none: a blind write). Returns each
 * replica's record and, for the oracle, what each replica knows and each
 * write's causal past.
 */
export function runCausal(
  steps: readonly CausalStep[],
  options: { readonly tombstones: boolean } = { tombstones: false },
): {
  readonly records: CausalRecord[];
  readonly known: Set<number>[];
  readonly past: Map<number, Set<number>>;
} {
  const records: CausalRecord[] = replicaNames.map(() => ({
    kind: "causal",
    fence: 0,
    set: DottedVersionVectorSet.empty<Value>(),
  }));
  const known = replicaNames.map(() => new Set<number>());
  const past = new Map<number, Set<number>>();
  let writes = 0;
  for (const step of steps) {
    if (step.kind === "write") {
      const target = records[step.at] as CausalRecord;
      const read = step.readFrom === null ? undefined : (records[step.readFrom] as CausalRecord);
      const context = read === undefined ? VectorClock.empty : read.set.join();
      const id = writes++;
      const seen = new Set(step.readFrom === null ? [] : (known[step.readFrom] as Set<number>));
      past.set(id, seen);
      records[step.at] = {
        kind: "causal",
        fence: Math.max(target.fence, step.fence),
        set: target.set.update(valueOfWrite(id, options.tombstones), context, replicaNames[step.at] as string),
      };
      const mine = known[step.at] as Set<number>;
      for (const w of seen) mine.add(w);
      mine.add(id);
    } else {
      const from = records[step.from] as CausalRecord;
      const to = records[step.to] as CausalRecord;
      records[step.to] = { kind: "causal", fence: Math.max(from.fence, to.fence), set: to.set.sync(from.set) };
      for (const w of known[step.from] as Set<number>) (known[step.to] as Set<number>).add(w);
    }
  }
  return { records, known, past };
}

/** The writes a correct store keeps, knowing `known`: those in no known write's past. */
export function undominated(known: ReadonlySet<number>, past: ReadonlyMap<number, ReadonlySet<number>>): number[] {
  const dominated = new Set<number>();
  for (const w of known) for (const p of past.get(w) ?? []) dominated.add(p);
  return [...known].filter((w) => !dominated.has(w)).sort((a, b) => a - b);
}
