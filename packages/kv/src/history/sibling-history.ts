/**
 * The history of a causal bucket's keys, kept per sibling (issue 5, "in
 * causal mode"): the design in version-history.ts's doc comment, built.
 *
 * A causal key has siblings, not one version at a time. A sibling is named
 * by its dot (replica id, counter: `Sibling` of @skew/vector) and lives from
 * `at`, the timestamp its write was stamped with (the coordinator's HLC),
 * until `supersededAt`, the timestamp of the write that overwrote it (its
 * context covered the dot) or raised the record's fence above its token;
 * `undefined` while it is live. A read at `t` returns the siblings with
 * `at <= t < supersededAt`. A sibling superseded at or before its own `at`
 * (a fenced-off zombie write stamped later than the write that fenced it)
 * was never visible and is in no answer.
 *
 * Reports. Each replica that holds or retires a sibling may report it
 * (`observe`), any number of times and in any order. Two reports of one dot
 * join: the earliest `at` and the earliest `supersededAt` win (a min is a
 * join, so arrival order does not matter), and should they carry different
 * siblings (they cannot, for a dot names one write) the higher token, then
 * the record order's greater value (`compareValues`), is kept.
 *
 * The horizon. A key's horizon is the latest `supersededAt` among its
 * dropped siblings (−∞ while none was dropped). Every dropped sibling was
 * dead from its `supersededAt` on, and a later report can only lower that,
 * so `siblingsAt(key, t)` answers exactly what an unbounded history would
 * for every `t >= horizon`, and below it fails with `HISTORY_TRUNCATED`.
 *
 * Ghosts. A dropped sibling's dot is remembered (a ghost: dot and
 * `supersededAt`, no value), so that a late report of it, which may say it
 * is live (a replica that had not yet heard of the overwrite), is recognised
 * and not resurrected. Ghosts are bounded per key (`ghostsPerKey`); past it
 * the ghost with the lowest `supersededAt` is forgotten and only a
 * per-replica watermark (the highest forgotten counter of each replica; one
 * number per replica that wrote the key, the dotted version vectors' bound)
 * remains. A later report of a dot that is neither kept nor a ghost and lies
 * at or below its replica's watermark is ambiguous: it may be a forgotten
 * sibling or one never seen. If it carries `supersededAt`, it is treated as
 * dropped on arrival (a ghost; the horizon rises to its `supersededAt`),
 * which is exact in both readings. If it says live, no finite horizon is
 * safe (a forgotten sibling is dead, a new one live), so the key's horizon
 * becomes +∞: every read of it fails, definitely, rather than guess. With
 * the default bounds (256 ghosts against 32 superseded siblings) this takes
 * a replica hundreds of overwrites late; the count is in `ambiguousReports`.
 *
 * Garbage collection. The count bound holds at every moment: a key keeps at
 * most `versionsPerKey` superseded siblings; one more drops the one with
 * the lowest `supersededAt` (then `at`, then dot), so the horizon becomes
 * that `supersededAt`, which is at or below every kept superseded sibling's.
 * Live siblings are never dropped (they are the record's current value; the
 * dotted version vector set bounds them). The age bound is explicit:
 * `collect(now)` drops, in up to `collectKeysPerCall` keys (round robin in
 * insertion order), every sibling with `supersededAt <= now - maxAge`, so the
 * horizon stays at or below `now - maxAge` unless the count bound raised it.
 *
 * Order independence, precisely. Without drops, the kept siblings depend
 * only on the set of reports. A drop is decided by the `supersededAt`s known
 * at that moment, and a later report may lower one, so with drops two
 * arrival orders may keep different siblings and horizons; both still answer
 * exactly as the unbounded history does wherever they answer.
 */
import { describeValue, err, ok, type Result } from "@skew/env";
import { historySiblingGhostsPerKeyDefault, historySiblingGhostsPerKeyMax } from "../constants.js";
import { compareValues, type Value } from "../record/record.js";
import {
  checkCount as checkCountIn,
  checkFiniteNumber,
  checkKey as checkKeyIn,
  checkNumber,
  RoundRobinKeys,
  resolveLimits,
} from "./common.js";
import { type CollectReport, HistoryTruncatedError } from "./version-history.js";

/** A sibling's name: the replica that coordinated its write and that replica's event counter. */
export interface Dot {
  readonly replica: string;
  readonly counter: number;
}

/** One replica's report of a sibling: its dot, its lifetime as that replica knows it, and its contents. */
export interface SiblingReport extends Dot {
  /** The timestamp its write was stamped with. */
  readonly at: number;
  /** The timestamp of the write that superseded it; `undefined` while it is live at the reporter. */
  readonly supersededAt?: number | undefined;
  /** The fencing token it was written with (0: none). */
  readonly fence: number;
  /** Its value; `null` for a tombstone. */
  readonly value: Value;
}

/** A sibling as kept: the join of its reports. */
export interface SiblingVersion extends Dot {
  readonly at: number;
  readonly supersededAt: number | undefined;
  readonly fence: number;
  readonly value: Value;
}

/** What `history(key)` shows of a sibling, for the dashboard and for debugging. */
export interface SiblingVersionView extends Dot {
  readonly at: number;
  readonly supersededAt: number | undefined;
  /** The value's length in bytes; 0 for a tombstone. */
  readonly bytes: number;
  readonly tombstone: boolean;
}

/** What became of a report. */
export type ObserveOutcome =
  /** A sibling not known before: kept. */
  | "added"
  /** Joined into the kept sibling and changed it (an earlier `at` or `supersededAt`, or a winning value). */
  | "updated"
  /** Told nothing new. */
  | "duplicate"
  /** Of a dropped sibling (or dropped at once by the count bound, or ambiguous and superseded): kept as a ghost. */
  | "dropped"
  /** Ambiguous and live: discarded, and the key's horizon became +∞. */
  | "key-unanswerable";

export interface SiblingHistoryOptions {
  /** How long after a sibling is superseded it stays answerable, in the bucket clock's units (default: `historyMaxAgeMsDefault`). */
  readonly maxAge?: number;
  /** Superseded siblings kept per key (default: `historyVersionsPerKeyDefault`); live ones are not counted. */
  readonly versionsPerKey?: number;
  /** Dropped dots remembered per key (default: `historySiblingGhostsPerKeyDefault`). */
  readonly ghostsPerKey?: number;
  /** Keys one `collect` call examines (default: `historyCollectKeysPerCallDefault`). */
  readonly collectKeysPerCall?: number;
  /**
   * Told of every sibling the history drops, as it drops it: a kept one (by
   * the count bound or by age), or a report dropped as it arrives (ambiguous
   * and superseded). A key's kept set shrinks, or its finite horizon rises,
   * only with a call of this.
   */
  readonly onDrop?: (key: string, dot: Dot) => void;
}

interface Ghost extends Dot {
  supersededAt: number;
}

interface KeySiblings {
  /** Kept siblings by dot key, in arrival order (outputs are sorted, never in this order). */
  readonly kept: Map<string, SiblingVersion>;
  /**
   * Dropped siblings remembered, by dot key; created by the first drop
   * (most keys never drop one, and an empty Map costs about 200 bytes).
   */
  ghosts: Map<string, Ghost> | undefined;
  /** Per replica, the highest counter of a forgotten ghost; created by the first one forgotten. */
  forgotten: Map<string, number> | undefined;
  horizon: number;
  /** How many of `kept` are superseded: what the count bound counts. */
  superseded: number;
}

/** Siblings as `history(key)` shows them: oldest first (by `at`, then dot). */
export function siblingViews(versions: Iterable<SiblingVersion>): SiblingVersionView[] {
  return [...versions]
    .sort((a, b) => (a.at !== b.at ? (a.at < b.at ? -1 : 1) : compareDots(a, b)))
    .map(({ replica, counter, at, supersededAt, value }) => ({
      replica,
      counter,
      at,
      supersededAt,
      bytes: value === null ? 0 : value.byteLength,
      tombstone: value === null,
    }));
}

/** Dot order: replica id by UTF-16 code units, then counter (the order of @skew/vector's siblings). */
export function compareDots(a: Dot, b: Dot): number {
  if (a.replica !== b.replica) return a.replica < b.replica ? -1 : 1;
  return a.counter - b.counter;
}

/** `counter:replica` is unambiguous: the counter is digits only. */
function dotKey(dot: Dot): string {
  return `${dot.counter}:${dot.replica}`;
}

function supersededOrInfinity(s: SiblingVersion | Ghost): number {
  return s.supersededAt ?? Number.POSITIVE_INFINITY;
}

/** The order in which the count bound drops superseded siblings: lowest `supersededAt`, then `at`, then dot. */
function compareForDrop(a: SiblingVersion, b: SiblingVersion): number {
  const sa = supersededOrInfinity(a);
  const sb = supersededOrInfinity(b);
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return compareDots(a, b);
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

/** True when `t` is in the sibling's lifetime `[at, supersededAt)`. */
function aliveAt(s: SiblingVersion, t: number): boolean {
  return s.at <= t && (s.supersededAt === undefined || t < s.supersededAt);
}

const where = "SiblingHistory";

function checkKey(key: unknown): asserts key is string {
  checkKeyIn(where, key);
}

/** Reported times must be finite: a sibling written or superseded at ±∞ would make the horizon meaningless. */
function checkTime(name: string, value: unknown): asserts value is number {
  checkFiniteNumber(where, name, value);
}

function checkReport(report: SiblingReport): void {
  if (typeof report !== "object" || report === null) throw new TypeError("SiblingHistory: a report must be an object");
  if (typeof report.replica !== "string" || report.replica === "") {
    throw new TypeError("SiblingHistory: a report's replica must be a non-empty string");
  }
  if (!Number.isSafeInteger(report.counter) || report.counter < 1) {
    throw new TypeError(
      `SiblingHistory: a report's counter must be a positive integer, got ${describeValue(report.counter)}`,
    );
  }
  checkTime("a report's at", report.at);
  if (report.supersededAt !== undefined) checkTime("a report's supersededAt", report.supersededAt);
  if (!Number.isSafeInteger(report.fence) || report.fence < 0) {
    throw new TypeError(`SiblingHistory: a report's fence must be an integer >= 0, got ${describeValue(report.fence)}`);
  }
  if (report.value !== null && !(report.value instanceof Uint8Array)) {
    throw new TypeError("SiblingHistory: a report's value must be a Uint8Array or null (a tombstone)");
  }
}

/** The join of a kept sibling and a report of its dot. */
function joinSibling(kept: SiblingVersion, report: SiblingReport): SiblingVersion {
  const contentWins =
    report.fence !== kept.fence ? report.fence > kept.fence : compareValues(report.value, kept.value) > 0;
  return {
    replica: kept.replica,
    counter: kept.counter,
    at: Math.min(kept.at, report.at),
    supersededAt: minDefined(kept.supersededAt, report.supersededAt),
    fence: contentWins ? report.fence : kept.fence,
    value: contentWins ? report.value : kept.value,
  };
}

function sameSibling(a: SiblingVersion, b: SiblingVersion): boolean {
  return (
    a.at === b.at && a.supersededAt === b.supersededAt && a.fence === b.fence && compareValues(a.value, b.value) === 0
  );
}

export class SiblingHistory {
  readonly maxAge: number;
  readonly versionsPerKey: number;
  readonly ghostsPerKey: number;
  readonly collectKeysPerCall: number;
  readonly #keys = new Map<string, KeySiblings>();
  /** The keys in insertion order, for round-robin collection. */
  readonly #order = new RoundRobinKeys();
  #ambiguousReports = 0;
  readonly #onDrop: ((key: string, dot: Dot) => void) | undefined;

  constructor(options: SiblingHistoryOptions = {}) {
    const limits = resolveLimits(where, options);
    this.maxAge = limits.maxAge;
    this.versionsPerKey = limits.versionsPerKey;
    this.collectKeysPerCall = limits.collectKeysPerCall;
    this.ghostsPerKey = options.ghostsPerKey ?? historySiblingGhostsPerKeyDefault;
    this.#onDrop = options.onDrop;
    checkCountIn(where, "ghostsPerKey", this.ghostsPerKey, historySiblingGhostsPerKeyMax);
  }

  /** Keys with a history. */
  get keyCount(): number {
    return this.#order.size;
  }

  /** Ambiguous reports seen (a dot below a forgotten watermark, neither kept nor remembered). */
  get ambiguousReports(): number {
    return this.#ambiguousReports;
  }

  /** Records one replica's report of a sibling of `key`; idempotent, and a join of the reports of one dot. */
  observe(key: string, report: SiblingReport): ObserveOutcome {
    checkKey(key);
    checkReport(report);
    let entry = this.#keys.get(key);
    if (entry === undefined) {
      entry = {
        kept: new Map(),
        ghosts: undefined,
        forgotten: undefined,
        horizon: Number.NEGATIVE_INFINITY,
        superseded: 0,
      };
      this.#keys.set(key, entry);
      this.#order.add(key);
    }
    const id = dotKey(report);
    const ghost = entry.ghosts?.get(id);
    if (ghost !== undefined) {
      // Dropped already; a lower supersededAt only makes it deader. The horizon stays: it is still safe.
      ghost.supersededAt = Math.min(ghost.supersededAt, report.supersededAt ?? Number.POSITIVE_INFINITY);
      return "dropped";
    }
    const kept = entry.kept.get(id);
    if (kept !== undefined) {
      const joined = joinSibling(kept, report);
      if (sameSibling(joined, kept)) return "duplicate";
      entry.kept.set(id, joined);
      if (kept.supersededAt === undefined && joined.supersededAt !== undefined) entry.superseded++;
      return this.#enforceCount(key, entry, id) ? "dropped" : "updated";
    }
    if (report.counter <= (entry.forgotten?.get(report.replica) ?? 0)) {
      this.#ambiguousReports++;
      if (report.supersededAt === undefined) {
        entry.horizon = Number.POSITIVE_INFINITY;
        return "key-unanswerable";
      }
      this.#drop(key, entry, { replica: report.replica, counter: report.counter, supersededAt: report.supersededAt });
      return "dropped";
    }
    entry.kept.set(id, {
      replica: report.replica,
      counter: report.counter,
      at: report.at,
      supersededAt: report.supersededAt,
      fence: report.fence,
      value: report.value,
    });
    if (report.supersededAt !== undefined) entry.superseded++;
    return this.#enforceCount(key, entry, id) ? "dropped" : "added";
  }

  /**
   * The siblings of `key` that existed at `t` (`at <= t < supersededAt`), in
   * dot order (empty: provably none), or `HISTORY_TRUNCATED` when `t` is below
   * the key's horizon.
   */
  siblingsAt(key: string, t: number): Result<SiblingVersion[], HistoryTruncatedError> {
    checkKey(key);
    checkNumber(where, "a read's time", t);
    const entry = this.#keys.get(key);
    if (entry === undefined) return ok([]);
    if (t < entry.horizon) return err(new HistoryTruncatedError(key, t, entry.horizon));
    const found: SiblingVersion[] = [];
    for (const s of entry.kept.values()) if (aliveAt(s, t)) found.push(s);
    return ok(found.sort(compareDots));
  }

  /** Whether `key` has a history here: a report of it was observed (a key, once there, stays). */
  has(key: string): boolean {
    checkKey(key);
    return this.#keys.has(key);
  }

  /** The earliest time a read of `key` can be answered at: −∞ while nothing of it was dropped, +∞ after an ambiguous live report. */
  horizon(key: string): number {
    checkKey(key);
    return this.#keys.get(key)?.horizon ?? Number.NEGATIVE_INFINITY;
  }

  /** The sibling `dot` of `key` as kept (the join of its reports), or undefined when it is not kept. */
  version(key: string, dot: Dot): SiblingVersion | undefined {
    checkKey(key);
    return this.#keys.get(key)?.kept.get(dotKey(dot));
  }

  /** Whether the sibling `dot` of `key` is kept (neither dropped nor never seen). */
  keeps(key: string, dot: Dot): boolean {
    checkKey(key);
    return this.#keys.get(key)?.kept.has(dotKey(dot)) ?? false;
  }

  /** The siblings of `key` kept, oldest first (by `at`, then dot). */
  history(key: string): SiblingVersionView[] {
    checkKey(key);
    const entry = this.#keys.get(key);
    return entry === undefined ? [] : siblingViews(entry.kept.values());
  }

  /** How many dropped dots of `key` are remembered as ghosts (for tests and debugging). */
  ghostCount(key: string): number {
    checkKey(key);
    return this.#keys.get(key)?.ghosts?.size ?? 0;
  }

  /**
   * Drops, in up to `collectKeysPerCall` keys (round robin), every sibling
   * superseded at or before `now - maxAge`. `now` is in the bucket clock's
   * units; a `now` that goes back only drops less.
   */
  collect(now: number): CollectReport {
    checkTime("now", now);
    const cutoff = now - this.maxAge;
    const visited = this.#order.next(this.collectKeysPerCall);
    let versionsDropped = 0;
    for (const key of visited) {
      const entry = this.#keys.get(key) as KeySiblings;
      // Collected first, dropped in a fixed order, so that the ghosts forgotten do not depend on arrival order.
      const old = [...entry.kept.values()].filter((s) => s.supersededAt !== undefined && s.supersededAt <= cutoff);
      for (const s of old.sort(compareForDrop)) {
        this.#dropKept(key, entry, s);
        versionsDropped++;
      }
    }
    return { keysVisited: visited.length, versionsDropped };
  }

  /**
   * Drops superseded siblings past `versionsPerKey`, lowest `supersededAt`
   * first. Returns true when the sibling `id` was among them.
   */
  #enforceCount(key: string, entry: KeySiblings, id: string): boolean {
    let droppedIt = false;
    while (entry.superseded > this.versionsPerKey) {
      let victim: SiblingVersion | undefined;
      for (const s of entry.kept.values()) {
        if (s.supersededAt !== undefined && (victim === undefined || compareForDrop(s, victim) < 0)) victim = s;
      }
      if (this.#dropKept(key, entry, victim as SiblingVersion) === id) droppedIt = true;
    }
    return droppedIt;
  }

  /** Drops the kept superseded sibling `s`; its dot key. */
  #dropKept(key: string, entry: KeySiblings, s: SiblingVersion): string {
    const id = dotKey(s);
    entry.kept.delete(id);
    entry.superseded--;
    this.#drop(key, entry, { replica: s.replica, counter: s.counter, supersededAt: s.supersededAt as number });
    return id;
  }

  /** Remembers a dropped sibling as a ghost, raises the horizon, and forgets the oldest ghost past the bound. */
  #drop(key: string, entry: KeySiblings, ghost: Ghost): void {
    entry.horizon = Math.max(entry.horizon, ghost.supersededAt);
    this.#onDrop?.(key, ghost);
    entry.ghosts ??= new Map();
    const ghosts = entry.ghosts;
    ghosts.set(dotKey(ghost), ghost);
    if (ghosts.size <= this.ghostsPerKey) return;
    let oldest: Ghost | undefined;
    for (const g of ghosts.values()) {
      if (
        oldest === undefined ||
        g.supersededAt < oldest.supersededAt ||
        (g.supersededAt === oldest.supersededAt && compareDots(g, oldest) < 0)
      ) {
        oldest = g;
      }
    }
    const o = oldest as Ghost;
    ghosts.delete(dotKey(o));
    entry.forgotten ??= new Map();
    const forgotten = entry.forgotten;
    forgotten.set(o.replica, Math.max(forgotten.get(o.replica) ?? 0, o.counter));
  }
}
