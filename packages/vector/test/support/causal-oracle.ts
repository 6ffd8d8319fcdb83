/**
 * Ground truth for causality in a schedule of reads, writes and replica
 * syncs, computed with plain sets and none of the code under test.
 *
 * A write's causal past is exactly what its client read before writing (the
 * writes known to the replica it read from); a blind write has an empty past.
 * A replica knows the writes it accepted, the pasts of those writes, and
 * whatever it synced from others. The values a correct store must keep at a
 * replica are the writes it knows that no write it knows has in its past:
 * the truly concurrent ones.
 */
export type WriteId = number;

export class CausalOracle {
  readonly #past = new Map<WriteId, ReadonlySet<WriteId>>();
  readonly #known = new Map<string, Set<WriteId>>();

  /** What a client reading `replica` now has seen: the past its next write will have. */
  read(replica: string): ReadonlySet<WriteId> {
    return new Set(this.#knownAt(replica));
  }

  write(replica: string, id: WriteId, seen: ReadonlySet<WriteId>): void {
    if (this.#past.has(id)) throw new Error(`write ${id} recorded twice`);
    this.#past.set(id, new Set(seen));
    const known = this.#knownAt(replica);
    for (const w of seen) known.add(w);
    known.add(id);
  }

  sync(to: string, from: string): void {
    const known = this.#knownAt(to);
    for (const w of this.#knownAt(from)) known.add(w);
  }

  /** True when `earlier` is in the causal past of `later`. */
  happenedBefore(earlier: WriteId, later: WriteId): boolean {
    return this.#past.get(later)?.has(earlier) ?? false;
  }

  /** The writes known at `replica` that no known write has in its past. */
  concurrentValues(replica: string): Set<WriteId> {
    return this.maxima(this.#knownAt(replica));
  }

  /** The writes of `writes` that no write of `writes` has in its past. */
  maxima(writes: Iterable<WriteId>): Set<WriteId> {
    const all = new Set(writes);
    const dominated = new Set<WriteId>();
    for (const w of all) for (const p of this.#past.get(w) ?? []) dominated.add(p);
    return new Set([...all].filter((w) => !dominated.has(w)));
  }

  #knownAt(replica: string): Set<WriteId> {
    let known = this.#known.get(replica);
    if (known === undefined) {
      known = new Set();
      this.#known.set(replica, known);
    }
    return known;
  }
}
