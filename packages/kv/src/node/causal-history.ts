/**
 * The history of causal buckets, wired into a replica (issue 5, "in causal
 * mode: history is kept per sibling; a snapshot read returns the siblings
 * that existed at `at`"), on `SiblingHistory` (src/history/sibling-history.ts)
 * as node/lww-history.ts is on `VersionHistory`.
 *
 * Stamps. Every causal write is stamped at its coordinator with the
 * coordinator's HLC (`Sibling.at`, carried in the record: record/codec.ts
 * says why there and not in a side table), so a sibling's `at` is the same
 * at every replica that holds it. Times here, a read's `at` included, are
 * packed HLC timestamps, as in `lww-hlc` buckets.
 *
 * Reports. Every change of a causal record at this replica (a write it
 * coordinates, a write, repair or handoff it merges: all of them go through
 * `KvNode#merge` or `#coordinateCausalWrite`) is turned into reports:
 *
 * - every sibling of the record after the change, live (`at` = its stamp);
 * - every sibling of the record before it, or of the incoming record, that
 *   the change retired (it is not in the result: a write
 *   whose context covered its dot overwrote it, or a higher fencing token
 *   superseded it), with `supersededAt` = the stamp of the write that
 *   retired it.
 *
 * Which write retired a dot. A dotted version vector set does not say which
 * sibling's context covered which dot, so the retiring write is found among
 * the candidates: the siblings of the result that the retired dot's own
 * record did not hold (the writes that came with the change). For a fence
 * supersession, the candidates are narrowed to those of a higher token: the
 * higher-fenced sibling's write is what made the dot dead, at its stamp, the
 * moment a reader could have seen the new token's write instead. The
 * earliest candidate stamped after the dot is taken (a write that overwrote
 * a sibling had read it, so with HLC it is stamped after it); when none is
 * (a fenced-off zombie stamped later than the write that fenced it), the
 * latest candidate is, which is at or before the dot's own stamp: the
 * history then holds the dot as never visible, which is what a zombie's
 * write is. Two imprecisions remain, both only inside one replica's
 * answer: a change that brings a concurrent sibling stamped between the
 * retired dot and its real retirer reports the dot dead from the concurrent
 * one's stamp (too early); and a retirement whose retirer was itself retired
 * before this replica saw it is reported at the later write's stamp (too
 * late) unless another report of the same dot says earlier (reports join by
 * min). A retirement without any candidate (not seen in the simulations) is
 * counted in `stats.retirementsUnstamped`, not reported.
 *
 * Durability, as lww-history.ts (the plumbing: node/history-store.ts):
 *
 * ```text
 * hc/["<bucket>\u0000<key>","<replica>",<counter>]   a sibling: at f64, supersededAt f64 (NaN: live), fence f64, tag, value, CRC-32C
 * hc/["<bucket>\u0000<key>"]                         the key's horizon: f64 (+Infinity allowed) + CRC-32C
 * ```
 *
 * An entry is put when a kept sibling's lifetime is not what the replica's
 * record says of it: when it is superseded (the record no longer holds it),
 * or born at another time than its stamp (a late report, moved above a
 * served read: served-reads.ts). A live sibling born at its stamp, the
 * common case (every new key's), has no entry: the record holds its dot,
 * stamp, fence and value, and a restarted replica reads it back from there
 * (`restoreRecords`, after the entries). Once a sibling has an entry it keeps
 * one: a supersession and a moved birth are never undone. An entry is
 * deleted in the batch in which the history drops its sibling. The horizon
 * is stored because a restarted replica rebuilds its history from the
 * surviving entries and records only.
 * The ghosts of dropped dots (sibling-history.ts) are not stored: after a
 * restart a late report of a dropped dot is taken as new. Reports come from
 * this replica's own merges, and a dot is reported live only while the
 * replica's record holds it, so such a report says the dot was superseded,
 * and it is kept (a sibling superseded at or before the stored horizon is
 * skipped, being past what the key answers anyway).
 *
 * Keys the record answers for. The same holds in memory: a key none of
 * whose changes retired a sibling or recorded one late (every new key, and a
 * key whose writes only ever added siblings) has no history of its own
 * here. Its history would be exactly its record's siblings, each live from
 * its stamp (live siblings are never dropped), so reads of its past are
 * answered from the record (`recordOf`, the replica's). Its first change
 * that retires a sibling or records one late first gives the key the
 * history its record implies, then proceeds as for any key; so does the
 * record's removal (`recordRemoved`), before the record goes.
 *
 * Garbage collection runs from `tick`, at most every
 * `historyCollectIntervalMs`, visiting at most `collectKeysPerCall` keys per
 * bucket (the history's own round robin, mirrored here to sync storage).
 */
import { describeValue, err, ok, type Result } from "@skew/env";
import { logicalMax } from "@skew/hlc";
import type { Sibling as DottedSibling } from "@skew/vector";
import { crc32c } from "../checksum/index.js";
import { historyMaxAgeMsDefault } from "../constants.js";
import type { Failure } from "../errors.js";
import {
  compareDots,
  type Dot,
  type HistoryTruncatedError,
  SiblingHistory,
  type SiblingReport,
  type SiblingVersion,
  type SiblingVersionView,
  siblingViews,
} from "../history/index.js";
import type { ConflictMode } from "../modes.js";
import { compareValues, type KvRecord, type Sibling, type Value } from "../record/index.js";
import type { GetReply } from "../requests.js";
import { HistoryStore } from "./history-store.js";
import type { LwwHistoryOptions } from "./lww-history.js";
import { ReadAtQuorum } from "./read-at-quorum.js";
import type { ServedReads } from "./served-reads.js";
import type { StorageOp } from "./storage.js";

export const causalHistoryPrefix = "hc/";

export interface CausalHistoryStats {
  /** Reports that added a sibling or changed one's lifetime. */
  siblingsRecorded: number;
  /** Siblings dropped by the count bound or by age. */
  siblingsDropped: number;
  /** Retired dots for which no retiring write was found (not reported). */
  retirementsUnstamped: number;
  /** Stored entries that did not decode at restart (deleted). */
  entriesCorruptRestored: number;
  /** Reports of a birth or supersession at or below the served mark, recorded just above it (served-reads.ts). */
  reportsLate: number;
}

/** One sibling of a replica's answer to a read at a timestamp. */
export interface SiblingAt extends Dot {
  readonly at: number;
  readonly value: Value;
}

interface BucketHistory {
  readonly history: SiblingHistory;
  /** The keys in the history's insertion order (its round robin), to know which ones a `collect` visits. */
  readonly order: string[];
  cursor: number;
}

interface Stored {
  /** The sibling's dot key. */
  readonly id: string;
  readonly storageKey: string;
  version: SiblingVersion;
}

/** One identity, the dot: a sibling's later report keeps its entry. */
function sameDot(a: Stored, b: Stored): boolean {
  return a.id === b.id;
}

export class CausalHistories {
  readonly stats: CausalHistoryStats = {
    siblingsRecorded: 0,
    siblingsDropped: 0,
    retirementsUnstamped: 0,
    entriesCorruptRestored: 0,
    reportsLate: 0,
  };
  /** The siblings kept per key in storage, by dot key (to store what they keep and delete what they drop), and the stored horizons. */
  readonly #store: HistoryStore<SiblingVersionView, BucketHistory, Stored>;
  /** The dot keys of the siblings the histories dropped since this list was last taken (`onDrop`). */
  #dropped: string[] = [];

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
    this.#store = new HistoryStore({ prefix: causalHistoryPrefix, infiniteHorizon: true }, write, this.stats);
    const maxAgeMs = options.maxAgeMs ?? historyMaxAgeMsDefault;
    if (!(typeof maxAgeMs === "number" && maxAgeMs >= 0 && Number.isFinite(maxAgeMs))) {
      throw new RangeError(`KvNode: history.maxAgeMs must be a finite number >= 0, got ${describeValue(maxAgeMs)}`);
    }
    for (const [bucket, mode] of buckets) {
      if (mode !== "causal") continue;
      const history = new SiblingHistory({
        maxAge: maxAgeMs * (logicalMax + 1), // stamps are packed HLC timestamps: 2^11 per ms
        ...(options.versionsPerKey === undefined ? {} : { versionsPerKey: options.versionsPerKey }),
        ...(options.collectKeysPerCall === undefined ? {} : { collectKeysPerCall: options.collectKeysPerCall }),
        onDrop: (_key, dot) => this.#dropped.push(dotKey(dot)),
      });
      this.#store.addBucket(bucket, { history, order: [], cursor: 0 });
    }
  }

  /** Whether `bucket` keeps a sibling history (its mode is causal). */
  has(bucket: string): boolean {
    return this.#store.has(bucket);
  }

  /**
   * The replica's record of `keyId` changed from `before` to `after`
   * (`incoming`: the record merged in, if any): reports every sibling of
   * `after` as live and every sibling of `before` or `incoming` that `after`
   * no longer holds as superseded (the module comment says at what time).
   */
  accept(
    keyId: string,
    before: KvRecord | undefined,
    incoming: KvRecord | undefined,
    after: KvRecord,
    served: ServedReads,
  ): void {
    if (after.kind !== "causal") return;
    const bucket = this.#store.bucketOf(keyId);
    if (bucket === undefined) return;
    const result = after.set.siblings();
    if (!bucket.history.has(keyId)) {
      if (onlyAdds(before, incoming, after, result, served)) return; // the record still answers for the key
      if (before?.kind === "causal") this.#adopt(bucket, keyId, before);
    }
    const observe = (report: SiblingReport, stamp?: number): void =>
      this.#observe(bucket, keyId, this.#late(bucket, keyId, report, served), undefined, stamp);
    for (const s of result) observe(reportOf(s, undefined), s.value.at);
    // A source the change kept whole (a new key's first record, a merge that took the incoming set as it was) retired nothing.
    if ((before === undefined || before === after) && (incoming === undefined || incoming === after)) return;
    const kept = new Set(result.map(dotKey));
    for (const source of [before, incoming]) {
      if (source?.kind !== "causal" || source === after) continue;
      const siblings = source.set.siblings();
      const own = new Set(siblings.map(dotKey));
      const candidates = result.filter((s) => !own.has(dotKey(s)));
      for (const retired of siblings) {
        if (kept.has(dotKey(retired))) continue;
        const supersededAt = retiredAt(retired.value, candidates);
        if (supersededAt === undefined) {
          this.stats.retirementsUnstamped++;
          continue;
        }
        observe(reportOf(retired, supersededAt));
      }
    }
  }

  /**
   * Gives a key the record answers for the history its record implies:
   * every sibling live from its stamp (which needs no entry).
   */
  #adopt(bucket: BucketHistory, keyId: string, record: KvRecord & { kind: "causal" }): void {
    for (const s of record.set.siblings()) this.#observe(bucket, keyId, reportOf(s, undefined), undefined, s.value.at);
  }

  /**
   * The replica is about to drop its record of `keyId` (`record`): a key
   * the record answered for takes its history from it first, so reads of
   * the key's past answer as before.
   */
  recordRemoved(keyId: string, record: KvRecord): void {
    if (record.kind !== "causal") return;
    const bucket = this.#store.bucketOf(keyId);
    if (bucket === undefined || bucket.history.has(keyId)) return;
    this.#adopt(bucket, keyId, record);
  }

  /**
   * A report as this replica may record it now (served-reads.ts): a dot
   * already kept keeps the birth it was recorded with; a new dot born, or a
   * kept one superseded, at or below the served mark becomes so just above it.
   */
  #late(bucket: BucketHistory, keyId: string, report: SiblingReport, served: ServedReads): SiblingReport {
    const known = bucket.history.version(keyId, report);
    let { at, supersededAt } = report;
    if (known !== undefined) at = known.at;
    else if (served.late("causal", at)) at = served.visibleAt("causal", at);
    if (supersededAt !== undefined && served.late("causal", supersededAt)) {
      if (known?.supersededAt === undefined || known.supersededAt > supersededAt) {
        supersededAt = served.visibleAt("causal", supersededAt, at);
      }
    }
    if (at === report.at && supersededAt === report.supersededAt) return report;
    this.stats.reportsLate++;
    return { ...report, at, supersededAt };
  }

  /**
   * The siblings of the key that existed at `at` here, in dot order, or
   * `HISTORY_TRUNCATED` below its horizon; `undefined` (the whole result)
   * when the bucket keeps no sibling history.
   */
  siblingsAt(keyId: string, at: number): Result<SiblingAt[], HistoryTruncatedError> | undefined {
    const bucket = this.#store.bucketOf(keyId);
    if (bucket === undefined) return undefined;
    const truncated = this.#store.truncated(keyId, at);
    if (truncated !== undefined) return err(truncated);
    const found = bucket.history.has(keyId)
      ? bucket.history.siblingsAt(keyId, at)
      : ok(this.#recordVersions(keyId).filter((s) => s.at <= at));
    if (!found.ok) return found;
    return ok(found.value.map(({ replica, counter, at: stamp, value }) => ({ replica, counter, at: stamp, value })));
  }

  /** The siblings of the key kept here, oldest first (by stamp, then dot). */
  history(keyId: string): SiblingVersionView[] {
    return this.#store.answeredByRecord(keyId) ? siblingViews(this.#recordVersions(keyId)) : this.#store.history(keyId);
  }

  /**
   * The history a key the record answers for would have: its record's
   * siblings, each live from its stamp, in dot order (the record's).
   */
  #recordVersions(keyId: string): SiblingVersion[] {
    const record = this.#recordOf(keyId);
    return record?.kind === "causal" ? record.set.siblings().map((s) => reportOf(s, undefined)) : [];
  }

  /** The earliest time a read of the key can be answered at here (−∞ while nothing was dropped). */
  horizon(keyId: string): number {
    return this.#store.horizon(keyId);
  }

  /** Drops siblings past the age bound, in bounded steps; call from `tick` with the HLC's last timestamp. */
  tick(nowMs: number, hlcNow: number): void {
    this.#store.collect(
      nowMs,
      () => hlcNow,
      (bucket, keyId) => this.#sync(bucket, keyId),
    );
    this.#dropped = []; // the collection's drops: each visited key was synced against what the history keeps
  }

  /**
   * Reads back, at start, the live siblings without an entry (born at their
   * stamp) of the keys whose entries were restored, from the replica's
   * records (`recordOf`). Call it once every entry is restored (`restore`)
   * and every record is held: a sibling an entry brought back keeps the
   * birth the entry says. A key no entry brought back needs nothing: its
   * record answers for it (module comment).
   */
  restoreRecords(): void {
    for (const bucket of this.#store.buckets()) {
      for (const keyId of bucket.order) {
        const record = this.#recordOf(keyId);
        if (record?.kind !== "causal") continue;
        for (const s of record.set.siblings()) {
          if (!bucket.history.keeps(keyId, s))
            this.#observe(bucket, keyId, reportOf(s, undefined), undefined, s.value.at);
        }
      }
    }
  }

  /** Whether the replica's record answers for `keyId`'s past (it has no history of its own here: module comment). */
  answeredByRecord(keyId: string): boolean {
    return this.#store.answeredByRecord(keyId);
  }

  /** Reads back one stored entry at start; false (and a delete queued) when it is damaged or foreign. */
  restore(storageKey: string, bytes: Uint8Array): boolean {
    return this.#store.restore(storageKey, bytes, (bucket, keyId, parts) => {
      const dot = dotOf(parts);
      const decoded = dot === undefined ? undefined : decodeSibling(bytes);
      if (dot === undefined || decoded === undefined) return false;
      this.#observe(bucket, keyId, { ...dot, ...decoded }, storageKey);
      return true;
    });
  }

  /**
   * Observes one report, then brings storage in line (`restoredFrom`: the
   * entry it was read from, already stored; `stamp`: for a live sibling of
   * the record, its stamp there, which spares it an entry if it is kept
   * live at that time).
   */
  #observe(bucket: BucketHistory, keyId: string, report: SiblingReport, restoredFrom?: string, stamp?: number): void {
    const horizon = this.#store.storedHorizon(keyId);
    const pastHorizon = horizon !== undefined && report.supersededAt !== undefined && report.supersededAt <= horizon;
    // A sibling the history does not keep, superseded at or below the stored horizon, answers no read: it is not
    // kept (and a stored entry of it read back at restart goes, or it would stay in storage unmirrored, never
    // deleted, read back and skipped at every restart). A sibling it keeps must still learn that it was
    // superseded, however early: skipped, it would stay live and show in reads of the past after its supersession.
    if (pastHorizon && !bucket.history.keeps(keyId, report)) {
      if (restoredFrom !== undefined) this.#store.delete(restoredFrom);
      return;
    }
    const stored = this.#store.track(bucket, keyId);
    const outcome = bucket.history.observe(keyId, report);
    if (outcome === "duplicate") return;
    if (outcome === "added" || outcome === "updated") {
      this.stats.siblingsRecorded++;
      // The entry is the history's own join of the dot's reports; its key is the dot's (or the one read back).
      const version = bucket.history.version(keyId, report) as SiblingVersion;
      // Live at its stamp, the record gives it back as kept: no entry (one with an entry never is: module comment).
      if (version.supersededAt !== undefined || version.at !== stamp) {
        const storageKey = restoredFrom ?? this.#store.entryKey(keyId, report.replica, report.counter);
        this.#store.mirror(
          keyId,
          stored,
          { id: dotKey(report), storageKey, version },
          outcome === "added" ? undefined : sameDot,
        );
        // On restore the entry is already there, as it is (unless it joined one read before it: then rewrite).
        if (restoredFrom === undefined || outcome === "updated") this.#store.put(storageKey, encodeSibling(version));
      }
    }
    // Storage changes beyond the entry above only when the history dropped something (a kept sibling's entry goes,
    // and the horizon rises with any drop) or gave up on the key (its horizon becomes +∞).
    if (this.#dropped.length === 0 && outcome !== "key-unanswerable") return;
    const dropped = this.#dropped;
    this.#dropped = [];
    if (outcome === "key-unanswerable") this.#sync(bucket, keyId);
    else this.stats.siblingsDropped += this.#store.sync(bucket, keyId, (entry) => !dropped.includes(entry.id));
  }

  /** Deletes the entries of `keyId`'s siblings the history no longer keeps, stores its new horizon; the count. */
  #sync(bucket: BucketHistory, keyId: string): number {
    const dropped = this.#store.sync(bucket, keyId, (entry) => bucket.history.keeps(keyId, entry.version));
    this.stats.siblingsDropped += dropped;
    return dropped;
  }
}

/**
 * The stamp of the write that retired `retired`, among `candidates` (the
 * siblings the change brought): of those with a higher token if any (a fence
 * supersession), the earliest stamped after it, else the latest (at or
 * before it: never visible); `undefined` without candidates.
 */
export function retiredAt(retired: Sibling, candidates: readonly DottedSibling<Sibling>[]): number | undefined {
  const fenced = candidates.filter((c) => c.value.fence > retired.fence);
  const retirers = fenced.length > 0 ? fenced : candidates;
  let after: number | undefined;
  let latest: number | undefined;
  for (const { value } of retirers) {
    if (value.at > retired.at && (after === undefined || value.at < after)) after = value.at;
    if (latest === undefined || value.at > latest) latest = value.at;
  }
  return after ?? latest;
}

/**
 * A coordinator's view of one read at a timestamp of a causal bucket: as
 * read-at.ts (the preference list's primaries, R of them must answer from
 * their history, `HISTORY_TRUNCATED` once R is out of reach), but the
 * answers are sibling sets, merged by union of dots (a sibling one replica
 * has not heard of yet is still a sibling that existed at `at`). The reply
 * holds their values (tombstones left out) and an empty context: a read of
 * the past cannot be written back with.
 */
export class CausalReadAtCoordination extends ReadAtQuorum {
  readonly kind = "causal-read-at";
  readonly #siblings = new Map<string, SiblingAt>();

  /** A replica's answer: its siblings at `at`, or the horizon its history was truncated at, or that it is recovering. */
  answer(from: string, siblings: readonly SiblingAt[] | null, horizon: number | null, recovering = false): void {
    if (!this.admit(from)) return;
    if (recovering) {
      this.recovering();
      return;
    }
    if (horizon !== null || siblings === null) {
      this.truncated(horizon ?? Number.POSITIVE_INFINITY);
      return;
    }
    this.answered();
    for (const s of siblings) {
      const id = dotKey(s);
      const known = this.#siblings.get(id);
      // One dot is one write: replicas agree on it. Should they not, keep one deterministically (record order).
      if (known === undefined || compareValues(s.value, known.value) > 0) this.#siblings.set(id, s);
    }
  }

  /** The reply once decided: the siblings' values, or `HISTORY_TRUNCATED` once R is out of reach; else undefined. */
  outcome(): GetReply | Failure | undefined {
    if (this.decided) {
      const siblings = [...this.#siblings.values()].sort(compareDots);
      const values: Uint8Array[] = [];
      for (const { value } of siblings) if (value !== null) values.push(value);
      return { ok: true, kind: "get", values, context: "" };
    }
    return this.refusal("siblings");
  }
}

/**
 * Whether a change to a key the record answers for leaves it so: it
 * retired nothing (every sibling of the record before and of the incoming
 * one is in the result) and recorded no sibling late (none the record did
 * not hold was stamped at or below a served read).
 */
function onlyAdds(
  before: KvRecord | undefined,
  incoming: KvRecord | undefined,
  after: KvRecord & { kind: "causal" },
  result: readonly DottedSibling<Sibling>[],
  served: ServedReads,
): boolean {
  const held = before?.kind === "causal" ? before : undefined;
  // The common case, a new key's first record: nothing held, nothing else came.
  if (held === undefined && (incoming === undefined || incoming === after)) {
    for (const s of result) if (served.late("causal", s.value.at)) return false;
    return true;
  }
  const kept = new Set(result.map(dotKey));
  for (const source of [held, incoming]) {
    if (source?.kind !== "causal" || source === after) continue;
    for (const s of source.set.siblings()) if (!kept.has(dotKey(s))) return false;
  }
  const own = new Set(held?.set.siblings().map(dotKey));
  for (const s of result) if (!own.has(dotKey(s)) && served.late("causal", s.value.at)) return false;
  return true;
}

/** `counter:replica` is unambiguous: the counter is digits only. */
function dotKey(dot: Dot): string {
  return `${dot.counter}:${dot.replica}`;
}

function reportOf(s: DottedSibling<Sibling>, supersededAt: number | undefined): SiblingVersion {
  const { replica, counter, value } = s;
  return { replica, counter, at: value.at, supersededAt, fence: value.fence, value: value.value };
}

/** The dot of a stored sibling, from its storage key's parts after the key id. */
function dotOf(parts: readonly unknown[]): Dot | undefined {
  const [replica, counter] = parts;
  if (parts.length !== 2 || typeof replica !== "string" || replica === "") return undefined;
  if (typeof counter !== "number" || !Number.isSafeInteger(counter) || counter < 1) return undefined;
  return { replica, counter };
}

const tombstoneTag = 0;
const valueTag = 1;
/** at, supersededAt, fence (f64 each), then the tag. */
const siblingEntryHeaderBytes = 8 * 3 + 1;

function encodeSibling(version: SiblingVersion): Uint8Array {
  const valueBytes = version.value === null ? 0 : version.value.byteLength;
  const bytes = new Uint8Array(siblingEntryHeaderBytes + valueBytes + 4);
  const view = new DataView(bytes.buffer);
  view.setFloat64(0, version.at);
  view.setFloat64(8, version.supersededAt ?? Number.NaN);
  view.setFloat64(16, version.fence);
  bytes[24] = version.value === null ? tombstoneTag : valueTag;
  if (version.value !== null) bytes.set(version.value, siblingEntryHeaderBytes);
  const end = siblingEntryHeaderBytes + valueBytes;
  view.setUint32(end, crc32c(bytes.subarray(0, end)));
  return bytes;
}

function decodeSibling(bytes: Uint8Array): Pick<SiblingReport, "at" | "supersededAt" | "fence" | "value"> | undefined {
  if (bytes.length < siblingEntryHeaderBytes + 4) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length - 4;
  if (view.getUint32(end) !== crc32c(bytes.subarray(0, end))) return undefined;
  const at = view.getFloat64(0);
  const superseded = view.getFloat64(8);
  const fence = view.getFloat64(16);
  const tag = bytes[24];
  if (!Number.isFinite(at) || !(Number.isNaN(superseded) || Number.isFinite(superseded))) return undefined;
  if (!Number.isSafeInteger(fence) || fence < 0) return undefined;
  const supersededAt = Number.isNaN(superseded) ? undefined : superseded;
  if (tag === tombstoneTag && end === siblingEntryHeaderBytes) return { at, supersededAt, fence, value: null };
  if (tag !== valueTag) return undefined;
  return { at, supersededAt, fence, value: bytes.slice(siblingEntryHeaderBytes, end) };
}
