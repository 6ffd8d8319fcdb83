/**
 * Vector clocks (Fidge 1988, Mattern 1989) and version vectors (Parker et al.
 * 1983): one counter per node, and with them the exact happened-before
 * relation, which no single number (Lamport, HLC) can give: two clocks are
 * `before`, `after`, `equal` or `concurrent`. A vector clock counts the events
 * of processes; a version vector counts the updates replicas made to one data
 * item. The structure and its operations are the same, so one class serves
 * both.
 *
 * Representation, chosen for speed of `compare` and `merge`, the operations a
 * store performs on every read and write: node ids sorted in one array, their
 * counters in a parallel array, both immutable (sorted-entries.ts walks
 * them). Comparing or merging is one merge-walk over two sorted arrays, with
 * no hashing and no allocation for a compare. Ids are interned (node-id.ts),
 * so checking that two entries name the same node is usually a pointer
 * comparison; clocks derived from one another share their id array, and then
 * the walk is a loop over two counter arrays. A merge that changes nothing returns one of
 * its inputs.
 *
 * Pruning (Riak's vclock pruning, made safe): dropping entries loses
 * information, so a pruned clock says so, keeps saying so through every merge
 * and increment, and is compared conservatively: its entries are then lower
 * bounds of the true counters, so a comparison that would need an upper bound
 * answers `concurrent`. A pruned clock can cause false conflicts (siblings a
 * store keeps for nothing), never a false `before`, `after` or `equal` (an
 * update silently lost).
 */
import { describeValue, type Ordering } from "@skew/env";
import { fromBase64Url, toBase64Url } from "./codec/base64url.js";
import { ByteReader, ByteWriter } from "./codec/bytes.js";
import { type ClockBody, clockBodyBytes, readClockBody, writeClockBody } from "./codec/clock-body.js";
import { clockTag, formatVersion, readHeader } from "./codec/header.js";
import { clockBytesMax, counterMax, entriesMax } from "./constants.js";
import { VectorError } from "./errors.js";
import { sharedIdList } from "./id-lists.js";
import { checkNodeId, internNodeId } from "./node-id.js";
import { indexOf, leftAhead, maxOfAligned, mergeEntries, relate, rightAhead, sameIds } from "./sorted-entries.js";

const orderingOfRelation: readonly Ordering[] = ["equal", "after", "before", "concurrent"];

export type VectorClockEntries = Iterable<readonly [string, number]> | Readonly<Record<string, number>>;

/** Friends in this package (codecs, the dotted version vector set); not exported from index.ts. */
let partsOf: (clock: VectorClock) => ClockBody;
let construct: (ids: readonly string[], counters: readonly number[], pruned: boolean) => VectorClock;

export class VectorClock {
  /** The clock of no events. */
  static readonly empty: VectorClock = new VectorClock([], [], false);

  /** At their exact length where built by `push` or a spread, as a set's arrays are (dotted-version-vector-set.ts). */
  readonly #ids: readonly string[];
  readonly #counters: readonly number[];
  readonly #pruned: boolean;

  private constructor(ids: readonly string[], counters: readonly number[], pruned: boolean) {
    this.#ids = ids;
    this.#counters = counters;
    this.#pruned = pruned;
  }

  static {
    partsOf = (clock) => ({ ids: clock.#ids, counters: clock.#counters, pruned: clock.#pruned });
    construct = (ids, counters, pruned) => new VectorClock(ids, counters, pruned);
  }

  /**
   * A clock from `[node, counter]` pairs or a `{ node: counter }` record.
   * Counters are integers from 0 to `counterMax`; a zero counter is the same
   * as a missing entry and is dropped. A node named twice is a `TypeError`.
   */
  static from(entries: VectorClockEntries): VectorClock {
    if (entries === null || typeof entries !== "object") {
      throw new TypeError("VectorClock.from: expected [node, counter] pairs or a { node: counter } record");
    }
    const pairs: (readonly [string, number])[] =
      Symbol.iterator in entries ? [...(entries as Iterable<readonly [string, number]>)] : Object.entries(entries);
    const kept: (readonly [string, number])[] = [];
    for (const pair of pairs) {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new TypeError("VectorClock.from: each entry must be a [node, counter] pair");
      }
      const [id, counter] = pair;
      checkNodeId(id, "VectorClock.from: a node id");
      if (!Number.isSafeInteger(counter) || counter < 0) {
        throw new RangeError(
          `VectorClock.from: the counter of ${JSON.stringify(id)} must be an integer from 0 to 2^53 - 1`,
        );
      }
      if (counter > 0) kept.push([internNodeId(id), counter]);
    }
    kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (let i = 1; i < kept.length; i++) {
      const id = (kept[i] as readonly [string, number])[0];
      if ((kept[i - 1] as readonly [string, number])[0] === id) {
        throw new TypeError(`VectorClock.from: node ${JSON.stringify(id)} appears twice`);
      }
    }
    checkEntryCount(kept.length);
    return new VectorClock(
      sharedIdList(kept.map(([id]) => id)),
      kept.map(([, counter]) => counter),
      false,
    );
  }

  /** Reads what `encode` wrote. Malformed bytes throw a `VectorError`. */
  static decode(bytes: Uint8Array): VectorClock {
    if (!(bytes instanceof Uint8Array)) throw new TypeError("VectorClock.decode: expected a Uint8Array");
    if (bytes.length > clockBytesMax) {
      throw new VectorError(
        "VECTOR_LIMIT_EXCEEDED",
        `${bytes.length} bytes is more than clockBytesMax (${clockBytesMax})`,
      );
    }
    const reader = new ByteReader(bytes);
    readHeader(reader, clockTag, "vector clock");
    const body = readClockBody(reader);
    reader.end("vector clock");
    return new VectorClock(body.ids, body.counters, body.pruned);
  }

  /** Reads what `encodeText` wrote. Malformed text throws a `VectorError`. */
  static decodeText(text: string): VectorClock {
    if (typeof text !== "string") throw new TypeError("VectorClock.decodeText: expected a string");
    if (text.length > Math.ceil((clockBytesMax * 4) / 3)) {
      throw new VectorError(
        "VECTOR_LIMIT_EXCEEDED",
        `${text.length} characters cannot be a clock of clockBytesMax bytes`,
      );
    }
    return VectorClock.decode(fromBase64Url(text));
  }

  /** Number of nodes with a nonzero counter. */
  get size(): number {
    return this.#ids.length;
  }

  /** True when entries were dropped by `prune` (here or in a clock merged into this one). */
  get pruned(): boolean {
    return this.#pruned;
  }

  /** The counter of `node`: 0 when the clock has no entry for it. */
  get(node: string): number {
    if (typeof node !== "string") throw new TypeError(`VectorClock.get: node must be a string, got ${typeof node}`);
    const index = indexOf(this.#ids, node);
    return index < 0 ? 0 : (this.#counters[index] as number);
  }

  /** The nodes with a nonzero counter, in id order. */
  nodes(): string[] {
    return this.#ids.slice();
  }

  /** `[node, counter]` pairs in id order. */
  entries(): [string, number][] {
    return this.#ids.map((id, i) => [id, this.#counters[i] as number]);
  }

  /** This clock after one more event at `node`. Past `counterMax` it throws `VECTOR_COUNTER_OVERFLOW`. */
  increment(node: string): VectorClock {
    if (typeof node !== "string") {
      throw new TypeError(`VectorClock.increment: node must be a string, got ${typeof node}`);
    }
    const ids = this.#ids;
    const index = indexOf(ids, node);
    if (index >= 0) {
      const counter = this.#counters[index] as number;
      if (counter >= counterMax) {
        throw new VectorError(
          "VECTOR_COUNTER_OVERFLOW",
          `the counter of ${JSON.stringify(node)} is at counterMax (2^53 - 1); one more event would be indistinguishable`,
        );
      }
      const counters = this.#counters.slice();
      counters[index] = counter + 1;
      return new VectorClock(ids, counters, this.#pruned);
    }
    checkNodeId(node, "VectorClock.increment: node");
    checkEntryCount(ids.length + 1);
    const at = -index - 1;
    return new VectorClock(
      sharedIdList(ids.slice(0, at).concat(internNodeId(node), ids.slice(at))),
      this.#counters.slice(0, at).concat(1, this.#counters.slice(at)),
      this.#pruned,
    );
  }

  /**
   * The least clock that descends from both: the entrywise maximum. It
   * returns `this` or `other` unchanged when one already descends from the
   * other. Merging a pruned clock gives a pruned clock.
   */
  merge(other: VectorClock): VectorClock {
    checkClock(other, "merge");
    if (other === this) return this;
    const pruned = this.#pruned || other.#pruned;
    const aIds = this.#ids;
    const bIds = other.#ids;
    const a = this.#counters;
    const b = other.#counters;
    if (aIds === bIds || sameIds(aIds, bIds)) {
      const counters = maxOfAligned(a, b);
      if (counters === a && pruned === this.#pruned) return this;
      if (counters === b && pruned === other.#pruned) return other;
      return new VectorClock(counters === b ? bIds : aIds, counters, pruned);
    }
    const relation = relate(aIds, a, bIds, b);
    if ((relation & rightAhead) === 0 && pruned === this.#pruned) return this;
    if ((relation & leftAhead) === 0 && pruned === other.#pruned) return other;
    const union = mergeEntries(aIds, a, bIds, b);
    checkEntryCount(union.ids.length);
    return new VectorClock(
      union.ids === aIds || union.ids === bIds ? union.ids : sharedIdList(union.ids),
      union.counters,
      pruned,
    );
  }

  /**
   * How this clock relates to `other`: `before` when every counter is at most
   * the other's and one is smaller, `after` the converse, `equal`, or
   * `concurrent` when each has a counter greater than the other's. With a
   * pruned clock on either side the answer is `before` or `after` only when
   * the entries left prove it, and `concurrent` otherwise; never `equal`.
   */
  compare(other: VectorClock): Ordering {
    checkClock(other, "compare");
    const relation = relate(this.#ids, this.#counters, other.#ids, other.#counters);
    if (!this.#pruned && !other.#pruned) return orderingOfRelation[relation] as Ordering;
    // A pruned clock's entries are lower bounds of the true ones (see the file comment).
    if (!other.#pruned) return relation === leftAhead ? "after" : "concurrent";
    if (!this.#pruned) return relation === rightAhead ? "before" : "concurrent";
    return "concurrent";
  }

  /** True when this clock has seen every event `other` has: `compare` answers `after` or `equal`. */
  descends(other: VectorClock): boolean {
    const ordering = this.compare(other);
    return ordering === "after" || ordering === "equal";
  }

  /** The same entries and the same pruned mark. (For exact clocks, the same as `compare(other) === "equal"`.) */
  equals(other: VectorClock): boolean {
    checkClock(other, "equals");
    return this.#pruned === other.#pruned && relate(this.#ids, this.#counters, other.#ids, other.#counters) === 0;
  }

  /**
   * At most `entriesMax` entries: those with the greatest counters (the
   * nodes that did the most), ties going to the smaller id. When entries are
   * dropped the result is marked pruned; see the file comment for what that
   * costs. A clock within the bound is returned unchanged.
   */
  prune(entriesMax: number): VectorClock {
    if (!Number.isSafeInteger(entriesMax) || entriesMax < 0) {
      throw new RangeError(
        `VectorClock.prune: entriesMax must be a non-negative integer, got ${describeValue(entriesMax)}`,
      );
    }
    const ids = this.#ids;
    const counters = this.#counters;
    if (ids.length <= entriesMax) return this;
    const keep = ids
      .map((_, index) => index)
      .sort((x, y) => (counters[y] as number) - (counters[x] as number) || x - y)
      .slice(0, entriesMax)
      .sort((x, y) => x - y);
    return new VectorClock(
      keep.map((index) => ids[index] as string),
      keep.map((index) => counters[index] as number),
      true,
    );
  }

  /** The canonical binary form (see codec/clock-body.ts): equal clocks give equal bytes. */
  encode(): Uint8Array {
    const body = { ids: this.#ids, counters: this.#counters, pruned: this.#pruned };
    const idBytes: number[] = [];
    const writer = new ByteWriter(2 + clockBodyBytes(body, idBytes));
    writer.byte(clockTag);
    writer.byte(formatVersion);
    writeClockBody(writer, body, idBytes);
    return writer.finish();
  }

  /** `encode()` as base64url text: an opaque context for a header or JSON. */
  encodeText(): string {
    return toBase64Url(this.encode());
  }

  /** For people: `{"a":1,"b":2}`, with ` (pruned)` after a pruned clock. */
  toString(): string {
    const body = this.#ids.map((id, i) => `${JSON.stringify(id)}:${this.#counters[i] as number}`).join(",");
    return `{${body}}${this.#pruned ? " (pruned)" : ""}`;
  }
}

/** The parts of a clock, for the codecs and the set in this package (they trust and never mutate them). */
export function clockParts(clock: VectorClock): ClockBody {
  return partsOf(clock);
}

/** A clock from parts already sorted, unique, positive and within limits. */
export function clockOfParts(ids: readonly string[], counters: readonly number[], pruned: boolean): VectorClock {
  return construct(ids, counters, pruned);
}

function checkClock(value: unknown, method: string): asserts value is VectorClock {
  if (!(value instanceof VectorClock)) throw new TypeError(`VectorClock.${method}: expected a VectorClock`);
}

function checkEntryCount(count: number): void {
  if (count > entriesMax) {
    throw new VectorError(
      "VECTOR_LIMIT_EXCEEDED",
      `a clock of ${count} entries would pass entriesMax (${entriesMax}); prune it or use a dotted version vector set`,
    );
  }
}
