/**
 * Generators for the record laws. Small domains on purpose: fences, times and
 * node ids collide often, so ties and equal stamps are exercised, not just
 * the easy case of distinct ones.
 */
import { DottedVersionVectorSet, VectorClock } from "@skew/vector";
import fc from "fast-check";
import {
  type CausalRecord,
  causalWrite,
  type LwwRecord,
  mergeRecords,
  type Sibling,
  type Value,
} from "../../src/record/index.js";

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
 * read from replica `readFrom` (or none: a blind write) and its own fencing
 * token, through the code's own paths: `causalWrite` (a coordinator's update)
 * and `mergeRecords` (a sync). As a coordinator does, a write whose token is
 * below its replica's fence or its context's is refused (skipped); one below
 * a token that only another replica has seen is taken, as a zombie's write
 * is at a replica that had not seen the newer token, and meets the newer
 * token at a later sync. Returns each replica's record and, for the oracle,
 * what each replica knows, each write's causal past and each write's token.
 */
export function runCausal(
  steps: readonly CausalStep[],
  options: { readonly tombstones: boolean } = { tombstones: false },
): {
  readonly records: CausalRecord[];
  readonly known: Set<number>[];
  readonly past: Map<number, Set<number>>;
  readonly fences: Map<number, number>;
} {
  const records: CausalRecord[] = replicaNames.map(() => ({
    kind: "causal",
    fence: 0,
    set: DottedVersionVectorSet.empty<Sibling>(),
  }));
  const known = replicaNames.map(() => new Set<number>());
  const past = new Map<number, Set<number>>();
  const fences = new Map<number, number>();
  let writes = 0;
  for (const step of steps) {
    if (step.kind === "write") {
      const target = records[step.at] as CausalRecord;
      const read = step.readFrom === null ? undefined : (records[step.readFrom] as CausalRecord);
      const context = read === undefined ? VectorClock.empty : read.set.join();
      if (step.fence < Math.max(target.fence, read?.fence ?? 0)) continue; // FENCED
      const id = writes++;
      const seen = new Set(step.readFrom === null ? [] : (known[step.readFrom] as Set<number>));
      past.set(id, seen);
      fences.set(id, step.fence);
      const value = valueOfWrite(id, options.tombstones);
      // Stamped with the write's number: any distinct stamp per dot will do for the merge laws.
      records[step.at] = causalWrite(target, value, context, step.fence, replicaNames[step.at] as string, id + 1);
      const mine = known[step.at] as Set<number>;
      for (const w of seen) mine.add(w);
      mine.add(id);
    } else {
      const from = records[step.from] as CausalRecord;
      const to = records[step.to] as CausalRecord;
      records[step.to] = mergeRecords(to, from) as CausalRecord;
      for (const w of known[step.from] as Set<number>) (known[step.to] as Set<number>).add(w);
    }
  }
  return { records, known, past, fences };
}

/** The writes a correct store keeps, knowing `known`: those in no known write's past. */
export function undominated(known: ReadonlySet<number>, past: ReadonlyMap<number, ReadonlySet<number>>): number[] {
  const dominated = new Set<number>();
  for (const w of known) for (const p of past.get(w) ?? []) dominated.add(p);
  return [...known].filter((w) => !dominated.has(w)).sort((a, b) => a - b);
}

/**
 * The writes a correct fenced store keeps, knowing `known`: the undominated
 * ones written under the highest token among the known writes (one under a
 * lower token is superseded, as a lower fence loses in a last-write-wins
 * stamp). Computed from the histories alone, with none of the code under test.
 */
export function undominatedFenced(
  known: ReadonlySet<number>,
  past: ReadonlyMap<number, ReadonlySet<number>>,
  fences: ReadonlyMap<number, number>,
): number[] {
  let highest = 0;
  for (const w of known) highest = Math.max(highest, fences.get(w) ?? 0);
  return undominated(known, past).filter((w) => (fences.get(w) ?? 0) >= highest);
}
