/**
 * A dotted version vector set (DVVSet): the sibling values of one key and
 * their causal history, in metadata bounded by the number of replicas that
 * wrote the key, never by the number of clients. It follows Preguiça,
 * Baquero, Almeida, Fonte and Gonçalves, "Dotted Version Vectors: Logical
 * Clocks for Optimistic Replication" (2010), and its compact form, the
 * authors' dvvset.erl (also in Basho's riak_core); Riak 2.0 moved its
 * siblings to dotted version vectors.
 *
 * Why dots. A version vector per value, with replicas as its ids, cannot tell
 * two blind writes to one replica apart: both would be {A:1}, or the second
 * {A:2} and wrongly newer. One version vector per client tells them apart but
 * grows with every client that ever wrote. A dot, the single event (replica,
 * counter) that created a value, gives each write its own name while the
 * causal history stays one counter per replica: the history {A:3} with the
 * dots A:2 and A:3 says "events A:1..3 are known; the values of A:2 and A:3
 * are still live; A:1 was overwritten".
 *
 * The set is `history` (a version vector) plus siblings, each a value with
 * its dot, kept sorted by dot. Its rules:
 *
 * - `update(value, context, r)`, a write at replica r carrying the causal
 *   context the client read: the history becomes history ∨ context, plus one
 *   event at r, whose dot the new value takes; every sibling whose dot the
 *   context covers is overwritten (the client saw it); the others stay, as
 *   siblings of the new value. An empty context is a blind write: a sibling
 *   of everything.
 * - `sync(other)`: histories merge; a sibling survives unless the other side
 *   has seen its dot (its history covers it) and no longer holds it. This is
 *   the join of a lattice: commutative, associative, idempotent.
 * - `join()`: the history, the opaque context a read hands to the client.
 * - `lww(compare)` and `retain(keep)` drop siblings and keep the history: a
 *   dropped sibling's dot stays covered, so it is overwritten everywhere
 *   the next syncs reach, never resurrected.
 *
 * Where this differs from dvvset.erl, and why. Riak keeps each replica's
 * values as a list whose dots are implied by position, and keeps `reconcile`d
 * values in an "anonymous" list with no dot at all. Here every sibling
 * carries its dot explicitly (same metadata bound, simpler rules, and `lww`
 * may keep any sibling, not only the newest of a replica), and `reconcile` is
 * a write: the merged value gets a dot of its own. A value with no dot can
 * only be superseded by comparing whole histories, and that loses updates: a
 * replica that reconciled s1 and s2 into x under history H, synced with one
 * that holds s1, s2 and a later blind write s3, would keep only s3 (its
 * history is newer than H, so x goes; H covers s1 and s2, so they go). With
 * a dot, x survives beside s3. The README tells the story with code.
 */
import { assert } from "@skew/env";
import { ByteReader, ByteWriter } from "./codec/bytes.js";
import { clockBodyBytes, readClockBody, writeClockBody } from "./codec/clock-body.js";
import { formatVersion, readHeader, setTag } from "./codec/header.js";
import { siblingsMax, valueBytesMax, varintBytes } from "./constants.js";
import { VectorError } from "./errors.js";
import { checkNodeId } from "./node-id.js";
import { clockOfParts, clockParts, VectorClock } from "./vector-clock.js";

/** One sibling: a value and the dot (replica, counter) of the write that created it. */
export interface Sibling<V> {
  readonly replica: string;
  readonly counter: number;
  readonly value: V;
}

/** How sibling values become bytes and back, for `encode` and `decode`. */
export interface ValueCodec<V> {
  encode(value: V): Uint8Array;
  /**
   * The value in `bytes`: a view into the bytes handed to
   * `DottedVersionVectorSet.decode`, not a copy, so a codec that keeps bytes
   * copies them (`bytes.slice()`); one that builds a value from them
   * (TextDecoder, JSON.parse, a DataView) need not. Copying each sibling for
   * every codec cost a causal put in `@skew/kv` about 4% of its time.
   */
  decode(bytes: Uint8Array): V;
}

export class DottedVersionVectorSet<V> {
  /** What every sibling's dot is within: one counter per replica that wrote. Never pruned. */
  readonly #history: VectorClock;
  /**
   * The siblings in dot order (replica id, then counter), as three parallel
   * arrays, at their exact length where a store keeps most sets: `decode`,
   * `sync` and `retain` copy the arrays they built by `push` with `slice()`,
   * and an `update` that leaves one sibling builds literals. V8 gives an array
   * room for 17 elements at its first push and keeps it, and a store keeps a
   * set per key for as long as the key lives: the spare room was about 128 B
   * an array, 671 B of a causal key's 2,296 B per replica (`@skew/kv`'s
   * `bench/heap-per-key.ts`). An `update` that keeps concurrent siblings keeps
   * its pushed arrays: copying them cost that method about a fifth.
   */
  readonly #replicas: readonly string[];
  readonly #counters: readonly number[];
  readonly #values: readonly V[];

  private constructor(
    history: VectorClock,
    replicas: readonly string[],
    counters: readonly number[],
    values: readonly V[],
  ) {
    assert(replicas.length === counters.length && counters.length === values.length, "sibling arrays disagree");
    assert(!history.pruned, "the history of a dotted version vector set is exact");
    this.#history = history;
    this.#replicas = replicas;
    this.#counters = counters;
    this.#values = values;
  }

  /** The set of a key nobody has written: no history, no values. (Riak: a new key.) */
  static empty<V>(): DottedVersionVectorSet<V> {
    return new DottedVersionVectorSet<V>(VectorClock.empty, [], [], []);
  }

  /**
   * Reads what `encode` wrote, with `codec` for the values. Malformed bytes
   * throw a `VectorError` (`VECTOR_MALFORMED` also when `codec.decode` throws;
   * its error is the `cause`).
   */
  static decode<V>(bytes: Uint8Array, codec: Pick<ValueCodec<V>, "decode">): DottedVersionVectorSet<V> {
    if (!(bytes instanceof Uint8Array)) throw new TypeError("DottedVersionVectorSet.decode: expected a Uint8Array");
    checkCodec(codec, "decode");
    const reader = new ByteReader(bytes);
    readHeader(reader, setTag, "dotted version vector set");
    const body = readClockBody(reader);
    if (body.pruned) throw reader.malformed("the history of a dotted version vector set cannot be pruned");
    const count = reader.varint("the sibling count", Number.MAX_SAFE_INTEGER);
    if (count > siblingsMax) {
      throw new VectorError(
        "VECTOR_LIMIT_EXCEEDED",
        `the set has ${count} siblings, more than siblingsMax (${siblingsMax})`,
      );
    }
    if (count * 3 > reader.remainingBytes) throw reader.malformed(`${count} siblings cannot fit in the bytes left`);
    const replicas: string[] = [];
    const counters: number[] = [];
    const values: V[] = [];
    let previousIndex = -1;
    let previousCounter = 0;
    for (let i = 0; i < count; i++) {
      // Messages are constant strings (with the byte offset added on failure): nothing is built per sibling.
      const index = reader.varint("the replica index of a sibling", body.ids.length - 1);
      const counter = reader.varint("the counter of a sibling", body.counters[index] as number);
      if (counter === 0) throw reader.malformed("the counter of a sibling is zero");
      if (index < previousIndex || (index === previousIndex && counter <= previousCounter)) {
        throw reader.malformed("siblings are not in strictly increasing dot order");
      }
      const length = reader.varint("the value length of a sibling", valueBytesMax);
      const encoded = reader.bytes(length, "the value of a sibling"); // a view: the codec copies what it keeps
      let value: V;
      try {
        value = codec.decode(encoded);
      } catch (cause) {
        throw new VectorError("VECTOR_MALFORMED", `the value codec rejected sibling ${i}`, { cause });
      }
      replicas.push(body.ids[index] as string);
      counters.push(counter);
      values.push(value);
      previousIndex = index;
      previousCounter = counter;
    }
    reader.end("dotted version vector set");
    return new DottedVersionVectorSet(
      clockOfParts(body.ids, body.counters, false),
      replicas.slice(),
      counters.slice(),
      values.slice(),
    );
  }

  /** Number of sibling values. (Riak: `size`.) */
  get size(): number {
    return this.#values.length;
  }

  /**
   * The causal context of a read: every event this set knows, as a version
   * vector with at most one entry per replica that wrote. Hand it to the
   * client opaquely (`encodeText`) and give it back to `update` with the
   * client's next write. (Riak: `join`.)
   */
  join(): VectorClock {
    return this.#history;
  }

  /** The sibling values, in dot order. (Riak: `values`.) */
  values(): V[] {
    return this.#values.slice();
  }

  /** The siblings with their dots, in dot order. */
  siblings(): Sibling<V>[] {
    return this.#values.map((value, i) => ({
      replica: this.#replicas[i] as string,
      counter: this.#counters[i] as number,
      value,
    }));
  }

  /**
   * A client's write of `value` at `replica`, having read `context` (a
   * `join()` of this key, or `VectorClock.empty` for a blind write). The
   * value gets the dot (replica, n), n one past every event of `replica`
   * known here or in the context; it overwrites every sibling the context
   * covers and becomes a sibling of the rest. (Riak: `update(new(context,
   * [value]), this, replica)`; on `empty()`, Riak's `update/2`.)
   *
   * A pruned context is used for what it lists, which are events the client
   * did see: the write then overwrites less than it could (a false sibling),
   * never more (a lost update).
   */
  update(value: V, context: VectorClock, replica: string): DottedVersionVectorSet<V> {
    if (!(context instanceof VectorClock)) {
      throw new TypeError("DottedVersionVectorSet.update: context must be a VectorClock (VectorClock.empty for none)");
    }
    checkNodeId(replica, "DottedVersionVectorSet.update: replica");
    const parts = clockParts(context);
    const seen = parts.pruned ? clockOfParts(parts.ids, parts.counters, false) : context;
    const history = this.#history.merge(seen).increment(replica);
    const dot = history.get(replica);
    // The common write overwrites every sibling (a new key, or a client that read them all): its one sibling as
    // literals, allocated at their size, with no arrays grown by push to copy.
    let survivors = false;
    for (let i = 0; i < this.#values.length && !survivors; i++) {
      survivors = (this.#counters[i] as number) > seen.get(this.#replicas[i] as string);
    }
    if (!survivors) return new DottedVersionVectorSet(history, [replica], [dot], [value]);
    const replicas: string[] = [];
    const counters: number[] = [];
    const values: V[] = [];
    let placed = false;
    for (let i = 0; i < this.#values.length; i++) {
      const r = this.#replicas[i] as string;
      const c = this.#counters[i] as number;
      if (!placed && r > replica) {
        // The new dot is the greatest of its replica, so it goes after that replica's other siblings.
        replicas.push(replica);
        counters.push(dot);
        values.push(value);
        placed = true;
      }
      if (c > seen.get(r)) {
        replicas.push(r);
        counters.push(c);
        values.push(this.#values[i] as V);
      }
    }
    if (!placed) {
      replicas.push(replica);
      counters.push(dot);
      values.push(value);
    }
    checkSiblingCount(values.length);
    return new DottedVersionVectorSet(history, replicas, counters, values);
  }

  /**
   * Both sets' knowledge in one: the histories merge, and a sibling survives
   * unless the other set has seen its dot and dropped it. Used when a replica
   * receives a coordinator's write or another replica's state (Riak: `sync`).
   */
  sync(other: DottedVersionVectorSet<V>): DottedVersionVectorSet<V> {
    if (!(other instanceof DottedVersionVectorSet)) {
      throw new TypeError("DottedVersionVectorSet.sync: expected a DottedVersionVectorSet");
    }
    if (other === this) return this;
    const aHistory = this.#history;
    const bHistory = other.#history;
    const aReplicas = this.#replicas;
    const bReplicas = other.#replicas;
    const aCounters = this.#counters;
    const bCounters = other.#counters;
    const na = aReplicas.length;
    const nb = bReplicas.length;
    const replicas: string[] = [];
    const counters: number[] = [];
    const values: V[] = [];
    let fromThis = 0;
    let fromOther = 0;
    let i = 0;
    let j = 0;
    while (i < na || j < nb) {
      const order =
        i === na
          ? 1
          : j === nb
            ? -1
            : compareDots(
                aReplicas[i] as string,
                aCounters[i] as number,
                bReplicas[j] as string,
                bCounters[j] as number,
              );
      if (order === 0) {
        // One dot, one write: both sides hold the same value.
        replicas.push(aReplicas[i] as string);
        counters.push(aCounters[i] as number);
        values.push(this.#values[i] as V);
        fromThis++;
        fromOther++;
        i++;
        j++;
      } else if (order < 0) {
        const r = aReplicas[i] as string;
        const c = aCounters[i] as number;
        if (c > bHistory.get(r)) {
          replicas.push(r);
          counters.push(c);
          values.push(this.#values[i] as V);
          fromThis++;
        }
        i++;
      } else {
        const r = bReplicas[j] as string;
        const c = bCounters[j] as number;
        if (c > aHistory.get(r)) {
          replicas.push(r);
          counters.push(c);
          values.push(other.#values[j] as V);
          fromOther++;
        }
        j++;
      }
    }
    const history = aHistory.merge(bHistory);
    if (history === aHistory && fromThis === na && values.length === na) return this;
    if (history === bHistory && fromOther === nb && values.length === nb) return other;
    checkSiblingCount(values.length);
    return new DottedVersionVectorSet(history, replicas.slice(), counters.slice(), values.slice());
  }

  /**
   * One value instead of siblings, chosen by `compare` (negative, zero or
   * positive, as for `Array.prototype.sort`): the greatest stays with its own
   * dot, every other is overwritten, the history is unchanged. Ties go to the
   * sibling later in dot order, so every replica picks the same one.
   * (Riak: `lww`.)
   */
  lww(compare: (a: V, b: V) => number): DottedVersionVectorSet<V> {
    if (typeof compare !== "function") throw new TypeError("DottedVersionVectorSet.lww: compare must be a function");
    const values = this.#values;
    if (values.length <= 1) return this;
    let winner = 0;
    for (let i = 1; i < values.length; i++) {
      if (compare(values[i] as V, values[winner] as V) >= 0) winner = i;
    }
    return new DottedVersionVectorSet(
      this.#history,
      [this.#replicas[winner] as string],
      [this.#counters[winner] as number],
      [values[winner] as V],
    );
  }

  /**
   * Only the siblings whose value `keep` accepts, each at its own dot; the
   * history is unchanged, so a dropped sibling is superseded exactly as if a
   * write had overwritten it. Like `lww`, it drops siblings and keeps what is
   * known. It is safe beside `sync` because a dropped sibling's dot stays
   * covered by the history: a later sync with a replica that still holds it
   * drops it there too (the other side has seen the dot and no longer holds
   * it), so it never comes back. For a `keep` that depends only on the value
   * (one dot, one value), `a.retain(keep).sync(b.retain(keep))` equals
   * `a.sync(b).retain(keep)`; so "sync, then drop the siblings below a
   * threshold that only rises" is itself a join. Returns this set when every
   * sibling is kept.
   */
  retain(keep: (value: V) => boolean): DottedVersionVectorSet<V> {
    if (typeof keep !== "function") throw new TypeError("DottedVersionVectorSet.retain: keep must be a function");
    const replicas: string[] = [];
    const counters: number[] = [];
    const values: V[] = [];
    for (let i = 0; i < this.#values.length; i++) {
      const value = this.#values[i] as V;
      if (!keep(value)) continue;
      replicas.push(this.#replicas[i] as string);
      counters.push(this.#counters[i] as number);
      values.push(value);
    }
    if (values.length === this.#values.length) return this;
    return new DottedVersionVectorSet(this.#history, replicas.slice(), counters.slice(), values.slice());
  }

  /**
   * The siblings merged into one by `resolve`, written at `replica` with this
   * set's whole history as context, so the merged value gets a dot of its own
   * and overwrites exactly the siblings it was made from (see the file
   * comment for why Riak's dotless reconcile is not used). With fewer than
   * two siblings there is nothing to reconcile and the set is returned as is.
   * (Riak: `reconcile`.)
   */
  reconcile(resolve: (values: readonly V[]) => V, replica: string): DottedVersionVectorSet<V> {
    if (typeof resolve !== "function") {
      throw new TypeError("DottedVersionVectorSet.reconcile: resolve must be a function");
    }
    if (this.#values.length < 2) return this;
    return this.update(resolve(this.#values.slice()), this.#history, replica);
  }

  /** The same history and dots, each value passed through `fn`. (Riak: `map`.) */
  map<W>(fn: (value: V) => W): DottedVersionVectorSet<W> {
    if (typeof fn !== "function") throw new TypeError("DottedVersionVectorSet.map: fn must be a function");
    return new DottedVersionVectorSet(
      this.#history,
      this.#replicas,
      this.#counters,
      this.#values.map((v) => fn(v)),
    );
  }

  /** The same history and the same dots, with values equal by `valueEquals` (default `Object.is`). */
  equals(other: DottedVersionVectorSet<V>, valueEquals: (a: V, b: V) => boolean = Object.is): boolean {
    if (!(other instanceof DottedVersionVectorSet)) {
      throw new TypeError("DottedVersionVectorSet.equals: expected a DottedVersionVectorSet");
    }
    if (other === this) return true;
    const n = this.#values.length;
    if (n !== other.#values.length || !this.#history.equals(other.#history)) return false;
    for (let i = 0; i < n; i++) {
      if (this.#replicas[i] !== other.#replicas[i] || this.#counters[i] !== other.#counters[i]) return false;
      if (!valueEquals(this.#values[i] as V, other.#values[i] as V)) return false;
    }
    return true;
  }

  /** The canonical binary form, with `codec` for the values (format in the README). */
  encode(codec: Pick<ValueCodec<V>, "encode">): Uint8Array {
    checkCodec(codec, "encode");
    const history = clockParts(this.#history);
    const n = this.#values.length;
    const encoded: Uint8Array[] = [];
    const indexes: number[] = [];
    const idBytes: number[] = [];
    let size = 2 + clockBodyBytes(history, idBytes) + varintBytes(n);
    let index = 0;
    for (let i = 0; i < n; i++) {
      const bytes = codec.encode(this.#values[i] as V);
      if (!(bytes instanceof Uint8Array)) {
        throw new TypeError("DottedVersionVectorSet.encode: the codec must return a Uint8Array");
      }
      if (bytes.length > valueBytesMax) {
        throw new VectorError(
          "VECTOR_LIMIT_EXCEEDED",
          `a sibling value encodes to ${bytes.length} bytes, more than valueBytesMax (${valueBytesMax})`,
        );
      }
      const replica = this.#replicas[i] as string;
      while (history.ids[index] !== replica) index++;
      encoded.push(bytes);
      indexes.push(index);
      size += varintBytes(index) + varintBytes(this.#counters[i] as number) + varintBytes(bytes.length) + bytes.length;
    }
    const writer = new ByteWriter(size);
    writer.byte(setTag);
    writer.byte(formatVersion);
    writeClockBody(writer, history, idBytes);
    writer.varint(n);
    for (let i = 0; i < n; i++) {
      writer.varint(indexes[i] as number);
      writer.varint(this.#counters[i] as number);
      writer.sizedBytes(encoded[i] as Uint8Array);
    }
    return writer.finish();
  }

  /** For people: the history and the dots, e.g. `{"a":2,"b":1} [a:2 b:1]` (values left out). */
  toString(): string {
    const dots = this.#replicas.map((r, i) => `${r}:${this.#counters[i] as number}`).join(" ");
    return `${this.#history.toString()} [${dots}]`;
  }
}

/** Dot order: replica id, then counter. */
function compareDots(r1: string, c1: number, r2: string, c2: number): number {
  if (r1 === r2) return c1 - c2;
  return r1 < r2 ? -1 : 1;
}

function checkSiblingCount(count: number): void {
  if (count > siblingsMax) {
    throw new VectorError(
      "VECTOR_LIMIT_EXCEEDED",
      `a set of ${count} siblings would pass siblingsMax (${siblingsMax}); reconcile them`,
    );
  }
}

function checkCodec(codec: unknown, method: "encode" | "decode"): void {
  const fn = codec !== null && typeof codec === "object" ? (codec as Record<string, unknown>)[method] : undefined;
  if (typeof fn !== "function") {
    throw new TypeError(`DottedVersionVectorSet.${method}: codec must have a ${method} function`);
  }
}
