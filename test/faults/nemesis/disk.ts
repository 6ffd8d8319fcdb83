/**
 * Disk faults, done to a node's data directory while its process is dead
 * (the nemesis kills it first and restarts it after).
 *
 * Lost unsynced writes. A process killed with SIGKILL loses nothing the
 * kernel already holds: LevelDB's `write()` to its log reached the page
 * cache, and the next open reads it back. What relaxed durability risks is
 * a power cut, which loses whatever the kernel had not written to the disk
 * yet: a suffix of the write-ahead log. That is what is done here: the size
 * of the log is noted, the writes of the next `tailMs` go on, the process
 * is killed, and the log is cut back to the noted size (or emptied, when
 * LevelDB moved to a new log in between: the old one's contents had been
 * written to a synced table). A cut can fall inside a record, as a torn
 * write would; LevelDB drops the torn tail when it opens the log.
 *
 * A corrupted record. One stored record gets one byte flipped, through
 * LevelDB itself (so the database stays readable and only the record is
 * wrong): the record's own CRC-32C (kv's record codec) must catch it when
 * the node restores its state, and anti-entropy must repair it from a
 * replica.
 */
import { readdir, stat, truncate } from "node:fs/promises";
import { join } from "node:path";
import { Random } from "@skew/env";
import { ClassicLevel } from "classic-level";

/** The node's LevelDB lives in `<data dir>/db` (packages/node/src/storage/constants.ts, `databaseDirName`). */
const databaseDirName = "db";
/** The sublevel of records (packages/node/src/storage/layout.ts: `v/` stored as `!v!`). */
const recordPrefix = "!v!";

export interface LogMark {
  readonly file: string;
  readonly bytes: number;
}

/** The write-ahead log LevelDB writes now (the highest-numbered `NNNNNN.log`), and its size. */
export async function markLog(dataDir: string): Promise<LogMark> {
  const dir = join(dataDir, databaseDirName);
  const logs = (await readdir(dir)).filter((name) => /^\d+\.log$/.test(name)).sort();
  const newest = logs.at(-1);
  if (newest === undefined) throw new Error(`no write-ahead log in ${dir}`);
  const file = join(dir, newest);
  return { file, bytes: (await stat(file)).size };
}

/** Cuts the log back to `mark` (the process must be dead); the bytes cut, which the next open never sees. */
export async function cutLogTo(dataDir: string, mark: LogMark): Promise<number> {
  const now = await markLog(dataDir);
  if (now.file === mark.file) {
    if (now.bytes <= mark.bytes) return 0;
    await truncate(now.file, mark.bytes);
    return now.bytes - mark.bytes;
  }
  // LevelDB moved to a new log after the mark: everything in it came later.
  await truncate(now.file, 0);
  return now.bytes;
}

export interface Corruption {
  /** The stored key, as LevelDB holds it (`!v!<bucket>\0<key>`). */
  readonly key: string;
  readonly byte: number;
  readonly records: number;
}

/**
 * Flips one byte of one record (picked with `seed`, preferring records whose key contains `prefer`) in the
 * database of a dead node; undefined when it stores no record yet.
 */
export async function corruptRecord(dataDir: string, seed: number, prefer = ""): Promise<Corruption | undefined> {
  const db = new ClassicLevel<string, Uint8Array>(join(dataDir, databaseDirName), {
    keyEncoding: "utf8",
    valueEncoding: "view",
  });
  await db.open();
  try {
    const keys: string[] = [];
    for await (const key of db.keys({ gte: recordPrefix, lt: `${recordPrefix}\uffff` })) keys.push(key);
    if (keys.length === 0) return undefined;
    const preferred = keys.filter((key) => key.includes(prefer));
    const random = Random.seeded(seed);
    const key = random.pick(preferred.length > 0 ? preferred : keys);
    const value = await db.get(key);
    if (value === undefined || value.length === 0) return undefined;
    const corrupted = Uint8Array.from(value);
    const byte = random.int(0, corrupted.length - 1);
    corrupted[byte] = (corrupted[byte] as number) ^ 0xff;
    await db.put(key, corrupted, { sync: true });
    return { key, byte, records: keys.length };
  } finally {
    await db.close();
  }
}
