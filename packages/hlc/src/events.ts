/**
 * What a clock reports about the world it cannot fix, only survive: the wall
 * clock stepping backward (an NTP step, a VM resumed from a snapshot), and
 * the logical counter running out within one millisecond. Neither breaks a
 * guarantee, but both are worth an operator's attention, so a clock hands
 * them to an `onEvent` callback (CockroachDB counts the first and logs it).
 *
 * Events are reported after the timestamp that noticed them is committed, so
 * a callback may use the clock again.
 */

/**
 * The wall clock read less than it did at the previous timestamp. The clock
 * stays monotonic: it keeps its wall part and ticks its counter until the
 * wall clock catches up.
 */
export interface WallClockBackwardEvent {
  readonly kind: "wall-clock-backward";
  /** The reading behind the previous timestamp, in ms since the Unix epoch. */
  readonly previousMs: number;
  /** The reading now, smaller. */
  readonly physicalMs: number;
}

/**
 * More than `logicalMax + 1` timestamps shared one wall millisecond, so the
 * counter carried into the wall part: the clock now runs `wallMs -
 * physicalMs` ms ahead of its wall clock, and catches up once the rate of
 * events falls below 2048 per ms.
 */
export interface LogicalOverflowEvent {
  readonly kind: "logical-overflow";
  /** The wall part of the timestamp issued, after the carry. */
  readonly wallMs: number;
  /** The wall clock reading behind it. */
  readonly physicalMs: number;
}

export type ClockEvent = WallClockBackwardEvent | LogicalOverflowEvent;
