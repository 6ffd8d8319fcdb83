/**
 * The bounded multi-version history, against an oracle that keeps every
 * version forever: whenever the history answers, it answers what the oracle
 * does; below a key's horizon it refuses, definitely; arrival order and
 * duplicates do not matter; collection never changes an answerable read and
 * leaves the bounds holding.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { historyVersionsPerKeyMax } from "../../src/constants.js";
import {
  compareVersions,
  type Version,
  VersionHistory,
  type VersionHistoryOptions,
  type VersionView,
} from "../../src/history/index.js";
import { compareValues } from "../../src/record/index.js";
import { answers, arrivalOrdersArb, expectExactOrTruncated, expectOrderIndependent, opArb, sweep } from "./support.js";

const keys = ["a", "b", "c"] as const;
/** Timestamps from a small range, so that ties (same at, different node; same at and node) are frequent. */
const atMax = 30;
const readTimes = Array.from({ length: atMax + 4 }, (_, i) => i - 2);

const valueArb = fc.option(fc.uint8Array({ maxLength: 3, max: 2 }), { nil: null });
const versionArb: fc.Arbitrary<Version> = fc.record({
  at: fc.integer({ min: 0, max: atMax }),
  node: fc.constantFrom("n1", "n2", "n3"),
  value: valueArb,
});
const keyedVersionArb = fc.tuple(fc.constantFrom(...keys), versionArb);

const optionsArb: fc.Arbitrary<VersionHistoryOptions> = fc.record({
  maxAge: fc.integer({ min: 0, max: 12 }),
  versionsPerKey: fc.integer({ min: 1, max: 5 }),
  collectKeysPerCall: fc.integer({ min: 1, max: 3 }),
});

const insertOrCollectArb = opArb(keyedVersionArb, atMax + 12, 4);

/** Every version ever inserted, one per (at, node): the one the record order ranks highest. */
class Oracle {
  readonly #versions = new Map<string, Version[]>();

  insert(key: string, version: Version): void {
    const list = this.#versions.get(key) ?? [];
    const same = list.findIndex((v) => compareVersions(v, version) === 0);
    if (same === -1) list.push(version);
    else if (compareValues(version.value, (list[same] as Version).value) > 0) list[same] = version;
    this.#versions.set(key, list);
  }

  /** The newest version at or before `at`, or undefined. */
  at(key: string, at: number): Version | undefined {
    let best: Version | undefined;
    for (const v of this.#versions.get(key) ?? []) {
      if (v.at <= at && (best === undefined || compareVersions(v, best) > 0)) best = v;
    }
    return best;
  }
}

/** Every read of every key at every time in range, as comparable data. */
function reads(history: VersionHistory): unknown[] {
  return answers(keys, readTimes, (key, t) => history.versionAt(key, t));
}

describe("VersionHistory", () => {
  it("answers what an unbounded history answers whenever it answers, and refuses exactly below the horizon", () => {
    let refusedTotal = 0;
    let answeredTotal = 0;
    fc.assert(
      fc.property(optionsArb, fc.array(insertOrCollectArb, { maxLength: 40 }), (options, ops) => {
        const history = new VersionHistory(options);
        const oracle = new Oracle();
        const horizons = new Map<string, number>();
        let refused = 0;
        let answered = 0;
        for (const op of ops) {
          if (op.kind === "write") {
            history.insert(op.key, op.write);
            oracle.insert(op.key, op.write);
          } else {
            history.collect(op.now);
          }
          for (const key of keys) {
            const horizon = history.horizon(key);
            // The horizon only rises: a read that became unanswerable never becomes answerable with a guess.
            expect(horizon).toBeGreaterThanOrEqual(horizons.get(key) ?? Number.NEGATIVE_INFINITY);
            horizons.set(key, horizon);
            expect(history.history(key).length).toBeLessThanOrEqual(history.versionsPerKey);
            expect(history.versionCountOf(key)).toBe(history.history(key).length);
            for (const t of readTimes) {
              if (expectExactOrTruncated(history.versionAt(key, t), key, t, horizon, oracle.at(key, t))) answered++;
              else refused++;
            }
          }
        }
        // Reads from the newest kept version on are always answerable.
        for (const key of keys) {
          const kept = history.history(key);
          const newest = kept[kept.length - 1];
          if (newest !== undefined) expect(history.versionAt(key, newest.at).ok).toBe(true);
        }
        refusedTotal += refused;
        answeredTotal += answered;
      }),
      { numRuns: 200 },
    );
    // The generator exercises both sides of the horizon, or the law above would be vacuous.
    expect(refusedTotal).toBeGreaterThan(0);
    expect(answeredTotal).toBeGreaterThan(0);
  });

  it("drops only its oldest versions: what left a key orders before oldest(key), what is kept does not", () => {
    // node/lww-history.ts deletes a key's stored versions by this law alone (an entry is kept iff it does not
    // order before the oldest version kept), so it must hold after any mix of inserts, count-bound drops and collects.
    let droppedTotal = 0;
    fc.assert(
      fc.property(optionsArb, fc.array(insertOrCollectArb, { maxLength: 40 }), (options, ops) => {
        const history = new VersionHistory(options);
        const everKept = new Map<string, Pick<Version, "at" | "node">[]>();
        for (const op of ops) {
          if (op.kind === "write") history.insert(op.key, op.write);
          else history.collect(op.now);
          for (const key of keys) {
            const kept = history.history(key);
            const oldest = history.oldest(key);
            expect(oldest === undefined ? undefined : { at: oldest.at, node: oldest.node }).toEqual(
              kept[0] === undefined ? undefined : { at: kept[0].at, node: kept[0].node },
            );
            const seen = everKept.get(key) ?? [];
            for (const v of kept) if (!seen.some((s) => compareVersions(s, v) === 0)) seen.push(v);
            everKept.set(key, seen);
            for (const v of seen) {
              const stillKept = kept.some((k) => compareVersions(k, v) === 0);
              const notOlder = oldest !== undefined && compareVersions(v, oldest) >= 0;
              expect(notOlder).toBe(stillKept);
              if (!stillKept) droppedTotal++;
            }
          }
        }
      }),
      { numRuns: 200 },
    );
    // Versions were dropped along the way, or the law above would be vacuous.
    expect(droppedTotal).toBeGreaterThan(0);
  });

  it("keeps the same history whatever the arrival order and however many duplicates", () => {
    const arb = arrivalOrdersArb(optionsArb, keyedVersionArb, 30);
    fc.assert(
      fc.property(arb, fc.integer({ min: 0, max: atMax + 12 }), ([options, ...orders], now) => {
        const make = () => new VersionHistory(options);
        expectOrderIndependent(make, (h, [key, version]) => h.insert(key, version), reads, keys, orders, now);
      }),
      { numRuns: 200 },
    );
  });

  it("never changes the answer of a read at or after the horizon when it collects, and leaves the bounds holding", () => {
    fc.assert(
      fc.property(
        optionsArb,
        fc.array(keyedVersionArb, { maxLength: 40 }),
        fc.integer({ min: 0, max: atMax + 12 }),
        (options, inserts, now) => {
          const history = new VersionHistory(options);
          for (const [key, version] of inserts) history.insert(key, version);
          const before = new Map(keys.map((key) => [key, readTimes.map((t) => history.versionAt(key, t))] as const));
          sweep(history, now);
          const cutoff = now - history.maxAge;
          for (const key of keys) {
            const horizon = history.horizon(key);
            const reads = before.get(key) ?? [];
            readTimes.forEach((t, i) => {
              if (t >= horizon) expect(history.versionAt(key, t)).toEqual(reads[i]);
            });
            // A read at the cutoff that worked before still works: the newest version at or before it is kept.
            const atCutoff = history.versionAt(key, cutoff);
            const atCutoffBefore = readTimes.indexOf(cutoff);
            if (atCutoffBefore !== -1 && reads[atCutoffBefore]?.ok) expect(atCutoff).toEqual(reads[atCutoffBefore]);
            // Bounds: the count, and at most one version at or before the cutoff.
            const kept = history.history(key);
            expect(kept.length).toBeLessThanOrEqual(history.versionsPerKey);
            expect(kept.filter((v) => v.at <= cutoff).length).toBeLessThanOrEqual(1);
            // Oldest first, strictly ordered.
            for (let i = 1; i < kept.length; i++) {
              const a = kept[i - 1] as VersionView;
              const b = kept[i] as VersionView;
              expect(a.at < b.at || (a.at === b.at && a.node < b.node)).toBe(true);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("bounds a collect call's work to collectKeysPerCall keys, round robin", () => {
    const history = new VersionHistory({ maxAge: 10, versionsPerKey: 8, collectKeysPerCall: 2 });
    for (const key of ["k1", "k2", "k3", "k4", "k5"]) {
      for (const at of [1, 2, 3]) history.insert(key, { at, node: "n1", value: null });
    }
    // At now = 13 the cutoff is 3: each key drops its versions at 1 and 2, two keys per call.
    expect(history.collect(13)).toEqual({ keysVisited: 2, versionsDropped: 4 });
    expect(history.collect(13)).toEqual({ keysVisited: 2, versionsDropped: 4 });
    expect(history.collect(13)).toEqual({ keysVisited: 2, versionsDropped: 2 }); // k5, then k1 again
    expect(history.versionCount).toBe(5);
    expect(history.horizon("k3")).toBe(3);
  });

  it("describes its versions for the dashboard, and fails a read below the horizon with the horizon in it", () => {
    const history = new VersionHistory({ maxAge: 100, versionsPerKey: 2 });
    expect(history.insert("x", { at: 20, node: "n2", value: new Uint8Array([1, 2, 3]) })).toBe("added");
    expect(history.insert("x", { at: 10, node: "n1", value: new Uint8Array([9]) })).toBe("added");
    expect(history.versionAt("x", 5)).toEqual({ ok: true, value: undefined }); // nothing dropped: provably absent
    expect(history.insert("x", { at: 30, node: "n1", value: null })).toBe("added"); // drops the version at 10
    expect(history.insert("x", { at: 15, node: "n3", value: null })).toBe("below-horizon"); // late, below it
    expect(history.history("x")).toEqual([
      { at: 20, node: "n2", bytes: 3, tombstone: false },
      { at: 30, node: "n1", bytes: 0, tombstone: true },
    ]);
    const below = history.versionAt("x", 19);
    expect(below.ok).toBe(false);
    if (!below.ok) {
      expect(below.error.code).toBe("HISTORY_TRUNCATED");
      expect(below.error.horizon).toBe(20);
      expect(below.error.message).toContain("horizon 20");
    }
    expect(history.versionAt("x", 31)).toEqual({ ok: true, value: { at: 30, node: "n1", value: null } });
    expect(history.versionAt("never", 0)).toEqual({ ok: true, value: undefined });
    expect(history.history("never")).toEqual([]);
    expect([history.has("x"), history.has("never")]).toEqual([true, false]);
  });

  it("keeps the record order's winner under one identity, whichever arrives first", () => {
    const value = { at: 7, node: "n1", value: new Uint8Array([5]) };
    const tombstone = { at: 7, node: "n1", value: null };
    const one = new VersionHistory();
    const two = new VersionHistory();
    expect([one.insert("k", value), one.insert("k", tombstone), one.insert("k", value)]).toEqual([
      "added",
      "replaced",
      "duplicate",
    ]);
    expect([two.insert("k", tombstone), two.insert("k", value)]).toEqual(["added", "duplicate"]);
    expect(one.history("k")).toEqual(two.history("k"));
    expect(one.history("k")).toEqual([{ at: 7, node: "n1", bytes: 0, tombstone: true }]);
  });

  it("refuses bad input with TypeError and RangeError, leaving the history unchanged", () => {
    const history = new VersionHistory();
    history.insert("k", { at: 1, node: "n1", value: null });
    const bad = [
      () => history.insert("k", { at: Number.NaN, node: "n1", value: null }),
      () => history.insert("k", { at: 2, node: "", value: null }),
      () => history.insert("k", { at: 2, node: "n1", value: "v" as unknown as Uint8Array }),
      () => history.insert(3 as unknown as string, { at: 2, node: "n1", value: null }),
      () => history.versionAt("k", Number.NaN),
      () => history.collect(Number.NaN),
    ];
    for (const call of bad) expect(call).toThrow(TypeError);
    expect(() => new VersionHistory({ versionsPerKey: 0 })).toThrow(RangeError);
    expect(() => new VersionHistory({ versionsPerKey: historyVersionsPerKeyMax + 1 })).toThrow(RangeError);
    expect(() => new VersionHistory({ collectKeysPerCall: 1.5 })).toThrow(RangeError);
    expect(() => new VersionHistory({ maxAge: -1 })).toThrow(RangeError);
    for (const bad of [{ toString: 0 }, Object.create(null), Symbol()] as never[]) {
      expect(() => history.versionAt("k", bad)).toThrow(/^VersionHistory: at must be a number, got an? \w+$/);
      expect(() => new VersionHistory({ maxAge: bad })).toThrow(/^VersionHistory: maxAge .*, got an? \w+$/);
      expect(() => new VersionHistory({ versionsPerKey: bad })).toThrow(
        /^VersionHistory: versionsPerKey .*, got an? \w+$/,
      );
    }
    expect(history.history("k")).toEqual([{ at: 1, node: "n1", bytes: 0, tombstone: true }]);
    expect(history.keyCount).toBe(1);
  });
});
