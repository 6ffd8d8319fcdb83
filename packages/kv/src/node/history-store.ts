/**
 * The durable plumbing both replica histories share (node/lww-history.ts for
 * last-write-wins buckets, node/causal-history.ts for causal ones): each kept
 * entry is a storage entry of its own under the history's prefix, and so is
 * a key's horizon once something of the key was dropped:
 *
 * ```text
 * <prefix>["<bucket>\u0000<key>",<part>,<part>]   an entry (its parts and bytes are the history's own)
 * <prefix>["<bucket>\u0000<key>"]                 the key's horizon: f64 + CRC-32C
 * ```
 *
 * (JSON, so that keys holding NUL or quotes stay unambiguous.) The store
 * holds the buckets that keep the history, mirrors which entries each key has in storage, so that the entries a
 * history drops are deleted in the same batch, keeps the stored horizons (a
 * restarted node rebuilds its history from the surviving entries only: it
 * would otherwise answer "absent" below the oldest one, where
 * `HISTORY_TRUNCATED` is due), deletes and counts the entries that do not
 * read back at restart, and paces garbage collection from `tick`.
 */
import { crc32c } from "../checksum/index.js";
import { historyCollectIntervalMs } from "../constants.js";
import { HistoryTruncatedError } from "../history/index.js";
import { type StorageOp, splitKeyId } from "./storage.js";

/** A bucket's history, and the store's mirror of its round robin, to know which keys a `collect` visits. */
export interface HistoryBucket<T> {
  readonly history: {
    readonly collectKeysPerCall: number;
    /** What it keeps of a key. */
    history(keyId: string): T[];
    /** Below what it no longer answers for a key. */
    horizon(keyId: string): number;
    /** Whether it has a history of the key (else the replica's record answers for the key). */
    has(keyId: string): boolean;
    collect(now: number): { readonly versionsDropped: number };
  };
  /** The keys in the history's insertion order. */
  readonly order: string[];
  cursor: number;
}

/** One stored entry of the mirror (the history adds what identifies it within its key: a version, a dot). */
export interface StoredEntry {
  readonly storageKey: string;
}

/**
 * The mirror of a key with nothing stored yet: one shared empty list. A
 * key's mirror is a plain array, not a Map: a key keeps a handful of
 * entries, and a Map per key was about a fifth of a replica's heap per
 * stored key (its hash table), which the young-generation collector copies
 * once for every write to a new key.
 */
const noEntries: readonly never[] = Object.freeze([]);

export interface HistoryStoreOptions {
  /** The storage key prefix, e.g. `hv/`. */
  readonly prefix: string;
  /** Whether a stored horizon may be +∞ (a key made unanswerable; sibling-history.ts). */
  readonly infiniteHorizon: boolean;
}

/** `T`: what the buckets' histories keep of a key; `E`: the mirror's entry for one of them. */
export class HistoryStore<T, B extends HistoryBucket<T>, E extends StoredEntry> {
  readonly #prefix: string;
  readonly #infiniteHorizon: boolean;
  readonly #write: (op: StorageOp) => void;
  readonly #stats: { entriesCorruptRestored: number };
  readonly #buckets = new Map<string, B>();
  /** The entries kept per key: mirrors the histories, to delete what they drop. */
  readonly #stored = new Map<string, readonly E[]>();
  /** The horizon stored per key (absent: nothing dropped). */
  readonly #horizons = new Map<string, number>();
  #nextCollectMs = 0;

  constructor(options: HistoryStoreOptions, write: (op: StorageOp) => void, stats: { entriesCorruptRestored: number }) {
    this.#prefix = options.prefix;
    this.#infiniteHorizon = options.infiniteHorizon;
    this.#write = write;
    this.#stats = stats;
  }

  addBucket(name: string, bucket: B): void {
    this.#buckets.set(name, bucket);
  }

  /** Whether the bucket named `name` keeps this history. */
  has(name: string): boolean {
    return this.#buckets.has(name);
  }

  /** The history of `keyId`'s bucket, undefined when it keeps none. */
  bucketOf(keyId: string): B | undefined {
    return this.#buckets.get(splitKeyId(keyId).bucket);
  }

  /** The buckets that keep this history. */
  buckets(): IterableIterator<B> {
    return this.#buckets.values();
  }

  /** Whether the key's bucket keeps this history and the key has none of its own: its record answers for it. */
  answeredByRecord(keyId: string): boolean {
    const bucket = this.bucketOf(keyId);
    return bucket !== undefined && !bucket.history.has(keyId);
  }

  /** What the history keeps of the key, oldest first. */
  history(keyId: string): T[] {
    return this.bucketOf(keyId)?.history.history(keyId) ?? [];
  }

  /** The storage key of one entry of `keyId`. */
  entryKey(keyId: string, ...parts: readonly (string | number)[]): string {
    return this.#prefix + JSON.stringify([keyId, ...parts]);
  }

  /** The horizon stored for the key, undefined while nothing was dropped. */
  storedHorizon(keyId: string): number | undefined {
    return this.#horizons.get(keyId);
  }

  /** `HISTORY_TRUNCATED` when `at` is below the key's stored horizon. */
  truncated(keyId: string, at: number): HistoryTruncatedError | undefined {
    const stored = this.#horizons.get(keyId);
    return stored !== undefined && at < stored ? new HistoryTruncatedError(keyId, at, stored) : undefined;
  }

  /** The earliest time a read of the key can be answered at here (−∞ while nothing was dropped). */
  horizon(keyId: string): number {
    const inMemory = this.bucketOf(keyId)?.history.horizon(keyId) ?? Number.NEGATIVE_INFINITY;
    return Math.max(inMemory, this.#horizons.get(keyId) ?? Number.NEGATIVE_INFINITY);
  }

  /** The key's mirrored entries; on first use the key is tracked (appended to the bucket's order), with none. */
  track(bucket: B, keyId: string): readonly E[] {
    const entries = this.#stored.get(keyId);
    if (entries !== undefined) return entries;
    this.#stored.set(keyId, noEntries);
    bucket.order.push(keyId);
    return noEntries;
  }

  /**
   * Mirrors `entry` for the key, replacing the one `same` says it is (the
   * same version or dot; undefined: the caller knows it is new), and gives
   * the key's entries after. `entries` is what `track` gave for the key,
   * with no `sync` since (a write to a key is one `track`, one history
   * update, one `mirror`: the key's entries are looked up once).
   */
  mirror(keyId: string, entries: readonly E[], entry: E, same: ((a: E, b: E) => boolean) | undefined): readonly E[] {
    if (entries.length === 0) {
      const first = [entry];
      this.#stored.set(keyId, first);
      return first;
    }
    // From the end: the entries a write changes are its key's latest (the sibling it overwrote, the version it follows).
    const at = same === undefined ? -1 : entries.findLastIndex((e) => same(e, entry));
    if (at >= 0) (entries as E[])[at] = entry;
    else (entries as E[]).push(entry);
    return entries;
  }

  put(storageKey: string, value: Uint8Array): void {
    this.#write({ kind: "put", key: storageKey, value });
  }

  delete(storageKey: string): void {
    this.#write({ kind: "delete", key: storageKey });
  }

  /**
   * Reads back one stored entry at start; false (and a delete queued, and
   * counted) when it is damaged or foreign. `entry`: reads an entry back
   * from its key's parts after the key id, false when they or the bytes are
   * not one.
   */
  restore(
    storageKey: string,
    bytes: Uint8Array,
    entry: (bucket: B, keyId: string, parts: readonly unknown[]) => boolean,
  ): boolean {
    const parsed = this.#parse(storageKey);
    const bucket = parsed === undefined ? undefined : this.bucketOf(parsed.keyId);
    if (parsed === undefined || bucket === undefined) return this.#corrupt(storageKey);
    if (parsed.parts.length === 0) {
      const horizon = decodeHorizon(bytes, this.#infiniteHorizon);
      if (horizon === undefined) return this.#corrupt(storageKey);
      this.#horizons.set(parsed.keyId, Math.max(horizon, this.#horizons.get(parsed.keyId) ?? horizon));
      return true;
    }
    return entry(bucket, parsed.keyId, parsed.parts) || this.#corrupt(storageKey);
  }

  /**
   * Deletes the entries of `keyId` the history no longer keeps (`isKept`
   * says, of one mirrored entry), stores its new horizon; the count deleted.
   */
  sync(bucket: B, keyId: string, isKept: (entry: E) => boolean): number {
    const entries = this.#stored.get(keyId);
    if (entries === undefined) return 0;
    const remaining: E[] = [];
    for (const entry of entries) {
      if (isKept(entry)) remaining.push(entry);
      else this.delete(entry.storageKey);
    }
    const dropped = entries.length - remaining.length;
    if (dropped > 0) this.#stored.set(keyId, remaining.length === 0 ? noEntries : remaining);
    const horizon = bucket.history.horizon(keyId);
    if (horizon !== Number.NEGATIVE_INFINITY && horizon > (this.#horizons.get(keyId) ?? Number.NEGATIVE_INFINITY)) {
      this.#horizons.set(keyId, horizon);
      this.put(this.#prefix + JSON.stringify([keyId]), encodeHorizon(horizon));
    }
    return dropped;
  }

  /**
   * Garbage collection from `tick`, at most every `historyCollectIntervalMs`
   * of monotonic time: each bucket's history collects (`now`: its clock's
   * reading, undefined to skip it) and `sync` brings storage in line for the
   * keys it visited.
   */
  collect(nowMs: number, now: (bucket: B) => number | undefined, sync: (bucket: B, keyId: string) => number): void {
    if (nowMs < this.#nextCollectMs) return;
    this.#nextCollectMs = nowMs + historyCollectIntervalMs;
    for (const bucket of this.#buckets.values()) {
      const reading = now(bucket);
      const keys = bucket.order.length;
      if (reading === undefined || keys === 0) continue;
      const visits = Math.min(keys, bucket.history.collectKeysPerCall);
      const visited: string[] = [];
      for (let i = 0; i < visits; i++) visited.push(bucket.order[(bucket.cursor + i) % keys] as string);
      bucket.cursor = (bucket.cursor + visits) % keys;
      const report = bucket.history.collect(reading);
      if (report.versionsDropped === 0) continue;
      let dropped = 0;
      for (const keyId of visited) dropped += sync(bucket, keyId);
      // The history's round robin is its own: should it ever visit other keys than predicted, sync them all.
      if (dropped !== report.versionsDropped) for (const keyId of bucket.order) sync(bucket, keyId);
    }
  }

  #corrupt(storageKey: string): false {
    this.#stats.entriesCorruptRestored++;
    this.delete(storageKey);
    return false;
  }

  /** The key id and the parts after it, or undefined when the key is not one of this store's. */
  #parse(storageKey: string): { readonly keyId: string; readonly parts: readonly unknown[] } | undefined {
    let parsed: unknown;
    try {
      parsed = JSON.parse(storageKey.slice(this.#prefix.length));
    } catch {
      return undefined;
    }
    if (!Array.isArray(parsed) || typeof parsed[0] !== "string" || !parsed[0].includes("\u0000")) return undefined;
    return { keyId: parsed[0], parts: parsed.slice(1) };
  }
}

function encodeHorizon(horizon: number): Uint8Array {
  const bytes = new Uint8Array(12);
  const view = new DataView(bytes.buffer);
  view.setFloat64(0, horizon);
  view.setUint32(8, crc32c(bytes.subarray(0, 8)));
  return bytes;
}

/** A stored horizon: finite, or +∞ where `infinite` allows it. */
function decodeHorizon(bytes: Uint8Array, infinite: boolean): number | undefined {
  if (bytes.length !== 12) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 12);
  if (view.getUint32(8) !== crc32c(bytes.subarray(0, 8))) return undefined;
  const horizon = view.getFloat64(0);
  return Number.isFinite(horizon) || (infinite && horizon === Number.POSITIVE_INFINITY) ? horizon : undefined;
}
