/**
 * Counter increments by read-modify-write. The value is a grow-only counter
 * (a G-counter: Shapiro et al., "Conflict-free Replicated Data Types",
 * 2011): one entry per client, each client raising only its own, the count
 * their sum. Siblings merge entry by entry with max, which loses nothing a
 * causal store kept; a last-write-wins store keeps one of two concurrent
 * increments and loses the other, which the count shows. A plain number
 * could not be merged at all: two siblings 5 and 5 may be one increment or
 * two. Judged by `checkCounter` (checkers/counter.ts) against a final read.
 */
import { JepsenError } from "../errors.js";
import { text } from "../text.js";
import { ReadModifyWrite, type ReadModifyWriteOptions } from "./read-modify-write.js";

export const counterCodec = {
  /** Entries sorted by client, so equal counters are equal bytes. */
  encode(entries: ReadonlyMap<string, number>): Uint8Array {
    const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return text.encode(JSON.stringify(Object.fromEntries(sorted)));
  },
  decode(bytes: Uint8Array): Map<string, number> {
    const written = text.decode(bytes);
    const parsed: unknown = JSON.parse(written);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new JepsenError("VALUE_MALFORMED", `not a counter: ${written}`);
    }
    const entries = new Map<string, number>();
    for (const [client, count] of Object.entries(parsed)) {
      if (!(Number.isSafeInteger(count) && (count as number) >= 0)) {
        throw new JepsenError("VALUE_MALFORMED", `not a counter: ${written}`);
      }
      entries.set(client, count as number);
    }
    return entries;
  },
  /** Every sibling merged entry by entry (max). */
  merge(values: readonly Uint8Array[]): Map<string, number> {
    const merged = new Map<string, number>();
    for (const value of values) {
      for (const [client, count] of counterCodec.decode(value))
        merged.set(client, Math.max(merged.get(client) ?? 0, count));
    }
    return merged;
  },
  /** The count the values read stand for. */
  count(values: readonly Uint8Array[]): number {
    let total = 0;
    for (const count of counterCodec.merge(values).values()) total += count;
    return total;
  },
};

export type CounterWorkloadOptions = ReadModifyWriteOptions;

/** Clients incrementing one counter by one, until stopped. */
export class CounterWorkload extends ReadModifyWrite<CounterWorkloadOptions> {
  protected readonly f = "incr";

  protected next(): number {
    return 1;
  }

  protected apply(values: readonly Uint8Array[], delta: unknown, client: string): Uint8Array {
    const entries = counterCodec.merge(values);
    entries.set(client, (entries.get(client) ?? 0) + (delta as number));
    return counterCodec.encode(entries);
  }

  protected acknowledged(delta: unknown, siblings: number): unknown {
    return { delta, siblings };
  }
}
