/**
 * @skew/env: the seams between Skew's deterministic cores and the world.
 *
 * A core (lamport, vector, hlc, truetime, failure-detector, kv) never reads
 * the time, draws a random number or starts a timer by itself: it takes these
 * interfaces from whoever drives it. `@skew/env/system` implements them with
 * the real machine; `@skew/env/manual` with clocks and timers a test controls;
 * `@skew/sim` with a simulated world.
 */
export { AssertionError, assert, unreachable } from "./assert.js";
export { checkNumber } from "./check-number.js";
export type { MonotonicClock, WallClock } from "./clock.js";
export { describeValue } from "./describe-value.js";
export type { Environment } from "./environment.js";
export { err, ok, type Result, SkewError } from "./errors.js";
export { type Ordering, orderingOfSign, reverseOrdering } from "./ordering.js";
export { Random } from "./random.js";
export { AbortedError, type AbortSignalLike, sleep, type TimerHandle, type Timers } from "./timers.js";
export { hasLoneSurrogate, readUtf8, utf8Length, writeUtf8 } from "./utf8.js";
