/**
 * The limits of a node's storage. (They belong with the package's other
 * limits once it has a `constants.ts` of its own.)
 */

/**
 * The most bytes (keys and values) one group write carries when batches pile
 * up behind a slow disk. A write larger than this is split into several, in
 * order, so that one write's latency and the memory LevelDB copies it into
 * stay bounded. A single batch larger than this still goes out whole (a batch
 * is atomic). Eight kv values at `valueBytesMax` (1 MiB) fit.
 */
export const groupWriteBytesMaxDefault = 8 * 1024 * 1024;

/** The smallest `groupWriteBytesMax` accepted: below one key's worth every write would carry one batch. */
export const groupWriteBytesMaxMin = 1024;

/** The database's directory inside the node's data directory (leaving room for other files beside it). */
export const databaseDirName = "db";
