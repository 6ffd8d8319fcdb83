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

/**
 * How long a group write waits, inside a busy period, before it starts:
 * when batches queued up while the last write ran, the next one waits this
 * long so that it carries more of them, one fsync for all (PostgreSQL's
 * `commit_delay`, MySQL's `binlog_group_commit_sync_delay`). The first
 * write after the store was idle starts at once: a lone write pays nothing.
 * On the machine the node benchmark ran on (2 cores, virtualized), a level
 * write costs about 100 µs of kernel CPU for its fsync and several thread
 * wake-ups; at 3,000 puts/s a 2 ms window cut the cluster's CPU per put by
 * 11 to 13%, at 150 connections by 7 to 8% (packages/node/README.md). 0
 * turns it off.
 */
export const groupCommitWindowMsDefault = 2;

/** The longest `groupCommitWindowMs` accepted: a window is a few ms, or it is a stall. */
export const groupCommitWindowMsMax = 100;

/** The database's directory inside the node's data directory (leaving room for other files beside it). */
export const databaseDirName = "db";
