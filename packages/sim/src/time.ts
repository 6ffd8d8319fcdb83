/**
 * Virtual time. The simulation keeps true time ("what an atomic clock beside
 * the rack would read") as an integer count of microseconds since the run
 * began. Integers make the event order exact: two events compare by
 * (time, sequence) with no rounding, a trace prints the same everywhere, and
 * 2^53 us is 285 years of simulated time. Nodes never see true time: they read
 * their own `SimWallClock` and `SimMonotonicClock`, in milliseconds as
 * `@skew/env` defines them, derived from true time by offsets, drift and steps.
 */
import { usPerMs } from "./constants.js";

/** Milliseconds (a duration asked for by a scenario or a node) to whole microseconds, never rounding below. */
export function msToUsCeil(ms: number): number {
  return Math.ceil(ms * usPerMs);
}

/** Milliseconds to the nearest microsecond (a drawn delay). */
export function msToUsRound(ms: number): number {
  return Math.round(ms * usPerMs);
}

export function usToMs(us: number): number {
  return us / usPerMs;
}
