/**
 * The one registry of @skew/hlc's runtime failures (fastify and abstract-level
 * keep one per package). Each code is documented here and in the README.
 *
 * A failure a caller branches on in line (a peer whose clock is too far
 * ahead) also comes back as a value from `tryReceive`; the others are thrown
 * as an `HlcError`. Programming mistakes (a node id that is not a string, a
 * negative window) are plain `TypeError` / `RangeError`.
 */
import { SkewError } from "@skew/env";
import type { NodeId, Timestamp } from "./timestamp.js";

export type HlcErrorCode =
  /**
   * A received timestamp is further ahead of the local wall clock than
   * `maxOffsetMs`: the peer's clock (or the message) is not to be trusted.
   * The clock is left unchanged. Thrown by `receive` as a `ClockOffsetError`;
   * returned by `tryReceive`.
   */
  | "HLC_CLOCK_OFFSET_EXCEEDED"
  /** Bytes, a string or a JSON value handed to a decoder is not an encoded timestamp. */
  | "HLC_MALFORMED_TIMESTAMP"
  /**
   * The wall clock read something no timestamp can carry: not a number, before
   * 1970, or after `wallMsMax` (2109). The clock is left unchanged.
   */
  | "HLC_WALL_CLOCK_OUT_OF_RANGE"
  /**
   * The next timestamp would be later than the latest one representable
   * (`wallMsMax`). Only a peer trusted without a max offset, or a wall clock
   * at the end of the range, can bring a clock there.
   */
  | "HLC_TIMESTAMP_OVERFLOW"
  /**
   * The upper-bound callback threw while the clock needed a higher bound
   * before issuing a timestamp; `cause` holds what it threw. No timestamp was
   * issued and the clock is left unchanged, so the call can be retried.
   */
  | "HLC_UPPER_BOUND_PERSIST_FAILED";

export class HlcError<Code extends HlcErrorCode = HlcErrorCode> extends SkewError<Code> {
  override name = "HlcError";
}

/** Why a received timestamp was refused: as a value from `tryReceive`, and on the `ClockOffsetError` `receive` throws. */
export interface ClockOffsetRejection {
  readonly code: "HLC_CLOCK_OFFSET_EXCEEDED";
  /** The node the timestamp came from, as the caller named it. */
  readonly peer: NodeId;
  /** The refused timestamp (for a batch, its latest one). */
  readonly remote: Timestamp;
  /** The local wall clock reading it was checked against, in ms since the Unix epoch. */
  readonly physicalMs: number;
  /** How far the remote wall time is ahead of `physicalMs`. */
  readonly offsetMs: number;
  /** The limit it exceeded. */
  readonly maxOffsetMs: number;
}

export class ClockOffsetError extends HlcError<"HLC_CLOCK_OFFSET_EXCEEDED"> implements ClockOffsetRejection {
  override name = "ClockOffsetError";
  readonly peer: NodeId;
  readonly remote: Timestamp;
  readonly physicalMs: number;
  readonly offsetMs: number;
  readonly maxOffsetMs: number;

  constructor(rejection: ClockOffsetRejection) {
    super(
      rejection.code,
      `timestamp from ${JSON.stringify(rejection.peer)} is ${rejection.offsetMs} ms ahead of the local wall clock, ` +
        `beyond the max offset of ${rejection.maxOffsetMs} ms`,
    );
    this.peer = rejection.peer;
    this.remote = rejection.remote;
    this.physicalMs = rejection.physicalMs;
    this.offsetMs = rejection.offsetMs;
    this.maxOffsetMs = rejection.maxOffsetMs;
  }
}
