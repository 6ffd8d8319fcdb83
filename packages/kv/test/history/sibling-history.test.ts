/**
 * The per-sibling history of causal keys, against an oracle that keeps every
 * report forever: whenever the history answers, it answers what the oracle
 * does; below a key's horizon it refuses, definitely; arrival order and
 * duplicates do not matter; collection never changes an answerable read and
 * leaves the bounds holding; live siblings are never dropped.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { historySiblingGhostsPerKeyMax, historyVersionsPerKeyMax } from "../../src/constants.js";
import {
  SiblingHistory,
  type SiblingHistoryOptions,
  type SiblingReport,
  type SiblingVersion,
} from "../../src/history/index.js";
import { compareValues } from "../../src/record/index.js";
import { answers, arrivalOrdersArb, expectExactOrTruncated, expectOrderIndependent, opArb, sweep } from "./support.js";

const keys = ["a", "b"] as const;
/** Small ranges, so that one dot is reported often, with different times, and ties are frequent. */
const atMax = 30;
const readTimes = Array.from({ length: atMax + 20 }, (_, i) => i - 2);

const valueArb = fc.option(fc.uint8Array({ maxLength: 2, max: 2 }), { nil: null });
const reportArb: fc.Arbitrary<SiblingReport> = fc.record({
  replica: fc.constantFrom("r1", "r2", "r3"),
  counter: fc.integer({ min: 1, max: 4 }),
  at: fc.integer({ min: 0, max: atMax }),
  // Usually after `at`, sometimes not (a fenced-off zombie); often live.
  supersededAt: fc.option(fc.integer({ min: 0, max: atMax + 15 }), { nil: undefined, freq: 3 }),
  fence: fc.integer({ min: 0, max: 2 }),
  value: valueArb,
});
const keyedReportArb = fc.tuple(fc.constantFrom(...keys), reportArb);

const smallOptionsArb: fc.Arbitrary<SiblingHistoryOptions> = fc.record({
  maxAge: fc.integer({ min: 0, max: 12 }),
  versionsPerKey: fc.integer({ min: 1, max: 4 }),
  ghostsPerKey: fc.integer({ min: 1, max: 4 }),
  collectKeysPerCall: fc.integer({ min: 1, max: 2 }),
});

const reportOrCollectArb = opArb(keyedReportArb, atMax + 25, 5);

/** Every report ever made, joined per dot (written independently of the implementation). */
class Oracle {
  readonly #siblings = new Map<string, Map<string, SiblingVersion>>();

  observe(key: string, r: SiblingReport): void {
    const dots = this.#siblings.get(key) ?? new Map<string, SiblingVersion>();
    this.#siblings.set(key, dots);
    const id = JSON.stringify([r.replica, r.counter]);
    const old = dots.get(id);
    const mine: SiblingVersion = { ...r, supersededAt: r.supersededAt };
    if (old === undefined) {
      dots.set(id, mine);
      return;
    }
    const earliest = [old.supersededAt, r.supersededAt].filter((s): s is number => s !== undefined);
    const newWins = r.fence > old.fence || (r.fence === old.fence && compareValues(r.value, old.value) > 0);
    dots.set(id, {
      replica: r.replica,
      counter: r.counter,
      at: Math.min(old.at, r.at),
      supersededAt: earliest.length === 0 ? undefined : Math.min(...earliest),
      fence: newWins ? r.fence : old.fence,
      value: newWins ? r.value : old.value,
    });
  }

  /** The siblings with at <= t < supersededAt, in dot order. */
  at(key: string, t: number): SiblingVersion[] {
    return [...(this.#siblings.get(key)?.values() ?? [])]
      .filter((s) => s.at <= t && (s.supersededAt === undefined || t < s.supersededAt))
      .sort((a, b) => (a.replica !== b.replica ? (a.replica < b.replica ? -1 : 1) : a.counter - b.counter));
  }

  /** The dots no report has called superseded. */
  live(key: string): string[] {
    return [...(this.#siblings.get(key)?.values() ?? [])]
      .filter((s) => s.supersededAt === undefined)
      .map((s) => `${s.replica}/${s.counter}`)
      .sort();
  }
}

function dotOf(key: string, dot: { replica: string; counter: number }): string {
  return `${key}/${dot.replica}/${dot.counter}`;
}

function keptDots(history: SiblingHistory): Set<string> {
  return new Set(keys.flatMap((key) => history.history(key).map((s) => dotOf(key, s))));
}

function reads(history: SiblingHistory): unknown[] {
  return answers(keys, readTimes, (key, t) => history.siblingsAt(key, t));
}

function checkBounds(history: SiblingHistory): void {
  for (const key of keys) {
    const kept = history.history(key);
    expect(kept.filter((s) => s.supersededAt !== undefined).length).toBeLessThanOrEqual(history.versionsPerKey);
    expect(history.ghostCount(key)).toBeLessThanOrEqual(history.ghostsPerKey);
    // `keeps` (what node/causal-history.ts deletes stored entries by) says yes exactly for what it shows, and
    // `version` (what it stores) gives the sibling it shows.
    for (const s of kept) {
      expect(history.keeps(key, s)).toBe(true);
      const version = history.version(key, s);
      expect(version && { at: version.at, supersededAt: version.supersededAt }).toEqual({
        at: s.at,
        supersededAt: s.supersededAt,
      });
    }
  }
}

describe("SiblingHistory", () => {
  it("answers what an unbounded history answers whenever it answers, refuses exactly below the horizon, and keeps every live sibling", () => {
    const totals = { answered: 0, refused: 0, nonEmpty: 0, unanswerableKeys: 0 };
    fc.assert(
      fc.property(smallOptionsArb, fc.array(reportOrCollectArb, { maxLength: 50 }), (options, ops) => {
        const told: string[] = [];
        const history = new SiblingHistory({ ...options, onDrop: (key, dot) => told.push(dotOf(key, dot)) });
        const oracle = new Oracle();
        const horizons = new Map<string, number>();
        for (const op of ops) {
          const keptBefore = keptDots(history);
          told.length = 0;
          if (op.kind === "write") {
            history.observe(op.key, op.write);
            oracle.observe(op.key, op.write);
          } else {
            history.collect(op.now);
          }
          checkBounds(history);
          // `onDrop` is told, once each, exactly of the siblings the call dropped: those kept before and not after,
          // and the reported one if it was dropped as it arrived.
          const keptAfter = keptDots(history);
          const reported = op.kind === "write" ? [dotOf(op.key, op.write)] : [];
          expect(new Set(told).size).toBe(told.length);
          for (const dot of keptBefore) if (!keptAfter.has(dot)) expect(told).toContain(dot);
          for (const dot of told) {
            expect(keptAfter.has(dot)).toBe(false);
            expect(keptBefore.has(dot) || reported.includes(dot)).toBe(true);
          }
          for (const key of keys) {
            const horizon = history.horizon(key);
            expect(horizon).toBeGreaterThanOrEqual(horizons.get(key) ?? Number.NEGATIVE_INFINITY);
            // A finite horizon rises only with a drop `onDrop` was told of (what node/causal-history.ts syncs on).
            if (horizon > (horizons.get(key) ?? Number.NEGATIVE_INFINITY) && horizon !== Number.POSITIVE_INFINITY) {
              expect(told.some((dot) => dot.startsWith(`${key}/`))).toBe(true);
            }
            horizons.set(key, horizon);
            for (const t of readTimes) {
              const r = history.siblingsAt(key, t);
              if (expectExactOrTruncated(r, key, t, horizon, oracle.at(key, t))) {
                totals.answered++;
                if (r.ok && r.value.length > 0) totals.nonEmpty++;
              } else {
                totals.refused++;
              }
            }
            // Live siblings are never dropped: every dot no report superseded is kept, while the key is answerable.
            if (horizon !== Number.POSITIVE_INFINITY) {
              const kept = history.history(key).map((s) => `${s.replica}/${s.counter}`);
              for (const dot of oracle.live(key)) expect(kept).toContain(dot);
            }
          }
        }
        for (const key of keys) if (history.horizon(key) === Number.POSITIVE_INFINITY) totals.unanswerableKeys++;
      }),
      { numRuns: 200 },
    );
    // Both sides of the horizon, and non-trivial answers, are exercised, or the law above would be vacuous.
    expect(totals.answered).toBeGreaterThan(0);
    expect(totals.refused).toBeGreaterThan(0);
    expect(totals.nonEmpty).toBeGreaterThan(0);
  });

  it("keeps the same siblings whatever the arrival order and however many duplicates, while nothing is dropped", () => {
    const roomy = { versionsPerKey: historyVersionsPerKeyMax, ghostsPerKey: historySiblingGhostsPerKeyMax };
    const roomyOptionsArb = smallOptionsArb.map((options) => ({ ...options, ...roomy }));
    const arb = arrivalOrdersArb(roomyOptionsArb, keyedReportArb, 30);
    fc.assert(
      fc.property(arb, fc.integer({ min: 0, max: atMax + 25 }), ([options, ...orders], now) => {
        const make = () => new SiblingHistory(options);
        expectOrderIndependent(make, (h, [key, report]) => h.observe(key, report), reads, keys, orders, now);
      }),
      { numRuns: 200 },
    );
  });

  it("gives the same answers in every arrival order wherever both orders answer, even when the bounds drop siblings", () => {
    const arb = arrivalOrdersArb(smallOptionsArb, keyedReportArb, 30);
    let compared = 0;
    fc.assert(
      fc.property(arb, ([options, reports, permuted, duplicates]) => {
        const first = new SiblingHistory(options);
        const second = new SiblingHistory(options);
        for (const [key, report] of reports) first.observe(key, report);
        for (const [key, report] of [...permuted, ...duplicates]) second.observe(key, report);
        for (const key of keys) {
          const from = Math.max(first.horizon(key), second.horizon(key));
          for (const t of readTimes) {
            if (t < from) continue;
            expect(second.siblingsAt(key, t)).toEqual(first.siblingsAt(key, t));
            compared++;
          }
        }
      }),
      { numRuns: 200 },
    );
    expect(compared).toBeGreaterThan(0);
  });

  it("never changes the answer of a read at or after the horizon when it collects, and leaves the bounds holding", () => {
    let droppedTotal = 0;
    fc.assert(
      fc.property(
        smallOptionsArb,
        fc.array(keyedReportArb, { maxLength: 40 }),
        fc.integer({ min: 0, max: atMax + 25 }),
        (options, reports, now) => {
          const history = new SiblingHistory(options);
          for (const [key, report] of reports) history.observe(key, report);
          const before = new Map(keys.map((key) => [key, readTimes.map((t) => history.siblingsAt(key, t))] as const));
          const horizonsBefore = new Map(keys.map((key) => [key, history.horizon(key)] as const));
          const liveBefore = new Map(
            keys.map((key) => [key, history.history(key).filter((s) => s.supersededAt === undefined)] as const),
          );
          const keptBefore = keys.reduce((n, key) => n + history.history(key).length, 0);
          sweep(history, now);
          droppedTotal += keptBefore - keys.reduce((n, key) => n + history.history(key).length, 0);
          const cutoff = now - history.maxAge;
          checkBounds(history);
          for (const key of keys) {
            const horizon = history.horizon(key);
            // Collection by age raises the horizon to the cutoff at most.
            expect(horizon).toBeLessThanOrEqual(Math.max(horizonsBefore.get(key) as number, cutoff));
            const reads = before.get(key) ?? [];
            readTimes.forEach((t, i) => {
              if (t >= horizon) expect(history.siblingsAt(key, t)).toEqual(reads[i]);
            });
            const kept = history.history(key);
            for (const s of kept) if (s.supersededAt !== undefined) expect(s.supersededAt).toBeGreaterThan(cutoff);
            for (const live of liveBefore.get(key) ?? []) expect(kept).toContainEqual(live);
          }
        },
      ),
      { numRuns: 200 },
    );
    expect(droppedTotal).toBeGreaterThan(0);
  });

  it("joins reports of one sibling by their earliest times, whichever arrives first, and shows them for the dashboard", () => {
    const value = new Uint8Array([1, 2, 3]);
    const late = { replica: "n1", counter: 1, at: 12, fence: 0, value };
    const early = { replica: "n1", counter: 1, at: 10, supersededAt: 40, fence: 0, value };
    const earlierSupersession = { replica: "n1", counter: 1, at: 11, supersededAt: 30, fence: 0, value };
    const one = new SiblingHistory();
    const two = new SiblingHistory();
    expect([one.observe("k", late), one.observe("k", early), one.observe("k", earlierSupersession)]).toEqual([
      "added",
      "updated",
      "updated",
    ]);
    expect([two.observe("k", earlierSupersession), two.observe("k", late), two.observe("k", early)]).toEqual([
      "added",
      "duplicate",
      "updated",
    ]);
    expect(one.observe("k", { replica: "n2", counter: 1, at: 25, fence: 0, value: null })).toBe("added");
    expect(two.observe("k", { replica: "n2", counter: 1, at: 25, fence: 0, value: null })).toBe("added");
    expect(one.history("k")).toEqual(two.history("k"));
    expect(one.history("k")).toEqual([
      { replica: "n1", counter: 1, at: 10, supersededAt: 30, bytes: 3, tombstone: false },
      { replica: "n2", counter: 1, at: 25, supersededAt: undefined, bytes: 0, tombstone: true },
    ]);
    expect([one.has("k"), one.has("other")]).toEqual([true, false]);
    expect(one.siblingsAt("k", 9)).toEqual({ ok: true, value: [] }); // nothing dropped: provably none
    const both = one.siblingsAt("k", 29);
    expect(both.ok && both.value.map((s) => `${s.replica}/${s.counter}`)).toEqual(["n1/1", "n2/1"]);
    const after = one.siblingsAt("k", 30);
    expect(after.ok && after.value.map((s) => `${s.replica}/${s.counter}`)).toEqual(["n2/1"]);
  });

  it("never shows a sibling superseded before it was written (a fenced-off zombie)", () => {
    const history = new SiblingHistory();
    history.observe("k", { replica: "zombie", counter: 1, at: 50, supersededAt: 40, fence: 33, value: null });
    for (const t of [39, 40, 45, 50, 60]) expect(history.siblingsAt("k", t)).toEqual({ ok: true, value: [] });
  });

  it("drops by count the superseded sibling superseded earliest, keeps live ones, and sets the horizon to its supersededAt", () => {
    const history = new SiblingHistory({ versionsPerKey: 2, ghostsPerKey: 8 });
    const v = new Uint8Array([7]);
    for (let counter = 1; counter <= 3; counter++) {
      history.observe("k", { replica: "n1", counter, at: counter, fence: 0, value: v }); // live
    }
    history.observe("k", { replica: "n2", counter: 1, at: 1, supersededAt: 20, fence: 0, value: v });
    history.observe("k", { replica: "n2", counter: 2, at: 2, supersededAt: 10, fence: 0, value: v });
    expect(history.horizon("k")).toBe(Number.NEGATIVE_INFINITY);
    expect(history.observe("k", { replica: "n2", counter: 3, at: 3, supersededAt: 15, fence: 0, value: v })).toBe(
      "added",
    );
    expect(history.horizon("k")).toBe(10);
    expect(history.history("k").map((s) => `${s.replica}/${s.counter}`)).toEqual([
      "n1/1",
      "n2/1",
      "n1/2",
      "n1/3",
      "n2/3",
    ]);
    expect(history.keeps("k", { replica: "n2", counter: 2 })).toBe(false);
    expect(history.keeps("k", { replica: "n2", counter: 3 })).toBe(true);
    expect(history.keeps("k", { replica: "n9", counter: 1 })).toBe(false);
    expect(history.keeps("other", { replica: "n1", counter: 1 })).toBe(false);
    // A late report that n2/2 is still live does not bring it back: its dot is remembered.
    expect(history.observe("k", { replica: "n2", counter: 2, at: 2, fence: 0, value: v })).toBe("dropped");
    expect(history.keeps("k", { replica: "n2", counter: 2 })).toBe(false);
    expect(history.ghostCount("k")).toBe(1);
    expect(history.siblingsAt("k", 12)).toEqual(history.siblingsAt("k", 14));
    const below = history.siblingsAt("k", 9);
    expect(below.ok).toBe(false);
    if (!below.ok) expect(below.error.message).toContain("horizon 10");
  });

  it("makes a key unanswerable, rather than guess, when a forgotten dot may be reported live", () => {
    const history = new SiblingHistory({ versionsPerKey: 1, ghostsPerKey: 1 });
    history.observe("k", { replica: "n1", counter: 1, at: 1, supersededAt: 5, fence: 0, value: null });
    history.observe("k", { replica: "n1", counter: 2, at: 2, supersededAt: 6, fence: 0, value: null }); // drops n1/1
    history.observe("k", { replica: "n1", counter: 3, at: 3, supersededAt: 7, fence: 0, value: null }); // forgets n1/1
    expect(history.horizon("k")).toBe(6);
    expect(history.ghostCount("k")).toBe(1);
    // n1/1 again, superseded: exact either way, so it is kept as dropped and the horizon rises to at most its time.
    expect(history.observe("k", { replica: "n1", counter: 1, at: 1, supersededAt: 5, fence: 0, value: null })).toBe(
      "dropped",
    );
    expect(history.horizon("k")).toBe(6);
    // A dot at or below the forgotten watermark, reported live, never seen: it may be dead or live.
    const history2 = new SiblingHistory({ versionsPerKey: 1, ghostsPerKey: 1 });
    history2.observe("k", { replica: "n1", counter: 2, at: 1, supersededAt: 5, fence: 0, value: null });
    history2.observe("k", { replica: "n1", counter: 3, at: 2, supersededAt: 6, fence: 0, value: null });
    history2.observe("k", { replica: "n1", counter: 4, at: 3, supersededAt: 7, fence: 0, value: null });
    expect(history2.observe("k", { replica: "n1", counter: 1, at: 1, fence: 0, value: null })).toBe("key-unanswerable");
    expect(history2.ambiguousReports).toBe(1);
    const r = history2.siblingsAt("k", 1e9);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.horizon).toBe(Number.POSITIVE_INFINITY);
  });

  it("bounds a collect call's work to collectKeysPerCall keys, round robin, and drops only superseded siblings", () => {
    const history = new SiblingHistory({ maxAge: 10, collectKeysPerCall: 2 });
    for (const key of ["k1", "k2", "k3"]) {
      history.observe(key, { replica: "n1", counter: 1, at: 1, supersededAt: 2, fence: 0, value: null });
      history.observe(key, { replica: "n1", counter: 2, at: 2, supersededAt: 5, fence: 0, value: null });
      history.observe(key, { replica: "n1", counter: 3, at: 5, fence: 0, value: null });
    }
    // At now = 13 the cutoff is 3: each key drops n1/1 only.
    expect(history.collect(13)).toEqual({ keysVisited: 2, versionsDropped: 2 });
    expect(history.collect(13)).toEqual({ keysVisited: 2, versionsDropped: 1 }); // k3, then k1 again
    expect(history.horizon("k3")).toBe(2);
    // At now = 1000 everything superseded goes; the live sibling stays.
    history.collect(1000);
    history.collect(1000);
    for (const key of ["k1", "k2", "k3"]) {
      expect(history.history(key).map((s) => s.counter)).toEqual([3]);
      expect(history.horizon(key)).toBe(5);
    }
  });

  it("refuses bad input with TypeError and RangeError, leaving the history unchanged", () => {
    const history = new SiblingHistory();
    const good = { replica: "n1", counter: 1, at: 1, fence: 0, value: null };
    history.observe("k", good);
    const bad = [
      () => history.observe("k", { ...good, at: Number.NaN }),
      () => history.observe("k", { ...good, at: Number.POSITIVE_INFINITY }),
      () => history.observe("k", { ...good, supersededAt: Number.NaN }),
      () => history.observe("k", { ...good, replica: "" }),
      () => history.observe("k", { ...good, counter: 0 }),
      () => history.observe("k", { ...good, counter: 1.5 }),
      () => history.observe("k", { ...good, fence: -1 }),
      () => history.observe("k", { ...good, value: "v" as unknown as Uint8Array }),
      () => history.observe("k", null as unknown as SiblingReport),
      () => history.observe(3 as unknown as string, good),
      () => history.siblingsAt("k", Number.NaN),
      () => history.collect(Number.NaN),
    ];
    for (const call of bad) expect(call).toThrow(TypeError);
    expect(() => new SiblingHistory({ versionsPerKey: 0 })).toThrow(RangeError);
    expect(() => new SiblingHistory({ ghostsPerKey: historySiblingGhostsPerKeyMax + 1 })).toThrow(RangeError);
    expect(() => new SiblingHistory({ collectKeysPerCall: 1.5 })).toThrow(RangeError);
    expect(() => new SiblingHistory({ maxAge: -1 })).toThrow(RangeError);
    for (const bad of [{ toString: 0 }, Object.create(null), Symbol()] as never[]) {
      expect(() => history.observe("k", { ...good, counter: bad })).toThrow(/counter must be .*, got an? \w+$/);
      expect(() => history.observe("k", { ...good, fence: bad })).toThrow(/fence must be .*, got an? \w+$/);
      expect(() => history.observe("k", { ...good, at: bad })).toThrow(/at must be a finite number, got an? \w+$/);
    }
    expect(history.history("k")).toEqual([
      { replica: "n1", counter: 1, at: 1, supersededAt: undefined, bytes: 0, tombstone: true },
    ]);
    expect(history.keyCount).toBe(1);
  });
});
