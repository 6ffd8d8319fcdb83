/**
 * The point of dotted version vectors (Preguiça, Baquero, Almeida, Fonte,
 * Gonçalves 2010; Riak 2.0), shown with 101 writes from 101 different clients
 * through 3 replicas, run through four causality mechanisms (see
 * support/mechanisms.ts) and checked against an oracle that knows the true
 * happened-before relation of the schedule (support/causal-oracle.ts).
 *
 * Two schedules:
 *
 * 1. Blind writes (the wording): no client read first, so all 101
 *    writes are truly concurrent and a correct store keeps 101 siblings.
 *    Client-id version vectors keep them, at the price of 101 entries of
 *    metadata; the DVV set keeps them with 3. Per-value server-id vectors
 *    keep only the last write of each replica: 98 are lost.
 * 2. Read-modify-write racing blind writes (the shape of Riak's `sib:run1`,
 *    from the dvvset README): in each round one client reads from a replica,
 *    another writes blind to the next replica, then the first writes back to
 *    that replica, with what it read as context. Only 2 values are truly
 *    concurrent at the end. Client-id vectors find them, with 101 entries;
 *    one server-id vector per key keeps all 101 values (99 false siblings);
 *    per-value server-id vectors lose a concurrent write; the DVV set keeps
 *    exactly the 2, with 3 entries.
 */
import { describe, expect, it } from "vitest";
import { CausalOracle } from "./support/causal-oracle.js";
import {
  ClientIdVersionVectors,
  DottedVersionVectors,
  type Mechanism,
  ServerIdVersionVectorPerKey,
  ServerIdVersionVectorPerValue,
} from "./support/mechanisms.js";

const replicas = ["A", "B", "C"] as const;
const writeCount = 101;

interface Outcome {
  /** The values every replica holds once anti-entropy has run (replicas agree; checked). */
  readonly values: ReadonlySet<number>;
  readonly contextEntries: number;
}

/** A schedule drives every mechanism and the oracle with the same steps; a write's value is its client's number. */
class Run {
  readonly oracle = new CausalOracle();
  readonly mechanisms: Mechanism[] = [
    new ClientIdVersionVectors(),
    new ServerIdVersionVectorPerKey(),
    new ServerIdVersionVectorPerValue(),
    new DottedVersionVectors(),
  ];
  /** What each client read: per mechanism, its context; and what the oracle says it saw. */
  readonly #reads = new Map<number, { contexts: unknown[]; seen: ReadonlySet<number> }>();
  writes = 0;

  read(client: number, replica: string): void {
    this.#reads.set(client, {
      contexts: this.mechanisms.map((m) => m.read(replica).context),
      seen: this.oracle.read(replica),
    });
  }

  /** A write by `client` at `replica`, with the context of its earlier read, or blind if it read nothing. */
  write(client: number, replica: string): void {
    const read = this.#reads.get(client);
    this.mechanisms.forEach((m, i) => {
      m.write(replica, `client-${client}`, client, read?.contexts[i]);
    });
    this.oracle.write(replica, client, read?.seen ?? new Set());
    this.writes++;
  }

  /** Full anti-entropy: A takes in B and C, then B and C take in A. */
  antiEntropy(): void {
    const [first, ...rest] = replicas;
    for (const other of rest) this.#sync(first, other);
    for (const other of rest) this.#sync(other, first);
  }

  outcome(mechanism: Mechanism): Outcome {
    const perReplica = replicas.map((r) => new Set(mechanism.read(r).values));
    for (const values of perReplica) expect(values, `${mechanism.name}: replicas disagree`).toEqual(perReplica[0]);
    return { values: perReplica[0] as Set<number>, contextEntries: mechanism.contextEntries("A") };
  }

  truth(): ReadonlySet<number> {
    const perReplica = replicas.map((r) => this.oracle.concurrentValues(r));
    for (const values of perReplica) expect(values).toEqual(perReplica[0]);
    return perReplica[0] as Set<number>;
  }

  #sync(to: string, from: string): void {
    for (const m of this.mechanisms) m.sync(to, from);
    this.oracle.sync(to, from);
  }
}

const byName = (run: Run, name: string): Outcome => {
  const mechanism = run.mechanisms.find((m) => m.name === name);
  if (mechanism === undefined) throw new Error(`no mechanism ${name}`);
  return run.outcome(mechanism);
};

const sorted = (values: ReadonlySet<number>): number[] => [...values].sort((x, y) => x - y);

describe("101 writes from 101 clients through 3 replicas", () => {
  it("blind writes: all 101 are truly concurrent; DVV keeps them all with 3 entries, client ids need 101", () => {
    const run = new Run();
    for (let client = 0; client < writeCount; client++) {
      run.write(client, replicas[client % 3] as string);
      if (client % 5 === 4) run.antiEntropy();
    }
    run.antiEntropy();
    expect(run.writes).toBe(writeCount);

    const truth = run.truth();
    expect(truth.size).toBe(writeCount); // nobody read anything: every write is concurrent with every other

    const clientIds = byName(run, "version vector per value, client ids");
    expect(sorted(clientIds.values)).toEqual(sorted(truth)); // 101 siblings, all of them real
    expect(clientIds.contextEntries).toBe(writeCount); // one entry per client

    const dvv = byName(run, "dotted version vector set");
    expect(sorted(dvv.values)).toEqual(sorted(truth));
    expect(dvv.contextEntries).toBeLessThanOrEqual(replicas.length);

    // One vector per key is right here (blind writes never overwrite anything), and bounded.
    const perKey = byName(run, "one version vector per key, server ids");
    expect(sorted(perKey.values)).toEqual(sorted(truth));
    expect(perKey.contextEntries).toBeLessThanOrEqual(replicas.length);

    // A blind write at a replica gets the next event there and so looks newer than every earlier
    // write of that replica: only the last write of each replica survives, 98 concurrent writes are lost.
    const perValue = byName(run, "version vector per value, server ids");
    expect(sorted(perValue.values)).toEqual([writeCount - 3, writeCount - 2, writeCount - 1]);
    expect(perValue.contextEntries).toBeLessThanOrEqual(replicas.length);
  });

  it("read-modify-write racing blind writes: DVV keeps exactly the 2 concurrent values; server ids keep 101 or lose one", () => {
    const run = new Run();
    run.write(0, "A");
    run.antiEntropy();
    for (let round = 1; 2 * round < writeCount; round++) {
      const reader = 2 * round - 1;
      const blind = 2 * round;
      // The reader reads one replica; both writes go to the next one, the blind write first.
      run.read(reader, replicas[round % 3] as string);
      run.write(blind, replicas[(round + 1) % 3] as string);
      run.write(reader, replicas[(round + 1) % 3] as string);
      run.antiEntropy();
    }
    expect(run.writes).toBe(writeCount);

    // Each reader saw everything before its round, so it overwrites all of it; each blind write is
    // overwritten by the next round's reader. What remains concurrent: the last round's two writes.
    const truth = run.truth();
    expect(sorted(truth)).toEqual([writeCount - 2, writeCount - 1]);
    expect(run.oracle.happenedBefore(writeCount - 3, writeCount - 2)).toBe(true);
    expect(run.oracle.happenedBefore(writeCount - 1, writeCount - 2)).toBe(false);

    const clientIds = byName(run, "version vector per value, client ids");
    expect(sorted(clientIds.values)).toEqual(sorted(truth)); // exact...
    expect(clientIds.contextEntries).toBe(writeCount); // ...with one entry per client

    const dvv = byName(run, "dotted version vector set");
    expect(sorted(dvv.values)).toEqual(sorted(truth)); // exact...
    expect(dvv.contextEntries).toBeLessThanOrEqual(replicas.length); // ...with one entry per replica

    // One vector per key: a reader's write cannot say which values it saw, the racing blind write
    // made the vectors concurrent, and anti-entropy unions the values. Nothing is ever dropped.
    const perKey = byName(run, "one version vector per key, server ids");
    expect(perKey.values.size).toBe(writeCount);
    expect(perKey.contextEntries).toBeLessThanOrEqual(replicas.length);

    // One vector per value: the reader's write (context plus the next event of its replica) looks
    // newer than the blind write that raced it, and the blind write is lost.
    const perValue = byName(run, "version vector per value, server ids");
    expect([...truth].filter((v) => !perValue.values.has(v))).toEqual([writeCount - 1]);
  });
});
