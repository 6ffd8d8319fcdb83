/**
 * The hybrid logical clock of Kulkarni, Demirbas et al., "Logical Physical
 * Clocks and Consistent Snapshots in Globally Distributed Databases" (2014),
 * with the defences CockroachDB (pkg/util/hlc) adds for production:
 *
 * - Causality: a timestamp is greater than every timestamp of an event that
 *   happened before it (on this node, or on a node it heard from).
 * - Closeness: its wall part `l` is at least the local wall clock, and more
 *   only by what it has heard from peers, which are within the skew bound.
 * - Never poisoned: a received timestamp more than `maxOffsetMs` ahead of the
 *   local wall clock is refused and leaves the clock unchanged, so one peer
 *   with a broken clock cannot drag every node into the future.
 * - Monotonic: a backward step of the wall clock only makes the counter tick;
 *   a counter that runs out carries into the wall part instead of wrapping;
 *   and with an upper bound persisted ahead of time (CockroachDB's
 *   `wallTimeUpperBound`), a restarted node starts above every timestamp it
 *   issued before it crashed.
 *
 * The clock is a deterministic state machine: time comes in through the
 * `WallClock` it is given, durability through a callback the driver supplies.
 */
import { assert, describeValue, err, ok, type Result, type WallClock } from "@skew/env";
import { timestampsPerMs, wallMsMax } from "./constants.js";
import { ClockOffsetError, type ClockOffsetRejection, HlcError } from "./errors.js";
import type { ClockEvent } from "./events.js";
import { configOf, type HybridLogicalClockOptions } from "./options.js";
import { checkNodeId, checkTimestamp, logicalOf, type NodeId, pack, type Timestamp, wallOf } from "./timestamp.js";

export class HybridLogicalClock {
  readonly node: NodeId;
  readonly maxOffsetMs: number;
  readonly #wall: WallClock;
  readonly #onEvent: ((event: ClockEvent) => void) | undefined;
  readonly #persist: ((boundMs: number) => void) | undefined;
  readonly #windowMs: number;
  // The mutable numbers are initialised where they are declared, with
  // numbers: a field that starts out `undefined` is stored tagged by V8, and
  // then every double written to it is a fresh 16-byte heap allocation.
  /** The latest timestamp issued: the paper's (l, c), packed. */
  #last = pack(0, 0);
  /**
   * `maxOffsetMs` in packed units: a remote timestamp at or past the local
   * reading plus this is too far ahead. (A wall part is a whole number of ms,
   * so `wallOf(remote) - pt > maxOffsetMs` is `remote >= (pt + floor(maxOffsetMs) + 1, 0)`.)
   */
  #refusedFrom = 0;
  /** The last bound persisted, in ms; `Infinity` when the clock persists none. */
  #upperBoundMs = Number.POSITIVE_INFINITY;
  /** The first timestamp that needs a higher bound persisted, or is past the representable range. */
  #reservedEnd = (wallMsMax + 1) * timestampsPerMs;
  /**
   * Timestamps at or past this take the careful path: `#reservedEnd`, or 0
   * (every timestamp) when there is an `onEvent` to tell. The common path
   * checks this one number.
   */
  #carefulFrom = (wallMsMax + 1) * timestampsPerMs;
  /** The wall clock reading behind the latest timestamp, to notice a backward step (kept only for `onEvent`). */
  #physicalMs = 0;
  #persisting = false;

  constructor(options: HybridLogicalClockOptions) {
    const { wall, node, maxOffsetMs, onEvent, upperBound } = configOf(options);
    this.#wall = wall;
    this.node = node;
    this.maxOffsetMs = maxOffsetMs;
    this.#refusedFrom = (Math.floor(maxOffsetMs) + 1) * timestampsPerMs;
    this.#onEvent = onEvent;
    this.#persist = upperBound?.persist;
    this.#windowMs = upperBound?.windowMs ?? 0;
    if (upperBound !== undefined) {
      // Everything issued before the restart had a wall part below the restored
      // bound, so starting at (restoredMs, 0) puts every new timestamp above it.
      this.#last = pack(upperBound.restoredMs, 0);
      this.#upperBoundMs = upperBound.restoredMs;
      this.#reservedEnd = upperBound.restoredMs * timestampsPerMs;
    }
    this.#carefulFrom = onEvent === undefined ? this.#reservedEnd : 0;
  }

  /**
   * The latest timestamp issued (on a restored clock, until it issues one,
   * the floor it starts from). Every later timestamp is greater.
   */
  get last(): Timestamp {
    return this.#last;
  }

  /** The last upper bound persisted, in ms; `undefined` when the clock persists none. */
  get upperBoundMs(): number | undefined {
    return this.#persist === undefined ? undefined : this.#upperBoundMs;
  }

  /**
   * A timestamp for a local or send event. The paper's rule is
   * `l' = max(l, pt); c' = l' == l ? c + 1 : 0`; on packed timestamps that is
   * `max((pt, 0), (l, c) + 1)`: if pt > l, (pt, 0) is the larger; otherwise
   * (l, c + 1) is. When c is at its maximum, + 1 carries into l.
   */
  now(): Timestamp {
    const physicalMs = this.#readWall();
    // #issue, spelled out: the hot path of the clock stays one small function that inlines.
    const next = larger(physicalMs * timestampsPerMs, this.#last + 1);
    if (next >= this.#carefulFrom) return this.#issueCarefully(next, physicalMs);
    this.#last = next as Timestamp;
    return next as Timestamp;
  }

  /**
   * A timestamp for receiving a message stamped `remote` by `peer`: greater
   * than both the clock's last timestamp and `remote`. Throws a
   * `ClockOffsetError` (leaving the clock unchanged) if `remote` is more than
   * `maxOffsetMs` ahead of the local wall clock.
   */
  receive(remote: Timestamp, peer: NodeId): Timestamp {
    checkTimestamp(remote, "HybridLogicalClock.receive");
    checkNodeId(peer, "HybridLogicalClock.receive");
    const physicalMs = this.#readWall();
    if (remote >= physicalMs * timestampsPerMs + this.#refusedFrom) {
      throw new ClockOffsetError(this.#rejection(remote, peer, physicalMs));
    }
    return this.#merge(remote, physicalMs);
  }

  /** As `receive`, with a refusal returned as a value instead of thrown. */
  tryReceive(remote: Timestamp, peer: NodeId): Result<Timestamp, ClockOffsetRejection> {
    checkTimestamp(remote, "HybridLogicalClock.tryReceive");
    checkNodeId(peer, "HybridLogicalClock.tryReceive");
    const physicalMs = this.#readWall();
    if (remote >= physicalMs * timestampsPerMs + this.#refusedFrom) {
      return err(this.#rejection(remote, peer, physicalMs));
    }
    return ok(this.#merge(remote, physicalMs));
  }

  /**
   * One receive event for a batch of timestamps from `peer` (a batch message,
   * or a queue drained at once): all or nothing. The result is greater than
   * every timestamp in the batch; if any is too far ahead, the clock takes in
   * none of them and the error names the latest. An empty batch is a local
   * event.
   */
  receiveAll(remotes: readonly Timestamp[], peer: NodeId): Timestamp {
    return this.receive(latestOf(remotes, "HybridLogicalClock.receiveAll"), peer);
  }

  /** As `receiveAll`, with a refusal returned as a value instead of thrown. */
  tryReceiveAll(remotes: readonly Timestamp[], peer: NodeId): Result<Timestamp, ClockOffsetRejection> {
    return this.tryReceive(latestOf(remotes, "HybridLogicalClock.tryReceiveAll"), peer);
  }

  /**
   * The paper's receive rule, `l' = max(l, l.m, pt)` with c' = max(c, c.m) +
   * 1, c + 1, c.m + 1 or 0 as l' equals both l and l.m, only l, only l.m, or
   * neither, is on packed timestamps `max((pt, 0), (l, c) + 1, (l.m, c.m) +
   * 1)`: the larger of (l, c) and (l.m, c.m) plus one, unless pt is past both
   * wall parts. Each case of the paper is one way for a term to be largest.
   */
  #merge(remote: Timestamp, physicalMs: number): Timestamp {
    return this.#issue(larger(larger(physicalMs * timestampsPerMs, this.#last + 1), remote + 1), physicalMs);
  }

  /**
   * Commits `next` as the latest timestamp and returns it. A counter that
   * would pass `logicalMax` has already carried into the wall part (the + 1
   * of the packed arithmetic): the clock moves one millisecond ahead rather
   * than wrap (which would break monotonicity) or refuse (which would stop
   * the node).
   */
  #issue(next: number, physicalMs: number): Timestamp {
    if (next >= this.#carefulFrom) return this.#issueCarefully(next, physicalMs);
    this.#last = next as Timestamp;
    return next as Timestamp;
  }

  /** As `#issue`, for a timestamp that needs a bound persisted, is past the range, or has an observer to tell. */
  #issueCarefully(next: number, physicalMs: number): Timestamp {
    if (next >= this.#reservedEnd) this.#reserve(next);
    this.#last = next as Timestamp;
    const onEvent = this.#onEvent;
    if (onEvent !== undefined) this.#observe(onEvent, next as Timestamp, physicalMs);
    return next as Timestamp;
  }

  /** Makes room for `next`: persists a higher bound, or fails if the range is exhausted. */
  #reserve(next: number): void {
    const wallMs = Math.floor(next / timestampsPerMs);
    const persist = this.#persist;
    const boundMs = Math.min(wallMs + this.#windowMs, wallMsMax);
    if (persist === undefined || boundMs <= wallMs) {
      throw new HlcError("HLC_TIMESTAMP_OVERFLOW", `no timestamp can carry a wall time past ${wallMsMax} ms`);
    }
    if (this.#persisting) throw new TypeError("HybridLogicalClock: upperBound.persist must not use the clock");
    this.#persisting = true;
    try {
      persist(boundMs);
    } catch (cause) {
      throw new HlcError("HLC_UPPER_BOUND_PERSIST_FAILED", `persisting the upper bound ${boundMs} ms failed`, {
        cause,
      });
    } finally {
      this.#persisting = false;
    }
    assert(boundMs > this.#upperBoundMs, "a persisted upper bound only grows");
    this.#upperBoundMs = boundMs;
    this.#reservedEnd = boundMs * timestampsPerMs;
    if (this.#onEvent === undefined) this.#carefulFrom = this.#reservedEnd;
  }

  /**
   * Reports what the timestamp just issued reveals. Only a carry leaves a
   * zero counter on a wall part past the wall clock: every other way to a
   * zero counter is taking the wall clock itself.
   */
  #observe(onEvent: (event: ClockEvent) => void, issued: Timestamp, physicalMs: number): void {
    const previousMs = this.#physicalMs;
    this.#physicalMs = physicalMs;
    if (physicalMs < previousMs) onEvent({ kind: "wall-clock-backward", previousMs, physicalMs });
    const wallMs = wallOf(issued);
    if (wallMs > physicalMs && logicalOf(issued) === 0) onEvent({ kind: "logical-overflow", wallMs, physicalMs });
  }

  /** The wall clock in whole milliseconds, checked to be one a timestamp can carry. */
  #readWall(): number {
    const reading = this.#wall.now();
    const physicalMs = Math.floor(reading);
    if (physicalMs >= 0 && physicalMs <= wallMsMax) return physicalMs;
    throw wallClockOutOfRange(reading);
  }

  #rejection(remote: Timestamp, peer: NodeId, physicalMs: number): ClockOffsetRejection {
    return {
      code: "HLC_CLOCK_OFFSET_EXCEEDED",
      peer,
      remote,
      physicalMs,
      offsetMs: wallOf(remote) - physicalMs,
      maxOffsetMs: this.maxOffsetMs,
    };
  }
}

/** Kept out of `#readWall` so that the clock read stays small enough to inline. */
function wallClockOutOfRange(reading: number): HlcError {
  return new HlcError(
    "HLC_WALL_CLOCK_OUT_OF_RANGE",
    `the wall clock read ${describeValue(reading)}, outside [0, ${wallMsMax}] ms since the Unix epoch`,
  );
}

/**
 * The larger of two numbers known not to be NaN: a compare and a select.
 * `Math.max` must also order NaN and -0, and costs about a nanosecond more on
 * the clock's hot path, where neither can occur.
 */
function larger(a: number, b: number): number {
  // biome-ignore lint/complexity/useMathMinMax: see above; the operands are never NaN.
  return a > b ? a : b;
}

/** The latest of a batch of timestamps, each checked; timestamp zero (never ahead of anything) for an empty batch. */
function latestOf(remotes: readonly Timestamp[], where: string): Timestamp {
  if (!Array.isArray(remotes)) throw new TypeError(`${where}: expected an array of timestamps`);
  let latest = pack(0, 0);
  for (const remote of remotes) {
    checkTimestamp(remote, where);
    if (remote > latest) latest = remote;
  }
  return latest;
}
