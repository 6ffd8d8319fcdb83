/**
 * A node's disk, as FoundationDB's `AsyncFileNonDurable` and TigerBeetle's
 * `Storage` simulate it: what was written but not synced lives only in the
 * page cache and may vanish in a crash; what was synced survives; a stored
 * value may rot (a flipped bit), which only a checksum above the store can
 * catch.
 *
 * Keys are strings, values bytes (`Uint8Array`), as on a real disk: bytes are
 * what can be torn and corrupted. Values are copied in and out, so a caller
 * that mutates a buffer after `put` or after `get` cannot change the "disk".
 * `sync` is immediate in virtual time (no disk latency is modelled yet).
 */
import type { Random } from "@skew/env";
import { valueBytesMax } from "./constants.js";

/** What a node sees of its disk (structurally what a core's store interface will need). */
export interface Store {
  /** The latest value written under `key` (synced or not), or `undefined`. */
  get(key: string): Uint8Array | undefined;
  put(key: string, value: Uint8Array): void;
  delete(key: string): void;
  /** Makes every write so far durable: it survives any later crash. */
  sync(): void;
  /** The keys present, in ascending order. */
  keys(): string[];
}

/** What happens to writes that were not synced when the node crashes. */
export type UnsyncedLoss =
  /** All of them are lost: the disk holds exactly what was last synced. */
  | "all"
  /** Each is independently kept or lost (the OS flushed some pages and not others). */
  | "some"
  /** As `some`, and one kept write of a value is torn: only a prefix of its new bytes reached the disk. */
  | "torn";

type Write = { readonly key: string; readonly value: Uint8Array | undefined };

export class SimStore implements Store {
  readonly #durable = new Map<string, Uint8Array>();
  /** Unsynced writes, oldest first; `#cache` is their net effect per key. */
  #unsynced: Write[] = [];
  readonly #cache = new Map<string, Uint8Array | undefined>();

  get(key: string): Uint8Array | undefined {
    checkKey("SimStore.get", key);
    const value = this.#cache.has(key) ? this.#cache.get(key) : this.#durable.get(key);
    return value?.slice();
  }

  put(key: string, value: Uint8Array): void {
    checkKey("SimStore.put", key);
    if (!(value instanceof Uint8Array)) throw new TypeError("SimStore.put: value must be a Uint8Array");
    if (value.byteLength > valueBytesMax) {
      throw new RangeError(`SimStore.put: value of ${value.byteLength} bytes exceeds valueBytesMax (${valueBytesMax})`);
    }
    const copy = value.slice();
    this.#unsynced.push({ key, value: copy });
    this.#cache.set(key, copy);
  }

  delete(key: string): void {
    checkKey("SimStore.delete", key);
    this.#unsynced.push({ key, value: undefined });
    this.#cache.set(key, undefined);
  }

  sync(): void {
    for (const write of this.#unsynced) apply(this.#durable, write.key, write.value);
    this.#unsynced = [];
    this.#cache.clear();
  }

  keys(): string[] {
    const keys = new Set(this.#durable.keys());
    for (const [key, value] of this.#cache) {
      if (value === undefined) keys.delete(key);
      else keys.add(key);
    }
    return [...keys].sort();
  }

  /** Writes not yet synced (what a crash may lose). */
  get unsyncedCount(): number {
    return this.#unsynced.length;
  }

  /**
   * The power goes out: unsynced writes are lost as `loss` says, drawing from
   * `random`, and the page cache is gone. Returns how many writes were lost.
   */
  crash(loss: UnsyncedLoss, random: Random): number {
    const writes = this.#unsynced;
    this.#unsynced = [];
    this.#cache.clear();
    if (loss === "all") return writes.length;
    const kept = writes.filter(() => random.chance(0.5));
    if (loss === "torn") {
      const puts = kept.filter((write) => write.value !== undefined && write.value.byteLength > 1);
      if (puts.length > 0) {
        const victim = random.pick(puts);
        const value = victim.value as Uint8Array;
        const torn: Write = { key: victim.key, value: value.slice(0, random.int(1, value.byteLength - 1)) };
        kept[kept.indexOf(victim)] = torn;
      }
    }
    for (const write of kept) apply(this.#durable, write.key, write.value);
    return writes.length - kept.length;
  }

  /**
   * Bit rot: flips one random bit of the durable value under `key` (or of a
   * random durable key). Returns the key corrupted, or `undefined` when there
   * is nothing durable to corrupt.
   */
  corrupt(random: Random, key?: string): string | undefined {
    const candidates = [...this.#durable.keys()].filter((k) => (this.#durable.get(k)?.byteLength ?? 0) > 0).sort();
    const target = key ?? (candidates.length > 0 ? random.pick(candidates) : undefined);
    if (target === undefined) return undefined;
    const value = this.#durable.get(target);
    if (value === undefined || value.byteLength === 0) return undefined;
    const bit = random.int(0, value.byteLength * 8 - 1);
    const byte = bit >> 3;
    value[byte] = (value[byte] as number) ^ (1 << (bit & 7));
    return target;
  }
}

function apply(durable: Map<string, Uint8Array>, key: string, value: Uint8Array | undefined): void {
  if (value === undefined) durable.delete(key);
  else durable.set(key, value);
}

function checkKey(where: string, key: string): void {
  if (typeof key !== "string") throw new TypeError(`${where}: key must be a string, got ${typeof key}`);
}
