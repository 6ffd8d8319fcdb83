/**
 * What the VersionHistory and SiblingHistory tests share: the generators of
 * operation sequences and arrival orders, and the reads and checks that
 * compare a history with its oracle or with another arrival order.
 */
import type { Result } from "@skew/env";
import fc from "fast-check";
import { expect } from "vitest";
import { type CollectReport, HistoryTruncatedError } from "../../src/history/index.js";

/** What the shared helpers use of a history (both classes have it). */
export interface AnyHistory {
  readonly keyCount: number;
  readonly collectKeysPerCall: number;
  collect(now: number): CollectReport;
  history(key: string): unknown[];
  horizon(key: string): number;
}

/** One step of a random run: record a write (a version or a report) of a key, or collect at `now`. */
export type Op<W> = { kind: "write"; key: string; write: W } | { kind: "collect"; now: number };

/** Writes `writeWeight` times as often as collections at a `now` in [0, nowMax]. */
export function opArb<W>(keyedWriteArb: fc.Arbitrary<[string, W]>, nowMax: number, writeWeight: number) {
  return fc.oneof(
    { weight: writeWeight, arbitrary: keyedWriteArb.map(([key, write]): Op<W> => ({ kind: "write", key, write })) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: nowMax }).map((now): Op<W> => ({ kind: "collect", now })) },
  );
}

/**
 * Options, some writes, the same writes in another order, and a subset of
 * them to deliver again as duplicates.
 */
export function arrivalOrdersArb<O, W>(
  optionsArb: fc.Arbitrary<O>,
  writeArb: fc.Arbitrary<W>,
  maxLength: number,
): fc.Arbitrary<[O, W[], W[], W[]]> {
  return fc
    .tuple(optionsArb, fc.array(writeArb, { maxLength }))
    .chain(([options, writes]) =>
      fc.tuple(
        fc.constant(options),
        fc.constant(writes),
        fc.shuffledSubarray(writes, { minLength: writes.length, maxLength: writes.length }),
        fc.subarray(writes),
      ),
    );
}

/** Every read of every key at every time, as comparable data. */
export function answers<T>(
  keys: readonly string[],
  times: readonly number[],
  read: (key: string, t: number) => Result<T, HistoryTruncatedError>,
): unknown[] {
  return keys.flatMap((key) =>
    times.map((t) => {
      const r = read(key, t);
      return r.ok ? { ok: true, value: r.value } : { ok: false, horizon: r.error.horizon };
    }),
  );
}

/** What a history keeps of each key, and each key's horizon. */
export function state(keys: readonly string[], history: AnyHistory): unknown[] {
  return keys.map((key) => ({ key, kept: history.history(key), horizon: history.horizon(key) }));
}

/** Collects until every key was visited once, checking that no call visits more keys than its bound. */
export function sweep(history: AnyHistory, now: number): void {
  const calls = Math.ceil(history.keyCount / history.collectKeysPerCall);
  for (let i = 0; i < calls; i++) {
    const report = history.collect(now);
    expect(report.keysVisited).toBeLessThanOrEqual(history.collectKeysPerCall);
  }
}

/**
 * A read of `key` at `t` either answers at or above the horizon, exactly
 * what `expected` (the oracle's answer) is, or refuses below it with
 * HISTORY_TRUNCATED naming the key, the time and the horizon. True when it answered.
 */
export function expectExactOrTruncated<T>(
  r: Result<T, HistoryTruncatedError>,
  key: string,
  t: number,
  horizon: number,
  expected: T,
): boolean {
  if (r.ok) {
    expect(t).toBeGreaterThanOrEqual(horizon);
    expect(r.value).toEqual(expected);
    return true;
  }
  expect(t).toBeLessThan(horizon);
  expect(r.error).toBeInstanceOf(HistoryTruncatedError);
  expect([r.error.code, r.error.key, r.error.at, r.error.horizon]).toEqual(["HISTORY_TRUNCATED", key, t, horizon]);
  return false;
}

/**
 * Two histories fed the same writes, the second in another order and with
 * duplicates, keep the same state and answer alike; and still do after a
 * collection sweep of both at `now` (a sweep decides from the state alone).
 */
export function expectOrderIndependent<H extends AnyHistory, W>(
  make: () => H,
  write: (history: H, write: W) => void,
  reads: (history: H) => unknown[],
  keys: readonly string[],
  [writes, permuted, duplicates]: readonly [W[], W[], W[]],
  now: number,
): void {
  const first = make();
  const second = make();
  for (const w of writes) write(first, w);
  for (const w of [...permuted, ...duplicates]) write(second, w);
  expect(state(keys, second)).toEqual(state(keys, first));
  expect(reads(second)).toEqual(reads(first));
  sweep(first, now);
  sweep(second, now);
  expect(state(keys, second)).toEqual(state(keys, first));
  expect(reads(second)).toEqual(reads(first));
}
