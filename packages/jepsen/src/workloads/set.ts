/**
 * Jepsen's set workload on Riak (Kingsbury, "Call me maybe: Riak", 2013):
 * clients add distinct integers to one set stored under one key by
 * read-modify-write. A client reads the key, takes the union of what it
 * read (one value in a last-write-wins bucket; every sibling in a causal
 * one, Riak's `allow_mult` with a set-union merge), adds its element and
 * writes the set back with the read's context. Judged by `checkSet`
 * (checkers/set.ts) against a final read.
 */
import { JepsenError } from "../errors.js";
import { text } from "../text.js";
import { ReadModifyWrite, type ReadModifyWriteOptions } from "./read-modify-write.js";

/** A set of integers as bytes: a sorted JSON array, so equal sets are equal bytes. */
export const setCodec = {
  encode(set: ReadonlySet<number>): Uint8Array {
    return text.encode(JSON.stringify([...set].sort((a, b) => a - b)));
  },
  decode(bytes: Uint8Array): number[] {
    const parsed: unknown = JSON.parse(text.decode(bytes));
    if (!Array.isArray(parsed) || !parsed.every((n) => Number.isSafeInteger(n))) {
      throw new JepsenError("VALUE_MALFORMED", `not a set of integers: ${text.decode(bytes)}`);
    }
    return parsed as number[];
  },
  /** The union of every sibling a read returned (a last-write-wins read returns at most one). */
  union(values: readonly Uint8Array[]): Set<number> {
    const set = new Set<number>();
    for (const value of values) for (const n of setCodec.decode(value)) set.add(n);
    return set;
  },
};

export type SetWorkloadOptions = ReadModifyWriteOptions;

/** Clients adding distinct integers (1, 2, 3, ... across all clients) to one set, until stopped. */
export class SetWorkload extends ReadModifyWrite<SetWorkloadOptions> {
  protected readonly f = "add";
  #next = 0;

  /** How many elements were attempted. */
  get attempted(): number {
    return this.#next;
  }

  protected next(): number {
    return ++this.#next;
  }

  protected apply(values: readonly Uint8Array[], element: unknown): Uint8Array {
    const set = setCodec.union(values);
    set.add(element as number);
    return setCodec.encode(set);
  }

  protected acknowledged(element: unknown, siblings: number): unknown {
    return { element, siblings };
  }
}
