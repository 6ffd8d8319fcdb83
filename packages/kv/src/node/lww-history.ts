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
 * Durability (the plumbing: node/history-store.ts). Each kept version is a storage entry of its own, and so is a
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
 * Keys the record answers for. A key whose one version so far is its
 * record's, recorded at its stamp (every new key's first write, unless it
 * came late after a served read), has no history of its own and no entry:
 * its history would be that one version, which the replica's record holds
 * (`recordOf`), so reads of its past are answered from the record, and a
 * restarted replica finds it there. Its next version of any kind (a newer
 * one, a loser, a late one), or the record's removal (`recordRemoved`),
 * first gives the key that history, with the version's entry, then
 * proceeds as for any key.
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
import { describeValue, err, ok, type Result } from "@skew/env";
import { logicalMax } from "@skew/hlc";
import { historyMaxAgeMsDefault } from "../constants.js";
import {
  compareVersions,
  type HistoryTruncatedError,
  type Version,
  VersionHistory,
  type VersionView,
  versionView,
} from "../history/index.js";
import type { ConflictMode } from "../modes.js";
import { compareValues, decodeRecord, encodeRecord, type KvRecord, type LwwRecord } from "../record/index.js";
import { HistoryStore, type StoredEntry } from "./history-store.js";
import type { ServedReads } from "./served-reads.js";
import type { StorageOp } from "./storage.js";

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
  /** Versions that won their merge after a read of the past at or above their stamp was answered: recorded later (served-reads.ts). */
  versionsLate: number;
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
  readonly stats: LwwHistoryStats = {
    versionsRecorded: 0,
    versionsDropped: 0,
    entriesCorruptRestored: 0,
    versionsLate: 0,
  };
  /** The versions kept per key in storage, by (at, node), and the stored horizons. */
  readonly #store: HistoryStore<VersionView, BucketHistory, StoredVersion>;

  /** The replica's current record of a key. */
  readonly #recordOf: (keyId: string) => KvRecord | undefined;

  /**
   * `recordOf`: the replica's current record of a key, which answers for a
   * key that has no history of its own yet (module comment).
   */
  constructor(
    buckets: ReadonlyMap<string, ConflictMode>,
    options: LwwHistoryOptions,
    write: (op: StorageOp) => void,
    recordOf: (keyId: string) => KvRecord | undefined,
  ) {
    this.#recordOf = recordOf;
    this.#store = new HistoryStore({ prefix: historyPrefix, infiniteHorizon: false }, write, this.stats);
    const maxAgeMs = options.maxAgeMs;
    if (maxAgeMs !== undefined && !(typeof maxAgeMs === "number" && maxAgeMs >= 0 && Number.isFinite(maxAgeMs))) {
      throw new RangeError(`KvNode: history.maxAgeMs must be a finite number >= 0, got ${describeValue(maxAgeMs)}`);
    }
    for (const [bucket, mode] of buckets) {
      if (mode === "causal") continue;
      const maxAge = maxAgeOf(mode, maxAgeMs);
      const history = new VersionHistory({
        ...(maxAge === undefined ? {} : { maxAge }),
        ...(options.versionsPerKey === undefined ? {} : { versionsPerKey: options.versionsPerKey }),
        ...(options.collectKeysPerCall === undefined ? {} : { collectKeysPerCall: options.collectKeysPerCall }),
      });
      this.#store.addBucket(bucket, { mode, history, order: [], cursor: 0 });
    }
  }

  /** Whether `bucket` keeps a history (its mode is last-write-wins). */
  has(bucket: string): boolean {
    return this.#store.has(bucket);
  }

  /**
   * A replica accepted `incoming` for `keyId` (`before`: its record until
   * then; `won`: `incoming` became its record): records the version,
   * durably, unless a higher fencing token had already been seen for the key.
   */
  accept(
    keyId: string,
    incoming: KvRecord,
    encoded: Uint8Array | undefined,
    before: KvRecord | undefined,
    won: boolean,
    served: ServedReads,
  ): void {
    if (incoming.kind !== "lww") return;
    const bucket = this.#store.bucketOf(keyId);
    if (bucket === undefined) return;
    const held = before?.kind === "lww" ? before : undefined;
    if (held !== undefined && incoming.stamp.fence < held.stamp.fence) return;
    const own = bucket.history.has(keyId);
    let at = incoming.stamp.time;
    if (served.late(bucket.mode, at)) {
      // A read of the past at or after its stamp was answered here: served-reads.ts.
      if (!won) return; // never the answer after the mark; before it, the answer was given
      this.stats.versionsLate++;
      const latest = own ? bucket.history.history(keyId).at(-1)?.at : held?.stamp.time;
      at = served.visibleAt(bucket.mode, at, latest);
    }
    if (!own) {
      // The record answers for the key while it is its one version, at its stamp (module comment).
      if (at === incoming.stamp.time && (held === undefined ? won : sameRecord(held, incoming))) return;
      if (held !== undefined) this.#adopt(bucket, keyId, held);
    }
    this.#insert(bucket, keyId, { at, node: incoming.stamp.node, value: incoming.value }, incoming, encoded);
  }

  /** Gives a key the record answers for the history its record implies: its one version, at its stamp, stored. */
  #adopt(bucket: BucketHistory, keyId: string, record: LwwRecord): void {
    this.#insert(bucket, keyId, recordVersion(record), record, undefined);
  }

  /**
   * The replica is about to drop its record of `keyId` (`record`, a
   * tombstone's): a key the record answered for takes its history from it
   * first, so reads of the key's past answer as before, here and after a
   * restart.
   */
  recordRemoved(keyId: string, record: KvRecord): void {
    if (record.kind !== "lww") return;
    const bucket = this.#store.bucketOf(keyId);
    if (bucket === undefined || bucket.history.has(keyId)) return;
    this.#adopt(bucket, keyId, record);
  }

  /** Whether the replica's record answers for `keyId`'s past (it has no history of its own here: module comment). */
  answeredByRecord(keyId: string): boolean {
    return this.#store.answeredByRecord(keyId);
  }

  /**
   * The newest version of the key at or before `at`, `undefined` when there
   * is provably none, `HISTORY_TRUNCATED` below its horizon; `undefined`
   * (the whole result) when the bucket keeps no history.
   */
  versionAt(keyId: string, at: number): Result<Version | undefined, HistoryTruncatedError> | undefined {
    const bucket = this.#store.bucketOf(keyId);
    if (bucket === undefined) return undefined;
    const truncated = this.#store.truncated(keyId, at);
    if (truncated !== undefined) return err(truncated);
    if (!bucket.history.has(keyId)) {
      const record = this.#recordOf(keyId);
      return ok(record?.kind === "lww" && record.stamp.time <= at ? recordVersion(record) : undefined);
    }
    const found = bucket.history.versionAt(keyId, at);
    return found.ok ? ok(found.value) : found;
  }

  /** The versions of the key kept here, oldest first. */
  history(keyId: string): VersionView[] {
    if (!this.#store.answeredByRecord(keyId)) return this.#store.history(keyId);
    const record = this.#recordOf(keyId);
    return record?.kind === "lww" ? [versionView(recordVersion(record))] : [];
  }

  /** The earliest time a read of the key can be answered at here (−∞ while nothing was dropped). */
  horizon(keyId: string): number {
    return this.#store.horizon(keyId);
  }

  /** Drops versions past the age bound, in bounded steps; call from `tick`. */
  tick(nowMs: number, now: BucketNow): void {
    this.#store.collect(
      nowMs,
      (bucket) => now(bucket.mode),
      (bucket, keyId) => this.#sync(bucket, keyId),
    );
  }

  /** Reads back one stored entry at start; false (and a delete queued) when it is damaged or foreign. */
  restore(storageKey: string, bytes: Uint8Array): boolean {
    return this.#store.restore(storageKey, bytes, (bucket, keyId, parts) => {
      const [at, node] = parts;
      if (parts.length !== 2 || typeof at !== "number" || typeof node !== "string" || node === "") return false;
      const decoded = decodeRecord(bytes);
      if (!decoded.ok || decoded.value.kind !== "lww") return false;
      const record = decoded.value;
      // A version that arrived late is kept visible from above its stamp (served-reads.ts), never below.
      if (at < record.stamp.time || record.stamp.node !== node) return false;
      this.#insert(bucket, keyId, { at, node, value: record.value }, record, bytes, true);
      return true;
    });
  }

  /**
   * Inserts, then brings storage in line: the new entry put (`encoded`: the
   * record's bytes when the caller has them), anything the count bound
   * dropped deleted. `restored`: the entry is in storage already, as it is.
   */
  #insert(
    bucket: BucketHistory,
    keyId: string,
    version: Version,
    record: KvRecord,
    encoded: Uint8Array | undefined,
    restored = false,
  ): void {
    const horizon = this.#store.storedHorizon(keyId);
    if (horizon !== undefined && version.at < horizon) return; // below what a restarted node can answer anyway
    let stored = this.#store.track(bucket, keyId);
    const outcome = bucket.history.insert(keyId, version);
    if (outcome === "added" || outcome === "replaced") {
      this.stats.versionsRecorded++;
      const storageKey = this.#store.entryKey(keyId, version.at, version.node);
      stored = this.#store.mirror(keyId, stored, { storageKey, at: version.at, node: version.node }, sameVersion);
      if (!restored) this.#store.put(storageKey, encoded ?? encodeRecord(record));
    }
    // Every version kept is mirrored, so the mirror holds more only when the history dropped one: then storage
    // needs its delete, and the key's raised horizon. A version the count bound pushed out at once ("below-horizon"
    // on a key with room for nothing older) was never mirrored, yet it raised the horizon too: that must be stored,
    // or a restarted replica would answer "absent" where the version was. Most inserts do neither, and skip both.
    if (
      outcome === "below-horizon" ||
      (outcome !== "duplicate" && stored.length > bucket.history.versionCountOf(keyId))
    )
      this.#sync(bucket, keyId);
  }

  /** Deletes the entries of `keyId`'s versions the history no longer keeps, stores its new horizon; the count. */
  #sync(bucket: BucketHistory, keyId: string): number {
    // Drops only ever take the oldest versions (VersionHistory.oldest): an entry is kept iff it is not older than
    // the oldest version kept. One comparison an entry, where a set of the kept versions' ids cost a string each.
    const oldest = bucket.history.oldest(keyId);
    const dropped = this.#store.sync(
      bucket,
      keyId,
      (entry) => oldest !== undefined && compareVersions(entry, oldest) >= 0,
    );
    this.stats.versionsDropped += dropped;
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

/** A stored version as the store mirrors it: its storage key, and the (at, node) that identifies and orders it. */
interface StoredVersion extends StoredEntry {
  readonly at: number;
  readonly node: string;
}

/** A record's version: at its stamp's time. */
function recordVersion(record: LwwRecord): Version {
  return { at: record.stamp.time, node: record.stamp.node, value: record.value };
}

/** Whether two records are one: the same stamp and the same value. */
function sameRecord(a: LwwRecord, b: LwwRecord): boolean {
  return (
    a.stamp.time === b.stamp.time &&
    a.stamp.node === b.stamp.node &&
    a.stamp.fence === b.stamp.fence &&
    compareValues(a.value, b.value) === 0
  );
}

/** One identity, (at, node): a replaced version keeps its entry. */
function sameVersion(a: StoredVersion, b: StoredVersion): boolean {
  return compareVersions(a, b) === 0;
}
