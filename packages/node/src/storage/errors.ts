/**
 * The failures of a node's storage that an operator or the driver must act
 * on. They are runtime conditions, not bugs: another process holds the data
 * directory, the disk refused a write, the store was used after `close`.
 * Programming mistakes (a kv key with an unknown prefix, a value that is not
 * bytes) are `TypeError`s instead, as in abstract-level.
 */
import { SkewError } from "@skew/env";

export const storageErrorCodes = Object.freeze({
  /** The options given to `LevelStore.open` are not valid (an empty `dir`, an unknown durability). */
  STORAGE_INVALID_OPTIONS: "the storage options are not valid",
  /** The database could not be opened: the directory is locked by another process or store, unreadable, or damaged. */
  STORAGE_OPEN_FAILED: "the database could not be opened",
  /** A group write failed. Nothing it carried is known to be durable; the node must stop (see level-store.ts). */
  STORAGE_WRITE_FAILED: "a write to the database failed",
  /** A read of the database failed. */
  STORAGE_READ_FAILED: "a read of the database failed",
  /** Stored bytes fail their checksum or do not decode (bit rot or a torn write). */
  STORAGE_CORRUPT: "stored bytes are corrupt",
  /** The store is closing or closed. */
  STORAGE_CLOSED: "the store is closed",
  /** The database could not be closed cleanly. */
  STORAGE_CLOSE_FAILED: "the database could not be closed",
} as const);

export type StorageErrorCode = keyof typeof storageErrorCodes;

export class StorageError extends SkewError<StorageErrorCode> {
  override name = "StorageError";

  constructor(code: StorageErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(code, detail === undefined ? storageErrorCodes[code] : `${storageErrorCodes[code]}: ${detail}`, options);
  }
}
