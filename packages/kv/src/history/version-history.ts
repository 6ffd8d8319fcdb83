/**
 * A bounded multi-version history of one replica's keys (issue 5's first
 * increment): every version a replica accepted, kept in timestamp order, so
 * that a read "as of `at`" can be answered after newer writes landed.
 *
 * Versions are ordered by (at, node): `at` is the write's timestamp in the
 * bucket's clock (a packed HLC timestamp, TrueTime's `latest`, wall ms or a
 * Lamport counter; the history only compares numbers) and the writer's node
 * id breaks ties by UTF-16 code units, as `compareStamps` does. Insertion
 * may come in any order (replication, hinted handoff and repair deliver old
 * versions late) and any number of times: a version is identified by (at,
 * node), so a duplicate is a no-op, and two different versions under one
 * identity (one coordinator, one wall millisecond, two writes) keep the one
 * the record order keeps (a tombstone above a value, then the larger value:
 * `compareValues`), whichever came first. The kept history therefore depends
 * only on the set of versions inserted and the `collect` calls made, not on
 * the order of arrival.
 *
 * The horizon. Version v_i (in order) is the answer to a read at every `t`
 * from v_i.at until v_{i+1}.at; once v_1..v_j are dropped, a read at
 * `t < v_{j+1}.at` might have needed one of them. So a key's horizon is the
 * timestamp of its oldest kept version, once anything of the key was dropped
 * (−∞ while nothing was): `versionAt(key, t)` answers exactly (the same as an
 * unbounded history would) for every `t >= horizon`, and below it fails with
 * `HISTORY_TRUNCATED` carrying the horizon, never a guess. "Absent" (no
 * version at or before `t`) is answered only when it is provable: nothing of
 * the key was dropped. A late version that orders below the oldest kept one
 * of a truncated key is discarded on arrival: it cannot be the answer at or
 * after the horizon, and keeping it would pretend to a coverage the history
 * no longer has.
 *
 * What "absent" cannot know: a version still on its way from another replica.
 * That is the snapshot layer's safe time (issue 5: wait until every replica
 * of the quorum has passed `at`), not this module's.
 *
 * Garbage collection. The count bound (`versionsPerKey`) holds at every
 * moment: an insert that makes a key exceed it drops the key's oldest
 * version. The age bound is explicit: `collect(now)` drops, for each key it
 * visits, every version older than the newest one at or before
 * `now - maxAge`, keeping that one so that a read at `now - maxAge` still
 * works (after it, the horizon is at most `now - maxAge`). One call visits
 * at most `collectKeysPerCall` keys, round robin in insertion order, so its
 * work is bounded by keys x versions per key; a sweep of all keys takes
 * ceil(keys / collectKeysPerCall) calls. A key keeps at least one version
 * forever (removing a key whose only version is an old tombstone is the
 * tombstone GC's decision, src/node/tombstones.ts, not wired here).
 *
 * Fencing is not part of the order: a last-write-wins stamp puts the fencing
 * token above the time, so a replica's current value can be a version with a
 * lower `at` than a fenced-off one. The node (when wiring this in) should
 * insert only versions that won their merge at acceptance; a zombie's
 * version that a fence later overrides stays in the history at its `at`.
 *
 * Causal mode (built in sibling-history.ts as `SiblingHistory`, which adds
 * ghosts: remembered dots of dropped siblings, so a late report does not
 * resurrect one). A causal key has siblings, not one version at a time; its
 * history is kept per sibling.
 * A sibling version is (dot, at, node, value, supersededAt): it exists from
 * its write's timestamp `at` until `supersededAt`, the timestamp of the
 * first write whose context covered its dot (or the write that raised the
 * record's fence above the sibling's token), undefined while it is live. A
 * snapshot at `t` returns the siblings with `at <= t < supersededAt`. A
 * sibling is dropped by age when `supersededAt <= now - maxAge`, and the
 * key's horizon becomes the greatest `supersededAt` of the dropped ones:
 * every dropped sibling was dead from then on, so reads at or after it are
 * exact; below it they fail with `HISTORY_TRUNCATED`. `supersededAt` is
 * recorded when a merge retires a dot (`sync`/`retain` in @skew/vector) and
 * is taken as the minimum over the replicas' reports, which keeps insertion
 * order irrelevant (a min is a join). The count bound drops the siblings
 * with the lowest `supersededAt` first, never a live one.
 */
import { err, ok, type Result, SkewError } from "@skew/env";
import { compareValues, type Value } from "../record/record.js";
import { checkKey as checkKeyIn, checkNumber, RoundRobinKeys, resolveLimits } from "./common.js";

/** One version of a key: the write's timestamp, its writer, and its value (`null`: a tombstone). */
export interface Version {
  readonly at: number;
  readonly node: string;
  readonly value: Value;
}

/** What `history(key)` shows of a version, for the dashboard and for debugging. */
export interface VersionView {
  readonly at: number;
  readonly node: string;
  /** The value's length in bytes; 0 for a tombstone. */
  readonly bytes: number;
  readonly tombstone: boolean;
}

/** A version as `history(key)` shows it. */
export function versionView({ at, node, value }: Version): VersionView {
  return { at, node, bytes: value === null ? 0 : value.byteLength, tombstone: value === null };
}

/** What became of an inserted version. */
export type InsertOutcome =
  /** Kept. */
  | "added"
  /** The same version (or one the record order ranks above it under the same identity) was already kept. */
  | "duplicate"
  /** Replaced the version kept under the same (at, node): it ranks above it in the record order. */
  | "replaced"
  /** Ordered below the key's horizon (or pushed out by the count bound at once): irrelevant to every answerable read. */
  | "below-horizon";

export interface VersionHistoryOptions {
  /** How long after a version is superseded it stays answerable, in the bucket clock's units (default: `historyMaxAgeMsDefault`). */
  readonly maxAge?: number;
  /** Versions kept per key, the newest (default: `historyVersionsPerKeyDefault`). */
  readonly versionsPerKey?: number;
  /** Keys one `collect` call examines (default: `historyCollectKeysPerCallDefault`). */
  readonly collectKeysPerCall?: number;
}

export interface CollectReport {
  readonly keysVisited: number;
  readonly versionsDropped: number;
}

/** A read below a key's horizon: the versions that would answer it were dropped. A definite failure. */
export class HistoryTruncatedError extends SkewError<"HISTORY_TRUNCATED"> {
  override name = "HistoryTruncatedError";

  constructor(
    readonly key: string,
    readonly at: number,
    readonly horizon: number,
  ) {
    super(
      "HISTORY_TRUNCATED",
      `the history of key ${JSON.stringify(key)} was truncated: a read at ${at} is below its horizon ${horizon}`,
    );
  }
}

/** Negative, zero or positive as `a` orders before, with or after `b`: timestamp, then writer node id. */
export function compareVersions(a: Pick<Version, "at" | "node">, b: Pick<Version, "at" | "node">): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  if (a.node !== b.node) return a.node < b.node ? -1 : 1;
  return 0;
}

interface KeyHistory {
  /** Ascending by `compareVersions`, no two with the same (at, node), never empty. */
  readonly versions: Version[];
  /** Something of this key was dropped: reads below `versions[0].at` cannot be answered. */
  truncated: boolean;
}

const where = "VersionHistory";

function checkTime(name: string, value: unknown): asserts value is number {
  checkNumber(where, name, value);
}

function checkKey(key: unknown): asserts key is string {
  checkKeyIn(where, key);
}

/** The first index whose version orders at or after `version` (binary search). */
function lowerBound(versions: readonly Version[], version: Version): number {
  let lo = 0;
  let hi = versions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareVersions(versions[mid] as Version, version) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The number of versions with `at <= t` (they form a prefix). */
function countAtOrBefore(versions: readonly Version[], t: number): number {
  let lo = 0;
  let hi = versions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((versions[mid] as Version).at <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class VersionHistory {
  readonly maxAge: number;
  readonly versionsPerKey: number;
  readonly collectKeysPerCall: number;
  readonly #keys = new Map<string, KeyHistory>();
  /** The keys in insertion order, for round-robin collection. */
  readonly #order = new RoundRobinKeys();

  constructor(options: VersionHistoryOptions = {}) {
    const limits = resolveLimits(where, options);
    this.maxAge = limits.maxAge;
    this.versionsPerKey = limits.versionsPerKey;
    this.collectKeysPerCall = limits.collectKeysPerCall;
  }

  /** Keys with a history. */
  get keyCount(): number {
    return this.#order.size;
  }

  /** Versions kept over all keys (O(keys)). */
  get versionCount(): number {
    let n = 0;
    for (const entry of this.#keys.values()) n += entry.versions.length;
    return n;
  }

  /** Records a version of `key`; idempotent, and indifferent to arrival order. */
  insert(key: string, version: Version): InsertOutcome {
    checkKey(key);
    checkTime("a version's at", version?.at);
    if (typeof version.node !== "string" || version.node === "") {
      throw new TypeError("VersionHistory: a version's node must be a non-empty string");
    }
    if (version.value !== null && !(version.value instanceof Uint8Array)) {
      throw new TypeError("VersionHistory: a version's value must be a Uint8Array or null (a tombstone)");
    }
    const kept: Version = { at: version.at, node: version.node, value: version.value };
    const entry = this.#keys.get(key);
    if (entry === undefined) {
      // An array of exactly one: an empty array grown by `splice` reserves 17 slots, 128 bytes more for every key.
      this.#keys.set(key, { versions: [kept], truncated: false });
      this.#order.add(key);
      return "added";
    }
    const { versions } = entry;
    const index = lowerBound(versions, kept);
    const existing = versions[index];
    if (existing !== undefined && compareVersions(existing, kept) === 0) {
      if (compareValues(kept.value, existing.value) <= 0) return "duplicate";
      versions[index] = kept;
      return "replaced";
    }
    if (entry.truncated && index === 0) return "below-horizon";
    versions.splice(index, 0, kept);
    if (versions.length > this.versionsPerKey) {
      versions.shift();
      entry.truncated = true;
      if (index === 0) return "below-horizon";
    }
    return "added";
  }

  /**
   * The newest version of `key` at or before `at` (`undefined`: provably
   * none, a tombstone is returned as a version), or `HISTORY_TRUNCATED` when
   * `at` is below the key's horizon.
   */
  versionAt(key: string, at: number): Result<Version | undefined, HistoryTruncatedError> {
    checkKey(key);
    checkTime("at", at);
    const entry = this.#keys.get(key);
    if (entry === undefined) return ok(undefined);
    const horizon = this.#horizonOf(entry);
    if (at < horizon) return err(new HistoryTruncatedError(key, at, horizon));
    const n = countAtOrBefore(entry.versions, at);
    return ok(n === 0 ? undefined : entry.versions[n - 1]);
  }

  /** The earliest time a read of `key` can be answered at: −∞ while nothing of it was dropped. */
  horizon(key: string): number {
    checkKey(key);
    const entry = this.#keys.get(key);
    return entry === undefined ? Number.NEGATIVE_INFINITY : this.#horizonOf(entry);
  }

  /** How many versions of `key` are kept (0 for a key it never saw): `history(key).length` without the copy. */
  versionCountOf(key: string): number {
    checkKey(key);
    return this.#keys.get(key)?.versions.length ?? 0;
  }

  /**
   * The oldest version of `key` kept, undefined for a key it never saw. Every
   * drop (the count bound in `insert`, age in `collect`) removes the oldest
   * versions, and once one was dropped nothing older gets in: so every
   * version that ever left the key orders before this one, and every version
   * from it on that was ever kept still is.
   */
  oldest(key: string): Version | undefined {
    checkKey(key);
    return this.#keys.get(key)?.versions[0];
  }

  /** The versions of `key` kept, oldest first. */
  /** Whether `key` has a history here: a version of it was inserted (a key, once there, stays). */
  has(key: string): boolean {
    checkKey(key);
    return this.#keys.has(key);
  }

  history(key: string): VersionView[] {
    checkKey(key);
    return this.#keys.get(key)?.versions.map(versionView) ?? [];
  }

  /**
   * Drops, in up to `collectKeysPerCall` keys (round robin), every version
   * older than the newest one at or before `now - maxAge`. `now` is in the
   * bucket clock's units; a `now` that goes back only drops less.
   */
  collect(now: number): CollectReport {
    checkTime("now", now);
    const cutoff = now - this.maxAge;
    const visited = this.#order.next(this.collectKeysPerCall);
    let versionsDropped = 0;
    for (const key of visited) {
      const entry = this.#keys.get(key) as KeyHistory;
      // Keep the newest version at or before the cutoff: it answers reads from the cutoff on.
      const drop = countAtOrBefore(entry.versions, cutoff) - 1;
      if (drop > 0) {
        entry.versions.splice(0, drop);
        entry.truncated = true;
        versionsDropped += drop;
      }
    }
    return { keysVisited: visited.length, versionsDropped };
  }

  #horizonOf(entry: KeyHistory): number {
    return entry.truncated ? (entry.versions[0] as Version).at : Number.NEGATIVE_INFINITY;
  }
}
