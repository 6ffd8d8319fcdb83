/**
 * @skew/vector: exact causality. Vector clocks and version vectors answer
 * whether one event happened before another or concurrently with it; dotted
 * version vector sets keep the concurrent values of a key (siblings) with
 * metadata bounded by the number of replicas, as Riak does.
 *
 * The package is a deterministic core: it reads no clock, draws no random
 * number and does no I/O.
 */
export {
  clockBytesMax,
  counterMax,
  entriesMax,
  nodeIdBytesMax,
  siblingsMax,
  valueBytesMax,
} from "./constants.js";
export { DottedVersionVectorSet, type Sibling, type ValueCodec } from "./dotted-version-vector-set.js";
export { VectorError, type VectorErrorCode, vectorErrorCodes } from "./errors.js";
export { VectorClock, type VectorClockEntries } from "./vector-clock.js";
