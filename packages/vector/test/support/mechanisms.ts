/**
 * Four ways a replicated store can track causality for one key, behind one
 * interface, so a schedule can be run through all of them (the 101-writes
 * scenario). Three are the designs the dotted version vector paper (Preguiça
 * et al.) and the dvvset README take apart, built here on `VectorClock`:
 *
 * - client ids: each value carries a version vector with one entry per client
 *   that wrote (Riak before 1.0). Exact, but the vectors grow with clients.
 * - server ids, one vector per key: the values share one version vector with
 *   one entry per replica; a write whose context does not descend it is added
 *   beside the others (Riak 1.x). Bounded, but it cannot tell which values a
 *   context saw, so it keeps false siblings.
 * - server ids, one vector per value: each value gets the client's context
 *   plus the next event of the replica (the dvvset README's "keep VV
 *   separated"). Bounded, but a blind write looks newer than the writes the
 *   replica made before it, so concurrent values are lost.
 *
 * The fourth is the dotted version vector set. Values are write ids (numbers).
 */
import { DottedVersionVectorSet, VectorClock } from "@skew/vector";

export interface Mechanism {
  readonly name: string;
  /** The values at `replica` and the opaque context a client gets with them. */
  read(replica: string): { readonly values: readonly number[]; readonly context: unknown };
  /** A write by `client` at `replica`; `context` is from an earlier read, or `undefined` for a blind write. */
  write(replica: string, client: string, value: number, context: unknown): void;
  /** Anti-entropy: `to` takes in the state of `from`. */
  sync(to: string, from: string): void;
  /** Entries in the causal context a read of `replica` returns: the metadata a client carries and a store keeps. */
  contextEntries(replica: string): number;
}

interface Versioned {
  readonly clock: VectorClock;
  readonly value: number;
}

const asClock = (context: unknown): VectorClock =>
  context === undefined ? VectorClock.empty : (context as VectorClock);

/** Siblings each with its own version vector: keep those no other one strictly dominates (one copy per write). */
function undominated(siblings: readonly Versioned[]): Versioned[] {
  const out: Versioned[] = [];
  for (const s of siblings) {
    if (out.some((o) => o.value === s.value)) continue;
    if (siblings.some((o) => o.clock.compare(s.clock) === "after")) continue;
    out.push(s);
  }
  return out;
}

function joinOf(siblings: readonly Versioned[]): VectorClock {
  return siblings.reduce((acc, s) => acc.merge(s.clock), VectorClock.empty);
}

export class ClientIdVersionVectors implements Mechanism {
  readonly name = "version vector per value, client ids";
  readonly #replicas = new Map<string, Versioned[]>();

  read(replica: string) {
    const siblings = this.#at(replica);
    return { values: siblings.map((s) => s.value), context: joinOf(siblings) };
  }

  write(replica: string, client: string, value: number, context: unknown): void {
    const clock = asClock(context).increment(client);
    this.#replicas.set(replica, undominated([...this.#at(replica), { clock, value }]));
  }

  sync(to: string, from: string): void {
    this.#replicas.set(to, undominated([...this.#at(to), ...this.#at(from)]));
  }

  contextEntries(replica: string): number {
    return joinOf(this.#at(replica)).size;
  }

  #at(replica: string): Versioned[] {
    return this.#replicas.get(replica) ?? [];
  }
}

export class ServerIdVersionVectorPerKey implements Mechanism {
  readonly name = "one version vector per key, server ids";
  readonly #replicas = new Map<string, { clock: VectorClock; values: number[] }>();

  read(replica: string) {
    const state = this.#at(replica);
    return { values: state.values, context: state.clock };
  }

  write(replica: string, _client: string, value: number, context: unknown): void {
    const state = this.#at(replica);
    const seen = asClock(context);
    const values = seen.descends(state.clock) ? [value] : [...state.values, value];
    this.#replicas.set(replica, { clock: state.clock.merge(seen).increment(replica), values });
  }

  sync(to: string, from: string): void {
    const mine = this.#at(to);
    const theirs = this.#at(from);
    const ordering = theirs.clock.compare(mine.clock);
    if (ordering === "after") this.#replicas.set(to, theirs);
    else if (ordering === "concurrent") {
      const values = [...mine.values, ...theirs.values.filter((v) => !mine.values.includes(v))];
      this.#replicas.set(to, { clock: mine.clock.merge(theirs.clock), values });
    }
  }

  contextEntries(replica: string): number {
    return this.#at(replica).clock.size;
  }

  #at(replica: string) {
    return this.#replicas.get(replica) ?? { clock: VectorClock.empty, values: [] };
  }
}

export class ServerIdVersionVectorPerValue implements Mechanism {
  readonly name = "version vector per value, server ids";
  readonly #replicas = new Map<string, Versioned[]>();

  read(replica: string) {
    const siblings = this.#at(replica);
    return { values: siblings.map((s) => s.value), context: joinOf(siblings) };
  }

  write(replica: string, _client: string, value: number, context: unknown): void {
    const siblings = this.#at(replica);
    // The replica's next event: one past every event of it that this replica or the context knows.
    const known = siblings.reduce((acc, s) => acc.merge(s.clock), asClock(context));
    const clock = asClock(context)
      .merge(VectorClock.from([[replica, known.get(replica)]]))
      .increment(replica);
    this.#replicas.set(replica, undominated([...siblings, { clock, value }]));
  }

  sync(to: string, from: string): void {
    this.#replicas.set(to, undominated([...this.#at(to), ...this.#at(from)]));
  }

  contextEntries(replica: string): number {
    return joinOf(this.#at(replica)).size;
  }

  #at(replica: string): Versioned[] {
    return this.#replicas.get(replica) ?? [];
  }
}

export class DottedVersionVectors implements Mechanism {
  readonly name = "dotted version vector set";
  readonly #replicas = new Map<string, DottedVersionVectorSet<number>>();

  read(replica: string) {
    const set = this.at(replica);
    return { values: set.values(), context: set.join() };
  }

  write(replica: string, _client: string, value: number, context: unknown): void {
    this.#replicas.set(replica, this.at(replica).update(value, asClock(context), replica));
  }

  sync(to: string, from: string): void {
    this.#replicas.set(to, this.at(to).sync(this.at(from)));
  }

  contextEntries(replica: string): number {
    return this.at(replica).join().size;
  }

  at(replica: string): DottedVersionVectorSet<number> {
    return this.#replicas.get(replica) ?? DottedVersionVectorSet.empty();
  }
}
