/**
 * Dotted version vector sets against the truth. Random schedules of reads,
 * writes (with the context read, or blind) and replica syncs run over three
 * replicas and a handful of clients; after every step each replica must hold
 * exactly the truly concurrent values (support/causal-oracle.ts, which uses
 * none of the code under test) with at most one history entry per replica.
 * Every state a schedule reaches goes into a pool, and the lattice laws of
 * `sync` and the laws of `update` are checked on states drawn from it.
 */
import { DottedVersionVectorSet, VectorClock } from "@skew/vector";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CausalOracle, type WriteId } from "./support/causal-oracle.js";

const replicas = ["A", "B", "C"] as const;
const clientCount = 5;

type Step =
  | { readonly kind: "read"; readonly client: number; readonly replica: number }
  | { readonly kind: "write"; readonly client: number; readonly replica: number; readonly blind: boolean }
  | { readonly kind: "sync"; readonly to: number; readonly from: number };

const replicaArb = fc.nat({ max: replicas.length - 1 });
const clientArb = fc.nat({ max: clientCount - 1 });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("read" as const), client: clientArb, replica: replicaArb }),
  fc.record({ kind: fc.constant("write" as const), client: clientArb, replica: replicaArb, blind: fc.boolean() }),
  fc.record({ kind: fc.constant("sync" as const), to: replicaArb, from: replicaArb }),
);
const scheduleArb = fc.array(stepArb, { minLength: 1, maxLength: 40 });

/** A reached state and the writes its replica knew then, by the oracle. */
interface Reached {
  readonly set: DottedVersionVectorSet<WriteId>;
  readonly known: ReadonlySet<WriteId>;
}

const sorted = (values: Iterable<WriteId>): WriteId[] => [...values].sort((x, y) => x - y);

/** Internal consistency: dots in strictly increasing order, each within the history. */
function checkShape(set: DottedVersionVectorSet<WriteId>): void {
  const siblings = set.siblings();
  siblings.forEach((s, i) => {
    expect(s.counter).toBeGreaterThanOrEqual(1);
    expect(s.counter).toBeLessThanOrEqual(set.join().get(s.replica));
    const next = siblings[i + 1];
    if (next !== undefined) {
      expect(s.replica < next.replica || (s.replica === next.replica && s.counter < next.counter)).toBe(true);
    }
  });
  expect(set.join().pruned).toBe(false);
  expect(set.size).toBe(siblings.length);
}

/** Runs a schedule, checking every replica after every step; returns the oracle and every state reached. */
function run(schedule: readonly Step[]): { oracle: CausalOracle; pool: Reached[] } {
  const oracle = new CausalOracle();
  const states: DottedVersionVectorSet<WriteId>[] = replicas.map(() => DottedVersionVectorSet.empty());
  const reads = new Map<number, { context: VectorClock; seen: ReadonlySet<WriteId> }>();
  const pool: Reached[] = [{ set: DottedVersionVectorSet.empty(), known: new Set() }];
  let writes = 0;
  for (const step of schedule) {
    if (step.kind === "read") {
      const replica = replicas[step.replica] as string;
      reads.set(step.client, {
        context: (states[step.replica] as DottedVersionVectorSet<WriteId>).join(),
        seen: oracle.read(replica),
      });
      continue;
    }
    if (step.kind === "write") {
      const replica = replicas[step.replica] as string;
      const read = step.blind ? undefined : reads.get(step.client);
      const id = writes++;
      states[step.replica] = (states[step.replica] as DottedVersionVectorSet<WriteId>).update(
        id,
        read?.context ?? VectorClock.empty,
        replica,
      );
      oracle.write(replica, id, read?.seen ?? new Set());
      reads.delete(step.client); // a client writes what it read once; its next write needs a new read
    } else {
      states[step.to] = (states[step.to] as DottedVersionVectorSet<WriteId>).sync(
        states[step.from] as DottedVersionVectorSet<WriteId>,
      );
      oracle.sync(replicas[step.to] as string, replicas[step.from] as string);
    }
    replicas.forEach((replica, i) => {
      const set = states[i] as DottedVersionVectorSet<WriteId>;
      checkShape(set);
      expect(sorted(set.values())).toEqual(sorted(oracle.concurrentValues(replica)));
      expect(set.join().size).toBeLessThanOrEqual(replicas.length);
      pool.push({ set, known: oracle.read(replica) });
    });
  }
  return { oracle, pool };
}

/** A schedule and three indices into the states it reaches. */
const drawArb = fc.tuple(scheduleArb, fc.nat(), fc.nat(), fc.nat());

function draw([schedule, i, j, k]: [Step[], number, number, number]) {
  const { oracle, pool } = run(schedule);
  const pick = (n: number): Reached => pool[n % pool.length] as Reached;
  return { oracle, a: pick(i), b: pick(j), c: pick(k) };
}

describe("dotted version vector set laws", () => {
  it("every replica holds exactly the truly concurrent values, with at most one entry per replica", () => {
    fc.assert(fc.property(scheduleArb, (schedule) => void run(schedule)));
  });

  it("sync is commutative, associative and idempotent", () => {
    fc.assert(
      fc.property(drawArb, (drawn) => {
        const { a, b, c } = draw(drawn);
        expect(a.set.sync(b.set).equals(b.set.sync(a.set))).toBe(true);
        expect(
          a.set
            .sync(b.set)
            .sync(c.set)
            .equals(a.set.sync(b.set.sync(c.set))),
        ).toBe(true);
        expect(a.set.sync(a.set).equals(a.set)).toBe(true);
        expect(a.set.sync(b.set).sync(b.set).equals(a.set.sync(b.set))).toBe(true);
      }),
    );
  });

  it("sync keeps exactly the values of both that neither side's knowledge dominates, and joins the histories", () => {
    fc.assert(
      fc.property(drawArb, (drawn) => {
        const { oracle, a, b } = draw(drawn);
        const synced = a.set.sync(b.set);
        expect(sorted(synced.values())).toEqual(sorted(oracle.maxima([...a.known, ...b.known])));
        expect(synced.join().equals(a.set.join().merge(b.set.join()))).toBe(true);
      }),
    );
  });

  it("a write with a set's join as context overwrites every value in it; a blind write overwrites none", () => {
    fc.assert(
      fc.property(drawArb, fc.constantFrom(...replicas), (drawn, replica) => {
        const { a } = draw(drawn);
        const next = a.set.update(-1, a.set.join(), replica);
        expect(next.values()).toEqual([-1]);
        expect(next.join().compare(a.set.join())).toBe("after");
        const blind = a.set.update(-1, VectorClock.empty, replica);
        expect(sorted(blind.values())).toEqual(sorted([...a.set.values(), -1]));
      }),
    );
  });

  it("a write whose context is another state's join overwrites exactly what that state knew", () => {
    fc.assert(
      fc.property(drawArb, fc.constantFrom(...replicas), (drawn, replica) => {
        const { a, b } = draw(drawn);
        // Write at the replica that state a belongs to would be the real case; any replica keeps the law.
        const next = a.set.update(-1, b.set.join(), replica);
        const expected = a.set.values().filter((v) => !b.known.has(v));
        expect(sorted(next.values())).toEqual(sorted([...expected, -1]));
      }),
    );
  });

  // A threshold predicate, as a store that drops the siblings written under a fencing token below the
  // highest seen uses: each write gets a token from its id (a small domain, so tokens collide often).
  const tokenOf = (value: WriteId): number => (value * 7) % 4;
  const atLeast =
    (threshold: number) =>
    (value: WriteId): boolean =>
      tokenOf(value) >= threshold;
  const thresholdArb = fc.integer({ min: 0, max: 4 });

  it("retain keeps exactly the accepted siblings at their dots and leaves the history as it was", () => {
    fc.assert(
      fc.property(drawArb, thresholdArb, (drawn, threshold) => {
        const { a } = draw(drawn);
        const kept = a.set.retain(atLeast(threshold));
        checkShape(kept);
        expect(kept.siblings()).toEqual(a.set.siblings().filter((s) => atLeast(threshold)(s.value)));
        expect(kept.join().equals(a.set.join())).toBe(true);
        // What it dropped stays dropped: syncing with the state that still holds it changes nothing.
        expect(kept.sync(a.set).equals(kept)).toBe(true);
        expect(a.set.sync(kept).equals(kept)).toBe(true);
      }),
    );
  });

  it("retain commutes with sync: retain then sync equals sync then retain", () => {
    fc.assert(
      fc.property(drawArb, thresholdArb, (drawn, threshold) => {
        const { a, b } = draw(drawn);
        const keep = atLeast(threshold);
        expect(a.set.retain(keep).sync(b.set.retain(keep)).equals(a.set.sync(b.set).retain(keep))).toBe(true);
      }),
    );
  });

  it("sync, then retain above the higher of two rising thresholds, is a join", () => {
    // A state with its threshold (the highest token it has seen); the join raises the threshold to the max.
    type Fenced = { readonly set: DottedVersionVectorSet<WriteId>; readonly threshold: number };
    const fenced = (set: DottedVersionVectorSet<WriteId>, threshold: number): Fenced => ({
      set: set.retain(atLeast(threshold)),
      threshold,
    });
    const join = (x: Fenced, y: Fenced): Fenced => fenced(x.set.sync(y.set), Math.max(x.threshold, y.threshold));
    const same = (x: Fenced, y: Fenced): boolean => x.threshold === y.threshold && x.set.equals(y.set);
    fc.assert(
      fc.property(drawArb, thresholdArb, thresholdArb, thresholdArb, (drawn, ta, tb, tc) => {
        const { a: ra, b: rb, c: rc } = draw(drawn);
        const [a, b, c] = [fenced(ra.set, ta), fenced(rb.set, tb), fenced(rc.set, tc)];
        expect(same(join(a, b), join(b, a))).toBe(true);
        expect(same(join(join(a, b), c), join(a, join(b, c)))).toBe(true);
        expect(same(join(a, a), a)).toBe(true);
        expect(same(join(join(a, b), b), join(a, b))).toBe(true);
      }),
    );
  });

  it("round-trips through its encoding", () => {
    const codec = {
      encode: (v: number) => Uint8Array.of(v & 0xff, v >> 8),
      decode: (bytes: Uint8Array) => (bytes[0] as number) | ((bytes[1] as number) << 8),
    };
    fc.assert(
      fc.property(drawArb, (drawn) => {
        const { a } = draw(drawn);
        expect(DottedVersionVectorSet.decode(a.set.encode(codec), codec).equals(a.set)).toBe(true);
      }),
    );
  });

  it("hands the codec views of the bytes it decodes, each exactly one sibling's value", () => {
    // The contract ValueCodec documents: no copy is made, so a codec that keeps bytes must copy them itself.
    const codec = {
      encode: (v: number) => Uint8Array.of(v & 0xff, v >> 8),
      decode: (bytes: Uint8Array) => bytes,
    };
    fc.assert(
      fc.property(drawArb, (drawn) => {
        const { a } = draw(drawn);
        const bytes = a.set.encode(codec);
        const views = DottedVersionVectorSet.decode(bytes, codec).values();
        expect(views.map((v) => v.buffer === bytes.buffer)).toEqual(views.map(() => true));
        expect(views.map((v) => (v[0] as number) | ((v[1] as number) << 8))).toEqual(a.set.values());
      }),
    );
  });
});
