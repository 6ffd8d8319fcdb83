/** Records: what a replica stores per key, how versions merge, how they become bytes, and the client's context. */

export { decodeRecord, encodeRecord, recordDigest, siblingCodec } from "./codec.js";
export { type Context, contextOf, parseContext } from "./context.js";
export {
  type CausalRecord,
  causalWrite,
  compareLwwRecords,
  compareValues,
  fencedRecord,
  fenceOf,
  isTombstone,
  type KvRecord,
  type LwwRecord,
  liveValues,
  mergeRecords,
  recordsEqual,
  type Sibling,
  siblingsEqual,
  type Value,
  valuesEqual,
} from "./record.js";
export { compareStamps, type LwwStamp } from "./stamp.js";
