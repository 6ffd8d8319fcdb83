/**
 * An interval of true time, and how it stays true as local time passes.
 *
 * Spanner's TrueTime and AWS ClockBound answer "what time is it?" with
 * [earliest, latest], and keep that answer true between syncs the same way:
 * if the local oscillator runs at most rho off (true time advances between
 * (1 - rho) and (1 + rho) ms per ms of local monotonic time), an interval
 * that held at local instant m0 still holds at m0 + d once its earliest end
 * moves by d(1 - rho) and its latest end by d(1 + rho). The width grows by
 * 2 rho d: ClockBound's `bound + max_drift * (now - as_of)`, the rising edge
 * of Spanner's epsilon sawtooth.
 *
 * Bounds are rounded outward (see `outwardRoundingRatio`): floating point may
 * widen an interval by a few microseconds, never narrow it.
 */
import { outwardRoundingRatio, ppmPerUnit } from "./constants.js";

export interface TrueTimeInterval {
  /** True time is no earlier than this, in ms since the Unix epoch. */
  readonly earliest: number;
  /** True time is no later than this, in ms since the Unix epoch. */
  readonly latest: number;
}

/**
 * `baseMs + deltaMs`, moved down by more than the rounding error of computing
 * it and `deltaMs`. Adding nothing is exact, so a zero delta returns `baseMs`
 * untouched.
 */
export function roundedDown(baseMs: number, deltaMs: number): number {
  if (deltaMs === 0) return baseMs;
  return baseMs + deltaMs - (Math.abs(baseMs) + Math.abs(deltaMs)) * outwardRoundingRatio;
}

/** `baseMs + deltaMs`, moved up by more than the rounding error of computing it and `deltaMs`. */
export function roundedUp(baseMs: number, deltaMs: number): number {
  if (deltaMs === 0) return baseMs;
  return baseMs + deltaMs + (Math.abs(baseMs) + Math.abs(deltaMs)) * outwardRoundingRatio;
}

/**
 * The rates at which the two ends of an interval move per ms of local time,
 * for a clock whose rate is off by at most `maxDriftPpm`.
 */
export interface DriftRates {
  /** 1 - rho: the slowest true time can pass per local ms. */
  readonly slowest: number;
  /** 1 + rho: the fastest true time can pass per local ms. */
  readonly fastest: number;
}

export function driftRates(maxDriftPpm: number): DriftRates {
  const rho = maxDriftPpm / ppmPerUnit;
  return { slowest: 1 - rho, fastest: 1 + rho };
}

/** The interval that `interval` (true at some local instant) has become `elapsedMs` local ms later. */
export function carryForward(interval: TrueTimeInterval, elapsedMs: number, rates: DriftRates): TrueTimeInterval {
  return {
    earliest: roundedDown(interval.earliest, elapsedMs * rates.slowest),
    latest: roundedUp(interval.latest, elapsedMs * rates.fastest),
  };
}
