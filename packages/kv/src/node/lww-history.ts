/**
 * The versioned store's history, wired into a replica (issue 5, first
 * increment: last-write-wins buckets only). Every LWW version a replica
 * accepts (a coordinator's write, a repair, a handoff, an anti-entropy push;
 * all of them go through `KvNode#merge`) is recorded in the bucket's
 * `VersionHistory` (src/history/version-history.ts), whether it won the merge
 * or not: a version that lost to a newer one at arrival is still the answer
 * at the times before the newer one. The one exception is a version written
 * under a fencing token below the one the replica's record already carries:
 * the LWW order puts the token above the time, which a history ordered by
 * time cannot express, so a zombie's late version is left out rather than
 * returned at its `at`.
 *
 * Durability. Each kept version is a storage entry of its own, and so is a
 * key's horizon once something of the key was dropped:
 *
 * ```text
 * hv/["<bucket>\u0000<key>",<at>,"<node>"]   a version: an encoded LWW record (stamp time = at; checksummed)
 * hv/["<bucket>\u0000<key>"]                 the key's horizon: f64 + CRC-32C
 * ```
 *
 * (JSON, so that keys holding NUL or quotes stay unambiguous.) A version
 * the history drops (by the count bound on insert, or by age in `collect`)
 * has its entry deleted in the same batch. The horizon is stored because a
 * restarted node rebuilds its history from the surviving versions only: it
 * would otherwise answer "absent" below the oldest one, a wrong answer where
 * `HISTORY_TRUNCATED` is due. A read below the stored horizon fails the same
 * way the in-memory history's horizon makes it fail.
 *
 * Garbage collection runs from `tick`, at most every
 * `historyCollectIntervalMs` of monotonic time, each call visiting at most
 * `collectKeysPerCall` keys per bucket (the history's own round robin). Age
 * is in each bucket's clock: `maxAgeMs` as is for wall and TrueTime ms,
 * times 2^11 for packed HLC timestamps; Lamport counters have no age, only
 * the count bound.
 *
 * Not here: a key whose record the tombstone GC removes keeps its history
 * (at least its last version, the tombstone), and hints a fallback holds are
 * recorded only when they are handed off to the primary.
 */
import { err, ok, type Result } from "@skew/env";
import { logicalMax } from "@skew/hlc";
import { crc32c } from "../checksum/index.js";
import { historyCollectIntervalMs, historyMaxAgeMsDefault } from "../constants.js";
import { HistoryTruncatedError, type Version, VersionHistory, type VersionView } from "../history/index.js";
import type { ConflictMode } from "../modes.js";
import { decodeRecord, encodeRecord, type KvRecord } from "../record/index.js";
import { type StorageOp, splitKeyId } from "./storage.js";

export const historyPrefix = "hv/";

export interface LwwHistoryOptions {
  /** How long a superseded version stays answerable, in ms (default `historyMaxAgeMsDefault`). */
  readonly maxAgeMs?: number;
  /** Versions kept per key (default `historyVersionsPerKeyDefault`). */
  readonly versionsPerKey?: number;
  /** Keys one collection visits per bucket (default `historyCollectKeysPerCallDefault`). */
  readonly collectKeysPerCall?: number;
}

export interface LwwHistoryStats {
  /** Versions recorded (new or replacing one under the same identity). */
  versionsRecorded: number;
  /** Versions dropped by the count bound or by age. */
  versionsDropped: number;
  /** Stored history entries that did not decode at restart (deleted). */
  entriesCorruptRestored: number;
}

/** What the replica's clocks read now, in each LWW mode's units (undefined: no reading, skip the bucket). */
export type BucketNow = (mode: ConflictMode) => number | undefined;

interface BucketHistory {
  readonly mode: ConflictMode;
  readonly history: VersionHistory;
  /** The keys in the history's insertion order, to know which ones a `collect` visits. */
  readonly order: string[];
  cursor: number;
}

export class LwwHistories {
  readonly stats: LwwHistoryStats = { versionsRecorded: 0, versionsDropped: 0, entriesCorruptRestored: 0 };
  readonly #buckets = new Map<string, BucketHistory>();
  readonly #write: (op: StorageOp) => void;
  /** The versions kept per key, as storage keys by version id: mirrors the histories, to delete what they drop. */
  readonly #stored = new Map<string, Map<string, string>>();
  /** The horizon stored per key (absent: nothing dropped). */
  readonly #horizons = new Map<string, number>();
  #nextCollectMs = 0;

  constructor(buckets: ReadonlyMap<string, ConflictMode>, options: LwwHistoryOptions, write: (op: StorageOp) => void) {
    this.#write = write;
    const maxAgeMs = options.maxAgeMs;
    if (maxAgeMs !== undefined && !(typeof maxAgeMs === "number" && maxAgeMs >= 0 && Number.isFinite(maxAgeMs))) {
      throw new RangeError(`KvNode: history.maxAgeMs must be a finite number >= 0, got ${String(maxAgeMs)}`);
    }
    for (const [bucket, mode] of buckets) {
      if (mode === "causal") continue;
      const maxAge = maxAgeOf(mode, maxAgeMs);
      const history = new VersionHistory({
        ...(maxAge === undefined ? {} : { maxAge }),
        ...(options.versionsPerKey === undefined ? {} : { versionsPerKey: options.versionsPerKey }),
        ...(options.collectKeysPerCall === undefined ? {} : { collectKeysPerCall: options.collectKeysPerCall }),
      });
      this.#buckets.set(bucket, { mode, history, order: [], cursor: 0 });
    }
  }

  /** Whether `bucket` keeps a history (its mode is last-write-wins). */
  has(bucket: string): boolean {
    return this.#buckets.has(bucket);
  }

  /**
   * A replica accepted `incoming` for `keyId` (`before`: its record until
   * then): records the version, durably, unless a higher fencing token had
   * already been seen for the key.
   */
  accept(keyId: string, incoming: KvRecord, before: KvRecord | undefined): void {
    if (incoming.kind !== "lww") return;
    const bucket = this.#buckets.get(splitKeyId(keyId).bucket);
    if (bucket === undefined) return;
    if (before?.kind === "lww" && incoming.stamp.fence < before.stamp.fence) return;
    const version: Version = { at: incoming.stamp.time, node: incoming.stamp.node, value: incoming.value };
    this.#insert(bucket, keyId, version, incoming);
  }

  /**
   * The newest version of the key at or before `at`, `undefined` when there
   * is provably none, `HISTORY_TRUNCATED` below its horizon; `undefined`
   * (the whole result) when the bucket keeps no history.
   */
  versionAt(keyId: string, at: number): Result<Version | undefined, HistoryTruncatedError> | undefined {
    const bucket = this.#buckets.get(splitKeyId(keyId).bucket);
    if (bucket === undefined) return undefined;
    const stored = this.#horizons.get(keyId);
    if (stored !== undefined && at < stored) return err(new HistoryTruncatedError(keyId, at, stored));
    const found = bucket.history.versionAt(keyId, at);
    return found.ok ? ok(found.value) : found;
  }

  /** The versions of the key kept here, oldest first. */
  history(keyId: string): VersionView[] {
    return this.#buckets.get(splitKeyId(keyId).bucket)?.history.history(keyId) ?? [];
  }

  /** The earliest time a read of the key can be answered at here (−∞ while nothing was dropped). */
  horizon(keyId: string): number {
    const inMemory = this.#buckets.get(splitKeyId(keyId).bucket)?.history.horizon(keyId) ?? Number.NEGATIVE_INFINITY;
    return Math.max(inMemory, this.#horizons.get(keyId) ?? Number.NEGATIVE_INFINITY);
  }

  /** Drops versions past the age bound, in bounded steps; call from `tick`. */
  tick(nowMs: number, now: BucketNow): void {
    if (nowMs < this.#nextCollectMs) return;
    this.#nextCollectMs = nowMs + historyCollectIntervalMs;
    for (const bucket of this.#buckets.values()) {
      const reading = now(bucket.mode);
      if (reading === undefined || bucket.order.length === 0) continue;
      const keys = bucket.order.length;
      const visits = Math.min(keys, bucket.history.collectKeysPerCall);
      const visited: string[] = [];
      for (let i = 0; i < visits; i++) visited.push(bucket.order[(bucket.cursor + i) % keys] as string);
      bucket.cursor = (bucket.cursor + visits) % keys;
      const report = bucket.history.collect(reading);
      if (report.versionsDropped === 0) continue;
      let dropped = 0;
      for (const keyId of visited) dropped += this.#sync(bucket, keyId);
      // The history's round robin is its own: should it ever visit other keys than predicted, sync them all.
      if (dropped !== report.versionsDropped) for (const keyId of bucket.order) this.#sync(bucket, keyId);
    }
  }

  /** Reads back one stored entry at start; false (and a delete queued) when it is damaged or foreign. */
  restore(storageKey: string, bytes: Uint8Array): boolean {
    const parsed = parseStorageKey(storageKey);
    const bucket = parsed === undefined ? undefined : this.#buckets.get(splitKeyId(parsed.keyId).bucket);
    if (parsed === undefined || bucket === undefined) return this.#corrupt(storageKey);
    if (parsed.version === undefined) {
      const horizon = decodeHorizon(bytes);
      if (horizon === undefined) return this.#corrupt(storageKey);
      this.#horizons.set(parsed.keyId, Math.max(horizon, this.#horizons.get(parsed.keyId) ?? horizon));
      return true;
    }
    const decoded = decodeRecord(bytes);
    const { at, node } = parsed.version;
    if (!decoded.ok || decoded.value.kind !== "lww") return this.#corrupt(storageKey);
    const record = decoded.value;
    if (record.stamp.time !== at || record.stamp.node !== node) return this.#corrupt(storageKey);
    this.#insert(bucket, parsed.keyId, { at, node, value: record.value }, record, bytes);
    return true;
  }

  #corrupt(storageKey: string): false {
    this.stats.entriesCorruptRestored++;
    this.#write({ kind: "delete", key: storageKey });
    return false;
  }

  /** Inserts, then brings storage in line: the new entry put, anything the count bound dropped deleted. */
  #insert(bucket: BucketHistory, keyId: string, version: Version, record: KvRecord, stored?: Uint8Array): void {
    const horizon = this.#horizons.get(keyId);
    if (horizon !== undefined && version.at < horizon) return; // below what a restarted node can answer anyway
    if (!this.#stored.has(keyId)) {
      this.#stored.set(keyId, new Map());
      bucket.order.push(keyId);
    }
    const outcome = bucket.history.insert(keyId, version);
    if (outcome === "added" || outcome === "replaced") {
      this.stats.versionsRecorded++;
      const key = versionKey(keyId, version);
      (this.#stored.get(keyId) as Map<string, string>).set(versionId(version), key);
      // On restore the entry is already there, as it is.
      if (stored === undefined) this.#write({ kind: "put", key, value: encodeRecord(record) });
    }
    if (outcome !== "duplicate") this.#sync(bucket, keyId);
  }

  /** Deletes the entries of `keyId`'s versions the history no longer keeps, stores its new horizon; the count. */
  #sync(bucket: BucketHistory, keyId: string): number {
    const mirror = this.#stored.get(keyId);
    if (mirror === undefined) return 0;
    const kept = new Set(bucket.history.history(keyId).map(versionId));
    let dropped = 0;
    for (const [id, key] of mirror) {
      if (kept.has(id)) continue;
      mirror.delete(id);
      this.#write({ kind: "delete", key });
      dropped++;
    }
    this.stats.versionsDropped += dropped;
    const horizon = bucket.history.horizon(keyId);
    if (horizon !== Number.NEGATIVE_INFINITY && horizon > (this.#horizons.get(keyId) ?? Number.NEGATIVE_INFINITY)) {
      this.#horizons.set(keyId, horizon);
      this.#write({ kind: "put", key: horizonKey(keyId), value: encodeHorizon(horizon) });
    }
    return dropped;
  }
}

/** The history's age bound in the bucket clock's units (undefined: the history's default, which is in ms). */
function maxAgeOf(mode: ConflictMode, maxAgeMs: number | undefined): number | undefined {
  switch (mode) {
    case "lww-hlc":
      return (maxAgeMs ?? historyMaxAgeMsDefault) * (logicalMax + 1); // a packed timestamp counts 2^11 per ms
    case "lww-lamport":
      return Number.POSITIVE_INFINITY; // a counter has no age: the count bound alone applies
    default:
      return maxAgeMs;
  }
}

function versionId(version: { readonly at: number; readonly node: string }): string {
  return JSON.stringify([version.at, version.node]);
}

function versionKey(keyId: string, version: Version): string {
  return historyPrefix + JSON.stringify([keyId, version.at, version.node]);
}

function horizonKey(keyId: string): string {
  return historyPrefix + JSON.stringify([keyId]);
}

function parseStorageKey(
  storageKey: string,
): { readonly keyId: string; readonly version?: { readonly at: number; readonly node: string } } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(storageKey.slice(historyPrefix.length));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || typeof parsed[0] !== "string" || !parsed[0].includes("\u0000")) return undefined;
  if (parsed.length === 1) return { keyId: parsed[0] };
  const [keyId, at, node] = parsed as [string, unknown, unknown];
  if (parsed.length !== 3 || typeof at !== "number" || typeof node !== "string" || node === "") return undefined;
  return { keyId, version: { at, node } };
}

function encodeHorizon(horizon: number): Uint8Array {
  const bytes = new Uint8Array(12);
  const view = new DataView(bytes.buffer);
  view.setFloat64(0, horizon);
  view.setUint32(8, crc32c(bytes.subarray(0, 8)));
  return bytes;
}

function decodeHorizon(bytes: Uint8Array): number | undefined {
  if (bytes.length !== 12) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 12);
  if (view.getUint32(8) !== crc32c(bytes.subarray(0, 8))) return undefined;
  const horizon = view.getFloat64(0);
  return Number.isFinite(horizon) ? horizon : undefined;
}
