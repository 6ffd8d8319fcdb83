/**
 * @skew/hlc: the hybrid logical clock of Kulkarni et al. 2014, with
 * CockroachDB's defences: a max offset that refuses far-future peers,
 * monotonicity across backward wall-clock steps, and an upper bound persisted
 * ahead of time for monotonicity across restarts.
 *
 * A timestamp is a branded number (wall milliseconds and a logical counter,
 * packed), so issuing and comparing one allocates nothing.
 */

export { HybridLogicalClock } from "./clock.js";
export {
  defaultMaxOffsetMs,
  defaultUpperBoundWindowMs,
  encodedBytes,
  encodedStringLength,
  logicalMax,
  wallMsMax,
} from "./constants.js";
export { decodeBinary, encodeBinary, encodeBinaryInto } from "./encoding/binary.js";
export { decodeJson, encodeJson, type TimestampJson } from "./encoding/json.js";
export { decodeString, encodeString } from "./encoding/sortable-string.js";
export { ClockOffsetError, type ClockOffsetRejection, HlcError, type HlcErrorCode } from "./errors.js";
export type { ClockEvent, LogicalOverflowEvent, WallClockBackwardEvent } from "./events.js";
export type { HybridLogicalClockOptions, UpperBoundOptions } from "./options.js";
export {
  ascending,
  compare,
  compareWithNode,
  isTimestamp,
  logicalOf,
  type NodeId,
  type Timestamp,
  timestamp,
  timestampMax,
  wallOf,
} from "./timestamp.js";
