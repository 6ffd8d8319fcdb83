/**
 * A TrueTime-style interval clock (Corbett et al., "Spanner: Google's
 * Globally-Distributed Database", OSDI 2012; AWS ClockBound). It never claims
 * to know what time it is: `now()` answers with an interval [earliest, latest]
 * that holds true time as long as the local oscillator drifts no faster than
 * `maxDriftPpm` and a majority of the time sources at the last sync were right
 * (CHAPTER.txt, 3.3 "Clock readings with a confidence interval").
 *
 * The state is one interval of true time and the monotonic instant it held
 * at. A sync replaces it with the interval a majority of sources agree on
 * (agreement.ts); between syncs it is carried forward on the monotonic clock,
 * widening at twice the drift rate (interval.ts), which is ClockBound's error
 * model and the rising edge of Spanner's epsilon sawtooth. The wall clock is
 * never read, so an NTP step on this machine cannot move the interval.
 *
 * Status follows ClockBound: `unknown` before the first sync (no bound
 * exists, so `now()` throws and `tryNow()` returns the failure as a value),
 * `synchronized` within `stalenessLimitMs` of the last sync, `free-running`
 * after it (the interval is still correct, only wider).
 *
 * Commit wait is Spanner's rule for external consistency: a transaction takes
 * s = now().latest as its timestamp and does not report its commit until
 * after(s) holds, so that any transaction that starts later, anywhere, takes a
 * larger timestamp.
 */
import {
  type AbortSignalLike,
  assert,
  describeValue,
  err,
  type MonotonicClock,
  ok,
  type Result,
  sleep,
  type Timers,
} from "@skew/env";
import { findAgreement, majorityOf } from "./agreement.js";
import { checkDrift, checkFinite } from "./check.js";
import { defaultMaxDriftPpm, defaultStalenessLimitMs, maxSourcesPerSync, minCommitWaitSleepMs } from "./constants.js";
import { messageOf, TrueTimeError } from "./errors.js";
import {
  carryForward,
  type DriftRates,
  driftRates,
  roundedDown,
  roundedUp,
  type TrueTimeInterval,
} from "./interval.js";
import { checkSample, type TimeSample } from "./sample.js";

export type TrueTimeStatus = "unknown" | "synchronized" | "free-running";

export interface TrueTimeClockOptions {
  /** Measures the time since the last sync. Samples handed to `sync` must be timed on this same clock. */
  readonly monotonic: MonotonicClock;
  /** Wakes `commitWait`. */
  readonly timers: Timers;
  /** The most the local clock's rate may be off, in parts per million. Defaults to 200 (Google's assumption). */
  readonly maxDriftPpm?: number;
  /** How long after a sync the clock counts as synchronized. Defaults to 60 s. */
  readonly stalenessLimitMs?: number;
}

export interface SyncOptions {
  /**
   * How many sources were asked, counting those that did not answer: the
   * majority is taken of these, so that silence cannot turn a minority into a
   * majority. Defaults to the number of samples.
   */
  readonly sourcesAsked?: number;
}

export interface SyncReport {
  /** The interval the majority agreed on, carried to the instant of the sync: the clock's new state. */
  readonly interval: TrueTimeInterval;
  /** Sources whose interval holds an instant the majority agrees on. */
  readonly agreeing: readonly string[];
  /** Sources whose interval holds no such instant: wrong, if the majority is right. */
  readonly outvoted: readonly string[];
}

/** A sync that found no majority. The clock kept its previous state. */
export interface NoMajority {
  readonly code: "TRUETIME_NO_MAJORITY";
  readonly message: string;
  readonly sourcesAsked: number;
  readonly sourcesAnswered: number;
  /** How many had to agree: a strict majority of the sources asked. */
  readonly quorum: number;
  /** The most sources that agreed on any one instant. */
  readonly largestAgreement: number;
}

/** `tryNow()` on a clock that has never been synchronized. */
export interface Unsynchronized {
  readonly code: "TRUETIME_UNSYNCHRONIZED";
  readonly message: string;
}

export interface CommitWaitOptions {
  /** Stops the wait: the promise rejects with the signal's reason. */
  readonly signal?: AbortSignalLike;
}

export interface CommitWaitReport {
  /** How long the wait took, on the monotonic clock (0 when the timestamp had already passed). */
  readonly waitedMs: number;
}

const unsynchronized: Unsynchronized = Object.freeze({
  code: "TRUETIME_UNSYNCHRONIZED",
  message: messageOf("TRUETIME_UNSYNCHRONIZED"),
});

export class TrueTimeClock {
  readonly maxDriftPpm: number;
  readonly stalenessLimitMs: number;
  readonly #monotonic: MonotonicClock;
  readonly #timers: Timers;
  /** 1 - rho and 1 + rho: how fast the two ends of the interval move per local ms. */
  readonly #rates: DriftRates;

  #synchronized = false;
  /** The monotonic instant of the last successful sync, and the interval that held then. */
  #syncedAtMs = 0;
  #earliestAtSync = 0;
  #latestAtSync = 0;

  constructor(options: TrueTimeClockOptions) {
    if (typeof options !== "object" || options === null) throw new TypeError("TrueTimeClock: options are required");
    const { monotonic, timers } = options;
    if (monotonic?.kind !== "monotonic") {
      throw new TypeError("TrueTimeClock: options.monotonic must be a MonotonicClock (a WallClock may jump)");
    }
    if (typeof timers?.schedule !== "function" || typeof timers.cancel !== "function") {
      throw new TypeError("TrueTimeClock: options.timers must be a Timers");
    }
    const maxDriftPpm = options.maxDriftPpm ?? defaultMaxDriftPpm;
    checkDrift("TrueTimeClock", maxDriftPpm);
    const stalenessLimitMs = options.stalenessLimitMs ?? defaultStalenessLimitMs;
    checkFinite("TrueTimeClock: stalenessLimitMs", stalenessLimitMs);
    if (stalenessLimitMs <= 0) {
      throw new RangeError(`TrueTimeClock: stalenessLimitMs must be > 0, got ${stalenessLimitMs}`);
    }
    this.maxDriftPpm = maxDriftPpm;
    this.stalenessLimitMs = stalenessLimitMs;
    this.#monotonic = monotonic;
    this.#timers = timers;
    this.#rates = driftRates(maxDriftPpm);
  }

  /**
   * The interval that holds true time now (TT.now()). Throws a `TrueTimeError`
   * with code `TRUETIME_UNSYNCHRONIZED` before the first sync; `tryNow()`
   * returns that failure as a value instead.
   */
  now(): TrueTimeInterval {
    if (!this.#synchronized) throw new TrueTimeError("TRUETIME_UNSYNCHRONIZED");
    const nowMs = this.#monotonic.now();
    return { earliest: this.#earliestAt(nowMs), latest: this.#latestAt(nowMs) };
  }

  /** `now()`, with the unsynchronized case as a value. */
  tryNow(): Result<TrueTimeInterval, Unsynchronized> {
    if (!this.#synchronized) return err(unsynchronized);
    return ok(this.now());
  }

  /**
   * Whether `timestampMs` has certainly passed (TT.after): true only if it is
   * before the earliest possible true time. A clock that has never been
   * synchronized is certain of nothing, so it answers false.
   */
  after(timestampMs: number): boolean {
    if (!Number.isFinite(timestampMs)) checkFinite("after: timestampMs", timestampMs);
    return this.#synchronized && timestampMs < this.#earliestAt(this.#monotonic.now());
  }

  /**
   * Whether `timestampMs` has certainly not arrived yet (TT.before): true only
   * if it is after the latest possible true time. An unsynchronized clock
   * answers false.
   */
  before(timestampMs: number): boolean {
    if (!Number.isFinite(timestampMs)) checkFinite("before: timestampMs", timestampMs);
    return this.#synchronized && timestampMs > this.#latestAt(this.#monotonic.now());
  }

  /** `unknown` before the first sync, `synchronized` within the staleness limit of the last one, else `free-running`. */
  status(): TrueTimeStatus {
    if (!this.#synchronized) return "unknown";
    return this.#monotonic.now() - this.#syncedAtMs <= this.stalenessLimitMs ? "synchronized" : "free-running";
  }

  /**
   * Takes the interval a strict majority of the sources asked agree on as the
   * clock's new state, and reports which sources were outvoted. Each sample is
   * first carried forward from the instant it was taken to now. Without a
   * majority the clock keeps its previous state and the failure comes back as
   * a value (`TRUETIME_NO_MAJORITY`).
   */
  sync(samples: readonly TimeSample[], options: SyncOptions = {}): Result<SyncReport, NoMajority> {
    if (!Array.isArray(samples)) throw new TypeError("sync: samples must be an array");
    const sourcesAsked = options.sourcesAsked ?? samples.length;
    if (!Number.isSafeInteger(sourcesAsked) || sourcesAsked < 1 || sourcesAsked > maxSourcesPerSync) {
      throw new RangeError(
        `sync: sourcesAsked must be an integer in [1, ${maxSourcesPerSync}], got ${describeValue(sourcesAsked)}`,
      );
    }
    if (samples.length > sourcesAsked) {
      throw new RangeError(`sync: ${samples.length} samples cannot come from ${sourcesAsked} sources asked`);
    }
    const nowMs = this.#monotonic.now();
    const names = new Set<string>();
    const intervals = samples.map((sample, index) => {
      checkSample(sample, index, nowMs);
      if (names.has(sample.source)) throw new TypeError(`sync: source ${sample.source} answered twice`);
      names.add(sample.source);
      return carryForward(sample, nowMs - sample.monotonicMs, this.#rates);
    });
    const quorum = majorityOf(sourcesAsked);
    const agreement = findAgreement(intervals, quorum);
    if (!agreement.ok) {
      return err({
        code: "TRUETIME_NO_MAJORITY",
        message: messageOf("TRUETIME_NO_MAJORITY"),
        sourcesAsked,
        sourcesAnswered: samples.length,
        quorum,
        largestAgreement: agreement.error.largestAgreement,
      });
    }
    const { interval, agreeing, outvoted } = agreement.value;
    this.#synchronized = true;
    this.#syncedAtMs = nowMs;
    this.#earliestAtSync = interval.earliest;
    this.#latestAtSync = interval.latest;
    const sourceOf = (index: number): string => (samples[index] as TimeSample).source;
    return ok({ interval, agreeing: agreeing.map(sourceOf), outvoted: outvoted.map(sourceOf) });
  }

  /**
   * Resolves once `after(timestampMs)` holds: Spanner's commit wait. It sleeps
   * on the injected timers for as long as the earliest bound needs to pass
   * the timestamp, then checks again, and sleeps again if a timer fired early
   * or a sync moved the interval back, so it never resolves before true time
   * has passed the timestamp. Rejects with `TRUETIME_UNSYNCHRONIZED` on a
   * clock that has never been synchronized, and with the signal's reason when
   * aborted.
   */
  async commitWait(timestampMs: number, options: CommitWaitOptions = {}): Promise<CommitWaitReport> {
    checkFinite("commitWait: timestampMs", timestampMs);
    const { signal } = options;
    signal?.throwIfAborted();
    if (!this.#synchronized) throw new TrueTimeError("TRUETIME_UNSYNCHRONIZED");
    const startMs = this.#monotonic.now();
    for (;;) {
      const nowMs = this.#monotonic.now();
      const earliest = this.#earliestAt(nowMs);
      if (timestampMs < earliest) return { waitedMs: nowMs - startMs };
      // The earliest bound rises (1 - rho) ms per local ms: this is when it should pass the timestamp.
      const sleepMs = Math.max((timestampMs - earliest) / this.#rates.slowest, minCommitWaitSleepMs);
      await sleep(this.#timers, sleepMs, signal);
    }
  }

  #earliestAt(nowMs: number): number {
    return roundedDown(this.#earliestAtSync, this.#elapsedSinceSync(nowMs) * this.#rates.slowest);
  }

  #latestAt(nowMs: number): number {
    return roundedUp(this.#latestAtSync, this.#elapsedSinceSync(nowMs) * this.#rates.fastest);
  }

  #elapsedSinceSync(nowMs: number): number {
    const elapsedMs = nowMs - this.#syncedAtMs;
    // A monotonic clock that ran backward would shrink the interval around a true time it no longer holds.
    assert(elapsedMs >= 0, "the monotonic clock went backward since the last sync");
    return elapsedMs;
  }
}
