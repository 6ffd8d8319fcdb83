/**
 * A clock's configuration, checked and normalised once, when it is built
 * (abstract-level's habit: public entry points validate, the internals trust
 * what they are given). A mistake here is a programming error, so it throws
 * `TypeError` or `RangeError` rather than an `HlcError`.
 */
import { checkNumber, describeValue, type WallClock } from "@skew/env";
import { defaultMaxOffsetMs, defaultUpperBoundWindowMs, wallMsMax } from "./constants.js";
import type { ClockEvent } from "./events.js";
import { checkNodeId, type NodeId } from "./timestamp.js";

/**
 * Persisting an upper bound on the clock's wall part, so that a restart never
 * issues a timestamp at or below one issued before the crash.
 *
 * The contract: the clock never issues a timestamp whose wall part is at or
 * past the last bound `persist` accepted. When it needs to, it first calls
 * `persist(wallMs + windowMs)`, synchronously, and issues the timestamp only
 * if that call returns; `persist` must return only once the bound is durable
 * (for a file: write, then fsync, before returning). A call that throws
 * issues nothing and changes nothing. On restart, hand the last persisted
 * value back as `restoredMs`: the clock starts at it, above all it issued.
 *
 * `persist` runs about once per `windowMs` of clock advance, whatever the
 * rate of timestamps.
 */
export interface UpperBoundOptions {
  /** The bound the previous run persisted, in ms since the Unix epoch; absent (or undefined) on a node's first start. */
  readonly restoredMs?: number | undefined;
  /**
   * How far ahead of the clock each new bound is set, in ms (default 250).
   * A restarted node leads its wall clock by up to this much until the wall
   * clock catches up, so keep it well under the `maxOffsetMs` of its peers.
   */
  readonly windowMs?: number;
  /** Makes `boundMs` durable, then returns. Called from inside `now()` and `receive()`. */
  readonly persist: (boundMs: number) => void;
}

export interface HybridLogicalClockOptions {
  /** Where physical time comes from: `SystemWallClock` in production, a manual or simulated clock in tests. */
  readonly wall: WallClock;
  /** This node's id: the tiebreak between equal timestamps, and named in errors. */
  readonly node: NodeId;
  /**
   * How far ahead of the local wall clock a received timestamp may be, in ms
   * (default 500, as CockroachDB). `Infinity` trusts every peer; a single bad
   * clock can then push this one arbitrarily far ahead.
   */
  readonly maxOffsetMs?: number;
  /** Persist an upper bound, for monotonicity across restarts. Off by default. */
  readonly upperBound?: UpperBoundOptions;
  /** Told of wall-clock backward steps and counter overflows (see events.ts). */
  readonly onEvent?: (event: ClockEvent) => void;
}

/** The options, checked, with every default filled in. */
export interface ClockConfig {
  readonly wall: WallClock;
  readonly node: NodeId;
  readonly maxOffsetMs: number;
  readonly onEvent: ((event: ClockEvent) => void) | undefined;
  readonly upperBound:
    | { readonly restoredMs: number; readonly windowMs: number; readonly persist: (boundMs: number) => void }
    | undefined;
}

export function configOf(options: HybridLogicalClockOptions): ClockConfig {
  const { wall, node, maxOffsetMs = defaultMaxOffsetMs, upperBound, onEvent } = options;
  if (wall?.kind !== "wall" || typeof wall.now !== "function") {
    throw new TypeError("HybridLogicalClock: options.wall must be a WallClock");
  }
  checkNodeId(node, "HybridLogicalClock: options.node");
  checkNumber("HybridLogicalClock: maxOffsetMs", maxOffsetMs);
  if (!(maxOffsetMs >= 0)) {
    throw new RangeError(`HybridLogicalClock: maxOffsetMs must be >= 0 (or Infinity), got ${String(maxOffsetMs)}`);
  }
  if (onEvent !== undefined && typeof onEvent !== "function") {
    throw new TypeError("HybridLogicalClock: options.onEvent must be a function");
  }
  if (upperBound === undefined) return { wall, node, maxOffsetMs, onEvent, upperBound: undefined };
  const { restoredMs = 0, windowMs = defaultUpperBoundWindowMs, persist } = upperBound;
  if (typeof persist !== "function") throw new TypeError("HybridLogicalClock: upperBound.persist must be a function");
  if (!(Number.isSafeInteger(windowMs) && windowMs >= 1)) {
    throw new RangeError(
      `HybridLogicalClock: upperBound.windowMs must be an integer >= 1, got ${describeValue(windowMs)}`,
    );
  }
  if (!(Number.isSafeInteger(restoredMs) && restoredMs >= 0 && restoredMs <= wallMsMax)) {
    throw new RangeError(
      `HybridLogicalClock: upperBound.restoredMs must be an integer in [0, ${wallMsMax}], got ${describeValue(restoredMs)}`,
    );
  }
  return { wall, node, maxOffsetMs, onEvent, upperBound: { restoredMs, windowMs, persist } };
}
