/**
 * Which instants do most time sources agree on? Marzullo's algorithm (Keith
 * Marzullo's 1984 thesis, the "intersection algorithm" of NTP's clock
 * selection in RFC 5905; Spanner's time daemons use a variant of it to reject
 * liars), as the chapter asks of an NTP client: ask several servers and check
 * that a majority agree on some time range (CHAPTER.txt, 4.4 "Weak forms of
 * lying").
 *
 * Each source gives an interval it claims holds true time. A correct source's
 * interval does; a wrong one (a misconfigured server, a broken GPS receiver)
 * may say anything. If a strict majority is correct, true time is an instant
 * that at least a majority of intervals cover, and every such instant could be
 * it (those sources right, the others wrong). So the answer is the smallest
 * interval holding all of them: nothing narrower is safe under that
 * assumption, and nothing wider is needed.
 *
 * Marzullo's original, and NTP after it, return instead the instants with the
 * MOST votes. That is narrower, but when correct sources report wide intervals
 * a coalition of wrong ones can out-count them there, and the answer misses
 * true time; counting every instant a majority covers cannot be fooled so.
 *
 * A source is outvoted when no instant of its interval is covered by a quorum:
 * if a majority is correct, it is not.
 *
 * The sweep sorts the 2n ends once and walks them, counting how many intervals
 * cover each instant: O(n log n) time (insertion sort below a few dozen
 * sources, where it is faster; a typed array would be worse still, as V8
 * keeps any over 64 bytes off the heap, at about 300 ns per allocation).
 */
import { describeValue, err, ok, type Result } from "@skew/env";
import { checkFinite } from "./check.js";
import type { TrueTimeInterval } from "./interval.js";

export interface Agreement {
  /** The smallest interval holding every instant that at least a quorum of sources agree on. */
  readonly interval: TrueTimeInterval;
  /** Indices of the sources whose interval holds an instant a quorum agrees on, ascending. */
  readonly agreeing: readonly number[];
  /** Indices of the other sources: whatever true time is, if a quorum is right, these are wrong. Ascending. */
  readonly outvoted: readonly number[];
}

export interface Disagreement {
  /** The most sources that agree on any one instant (Marzullo's count), fewer than the quorum. */
  readonly largestAgreement: number;
}

/** The smallest strict majority of `count`. */
export function majorityOf(count: number): number {
  return Math.floor(count / 2) + 1;
}

/**
 * Intersects the intervals (closed: intervals that touch share an instant).
 * `quorum` is how many must agree: more than half of the sources asked, so
 * that two disjoint groups can never both agree. It defaults to a strict
 * majority of `intervals`; pass a larger one to demand more agreement, and
 * count the sources that did not answer by passing a majority of all those
 * asked.
 */
export function findAgreement(
  intervals: readonly TrueTimeInterval[],
  quorum: number = majorityOf(intervals.length),
): Result<Agreement, Disagreement> {
  if (!Array.isArray(intervals)) throw new TypeError("findAgreement: intervals must be an array");
  if (!Number.isSafeInteger(quorum) || quorum < 1 || quorum <= intervals.length / 2) {
    throw new RangeError(
      `findAgreement: quorum must be an integer greater than half of the ${intervals.length} intervals, got ${describeValue(quorum)}`,
    );
  }
  const count = intervals.length;
  const starts: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < count; i++) {
    const interval = intervals[i] as TrueTimeInterval;
    checkInterval(interval, i);
    starts.push(interval.earliest);
    ends.push(interval.latest);
  }
  sortAscending(starts);
  sortAscending(ends);

  // The instants a quorum covers form disjoint closed regions, kept here as [from, to] pairs in ascending order.
  const regions: number[] = [];
  let covering = 0;
  let largestAgreement = 0;
  let regionStart = 0;
  let nextStart = 0;
  let nextEnd = 0;
  while (nextEnd < count) {
    const start = nextStart < count ? (starts[nextStart] as number) : Number.POSITIVE_INFINITY;
    const end = ends[nextEnd] as number;
    if (start <= end) {
      // At a tie a start comes first: an interval that ends where another starts shares that instant with it.
      covering++;
      nextStart++;
      if (covering > largestAgreement) largestAgreement = covering;
      if (covering === quorum) regionStart = start;
    } else {
      if (covering === quorum) regions.push(regionStart, end);
      covering--;
      nextEnd++;
    }
  }
  if (regions.length === 0) return err({ largestAgreement });

  const agreeing: number[] = [];
  const outvoted: number[] = [];
  for (let i = 0; i < count; i++) {
    const interval = intervals[i] as TrueTimeInterval;
    (meetsRegion(regions, interval) ? agreeing : outvoted).push(i);
  }
  const interval = { earliest: regions[0] as number, latest: regions[regions.length - 1] as number };
  return ok({ interval, agreeing, outvoted });
}

/** Largest count sorted by insertion: at the few dozen sources a sync may ask, it beats a comparator sort fourfold. */
const insertionSortMax = 32;

function sortAscending(values: number[]): void {
  if (values.length > insertionSortMax) {
    values.sort((a, b) => a - b);
    return;
  }
  for (let i = 1; i < values.length; i++) {
    const value = values[i] as number;
    let j = i - 1;
    for (; j >= 0 && (values[j] as number) > value; j--) values[j + 1] = values[j] as number;
    values[j + 1] = value;
  }
}

/** Whether `interval` shares an instant with one of the sorted, disjoint `regions` (binary search). */
function meetsRegion(regions: readonly number[], interval: TrueTimeInterval): boolean {
  // The first region that does not end before the interval starts is the only candidate.
  let low = 0;
  let high = regions.length / 2;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((regions[2 * middle + 1] as number) < interval.earliest) low = middle + 1;
    else high = middle;
  }
  return low < regions.length / 2 && (regions[2 * low] as number) <= interval.latest;
}

function checkInterval(interval: TrueTimeInterval, index: number): void {
  if (typeof interval !== "object" || interval === null) {
    throw new TypeError(`findAgreement: interval ${index} is not an object`);
  }
  const { earliest, latest } = interval;
  checkFinite(`findAgreement: interval ${index} earliest`, earliest);
  checkFinite(`findAgreement: interval ${index} latest`, latest);
  if (earliest > latest) {
    throw new RangeError(`findAgreement: interval ${index} must have earliest <= latest, got [${earliest}, ${latest}]`);
  }
}
