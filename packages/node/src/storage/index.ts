/**
 * A node's storage: @skew/kv's batches on LevelDB with group commit
 * (level-store.ts, options.ts), one sublevel per kind of data (layout.ts), and the HLC's
 * persisted upper bound (hlc-upper-bound.ts).
 */
export {
  databaseDirName,
  groupCommitWindowMsDefault,
  groupCommitWindowMsMax,
  groupWriteBytesMaxDefault,
  groupWriteBytesMaxMin,
} from "./constants.js";
export { StorageError, type StorageErrorCode, storageErrorCodes } from "./errors.js";
export { decodeHlcUpperBound, encodeHlcUpperBound, hlcUpperBoundKey } from "./hlc-upper-bound.js";
export { metaPrefix, type StoredPrefix, storedPrefixes } from "./layout.js";
export { LevelStore } from "./level-store.js";
export {
  type Durability,
  durabilities,
  type FlushInfo,
  type LevelStoreOptions,
  type LevelStoreStats,
} from "./options.js";
