/**
 * Every limit of @skew/truetime, with its unit at the end of its name, checked
 * against the others when the module loads (TigerBeetle's constants.zig).
 */
import { assert } from "@skew/env";

/** Parts per million in one: a drift rate of `x` ppm is `x / ppmPerUnit` ms of error per ms. */
export const ppmPerUnit = 1_000_000;

/**
 * The drift rate assumed when none is given: the 200 ppm that Google assumes
 * for the quartz oscillators of its servers (CHAPTER.txt, 3.2 "Clock
 * Synchronization and Accuracy": 6 ms of error after 30 s without a sync).
 */
export const defaultMaxDriftPpm = 200;

/**
 * The largest drift rate a clock may be configured with: 10%, far beyond any
 * working oscillator, yet small enough that `1 - drift` stays positive, so the
 * earliest bound always moves forward and commit-wait always ends.
 */
export const maxDriftLimitPpm = 100_000;

/**
 * How long after the last successful sync the clock still reports
 * `synchronized`: two of Spanner's 30-second polling periods. Past it the
 * clock is `free-running`; its interval stays correct but widens at the drift
 * rate (AWS ClockBound's FreeRunning).
 */
export const defaultStalenessLimitMs = 60_000;

/** The most sources one sync may ask: bounds the work of the intersection (O(n log n)). */
export const maxSourcesPerSync = 64;

/**
 * Relative slack taken off each computed lower bound and added to each upper
 * bound, so that floating-point rounding can only widen an interval, never
 * narrow it (outward rounding, as interval arithmetic does). The longest bound
 * computation here (a round-trip sample) is off by less than 8 x 2^-53 of its
 * operands' magnitude; 2^-49 = 16 x 2^-53 covers that twice over. At today's
 * epoch (1.7e12 ms) the slack is about 3 microseconds.
 */
export const outwardRoundingRatio = 2 ** -49;

/**
 * The shortest sleep commit-wait asks for. After a wake exactly on time the
 * earliest bound can still sit a rounding slack below the timestamp; this
 * floor keeps such a near miss from becoming a stream of zero-length timers.
 */
export const minCommitWaitSleepMs = 0.001;

assert(defaultMaxDriftPpm >= 0 && defaultMaxDriftPpm <= maxDriftLimitPpm, "default drift must be within the limit");
assert(maxDriftLimitPpm < ppmPerUnit, "1 - maxDrift must stay positive, or the earliest bound could stop advancing");
assert(defaultStalenessLimitMs > 0, "a clock must be synchronized for some time after a sync");
assert(maxSourcesPerSync >= 3, "outvoting one wrong source takes at least three");
assert(minCommitWaitSleepMs > 0, "a zero-length sleep could spin forever");
assert(outwardRoundingRatio >= 8 * Number.EPSILON, "the slack must cover the rounding error of a bound");
