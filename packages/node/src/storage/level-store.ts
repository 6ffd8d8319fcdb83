/**
 * A node's disk: @skew/kv's storage batches written to LevelDB (classic-level),
 * with group commit.
 *
 * Why group commit. kv releases an acknowledgement only once the batch behind
 * it is durable (`handleDurable`), so with `durability: "sync"` every write
 * costs an fsync. Batches submitted while a write is in flight wait, and go
 * out together as ONE level `batch()` with one fsync, in submission order
 * (PostgreSQL's and LevelDB's own group commit). Batches submitted in one
 * turn of the event loop join the same write too: a write starts on the next
 * microtask, not in `submit` itself. Within a busy period (batches queued
 * while the last write ran) the next write waits `groupCommitWindowMs`
 * before it starts, to carry more: an fsync and the wake-ups around it cost
 * more CPU than the few ms cost latency once writes queue anyway; the first
 * write after an idle spell starts at once. A write carries at most
 * `groupWriteBytesMax`; a longer queue goes out as several writes, in order.
 * Every `submit` promise resolves once the write carrying it completed, and
 * the promises resolve in submission order, which is the order kv requires
 * of `handleDurable`.
 *
 * Durability. `"sync"`: LevelDB fsyncs its log before the write completes;
 * the data survives a power loss. `"relaxed"`: the log is written to the OS
 * but not synced; the data survives the process being killed, not the
 * machine losing power (lost writes that the simulator's `SimStore` models).
 *
 * A failed write is the end. When a write fails, every submit it carried and
 * every submit queued behind it rejects with `STORAGE_WRITE_FAILED`, and so
 * does every later one: nothing tells which of the failed write's operations
 * reached the disk, and kv's memory already holds them, so memory and disk no
 * longer agree. The driver must stop the node; on restart kv rebuilds its
 * state from what the disk holds (TigerBeetle's rule: stop rather than run on
 * a state that may be wrong).
 *
 * Metadata from the HLC. The HLC persists its upper bound from inside a
 * synchronous callback, before it issues a timestamp past the old bound.
 * `enqueueMeta` puts it into the next group write (starting one if none is
 * queued), so the bound is durable no later than any batch submitted after
 * it: it travels in the same atomic write or an earlier one. kv releases a
 * reply only after the batches behind it are durable, so no client sees a
 * timestamp past the durable bound. Peer messages do not wait for the disk:
 * a driver that wants the bound to cover the timestamps they carry too holds
 * them while `metaPending` is true (`flush()` resolves when it is not).
 *
 * What is stored. Every kv key in the sublevel of its prefix (layout.ts);
 * `readAll` gives them back, prefix and all, for `new KvNode({ stored })`.
 * Merkle trees are not stored: kv rebuilds them in memory from the records
 * when it restores them, so they can never disagree with the data.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";
import { assert, describeValue, utf8Length } from "@skew/env";
import type { StorageOp, WriteBatch } from "@skew/kv";
import { ClassicLevel } from "classic-level";
import { databaseDirName, groupCommitWindowMsDefault, groupWriteBytesMaxDefault } from "./constants.js";
import { StorageError } from "./errors.js";
import { decodeHlcUpperBound, hlcUpperBoundKey } from "./hlc-upper-bound.js";
import { metaPrefix, type StoredPrefix, splitStoredKey, storedPrefixes, sublevelNameOf } from "./layout.js";
import {
  checkOptions,
  type Durability,
  type FlushInfo,
  type LevelStoreOptions,
  type LevelStoreStats,
} from "./options.js";

type Db = ClassicLevel<string, Uint8Array>;

/** One entry of the queue: a submitted batch, a metadata put, or a `flush` waiting for what came before it. */
interface Pending {
  readonly ops: readonly LevelOp[];
  readonly bytes: number;
  /** Must reach stable storage even under relaxed durability (`WriteBatch.sync`). */
  readonly sync: boolean;
  readonly kind: "batch" | "meta" | "barrier";
  readonly resolve: () => void;
  readonly reject: (error: StorageError) => void;
}

function openSublevel(db: Db, prefix: StoredPrefix) {
  return db.sublevel<string, Uint8Array>(sublevelNameOf(prefix), { keyEncoding: "utf8", valueEncoding: "view" });
}

type Sublevel = ReturnType<typeof openSublevel>;

/**
 * One operation of a group write, keyed in the root database: the key is
 * the sublevel's prefix (`!v!`) and the key inside it, the bytes the
 * sublevel itself would write. Why not the chained batch's `{ sublevel }`
 * option: abstract-level then builds each operation from a spread of that
 * option object, and in a node (where many call sites share its `put`) the
 * property stores miss their inline caches and go to the runtime: a `perf`
 * profile at 150 connections put 5 to 7% of the nodes' CPU there.
 */
type LevelOp =
  | { readonly type: "put"; readonly key: string; readonly value: Uint8Array }
  | { readonly type: "del"; readonly key: string };

export class LevelStore {
  /** The data directory, resolved to an absolute path (named in errors). */
  readonly dir: string;
  readonly durability: Durability;
  readonly #db: Db;
  readonly #sublevels: ReadonlyMap<StoredPrefix, Sublevel>;
  /** Each prefix's sublevel's own prefix in the root database (`!v!`): a group write writes through the root. */
  readonly #rootPrefix: ReadonlyMap<StoredPrefix, string>;
  readonly #onFlush: ((info: FlushInfo) => void) | undefined;
  readonly #groupWriteBytesMax: number;
  readonly #groupCommitWindowMs: number;
  readonly #stats: LevelStoreStats = {
    writes: 0,
    writesSynced: 0,
    writesFailed: 0,
    batches: 0,
    batchesCoalesced: 0,
    metaPuts: 0,
    ops: 0,
    bytes: 0,
  };
  /** Entries not yet in a write, oldest first. */
  #queue: Pending[] = [];
  /** The write loop while it runs; it ends when the queue is empty. */
  #draining: Promise<void> | undefined;
  /** Set by the first failed write; every later submit rejects with it. */
  #failure: StorageError | undefined;
  #closing: Promise<void> | undefined;
  /** Metadata puts enqueued whose write has not completed yet. */
  #metaPending = 0;

  private constructor(dir: string, db: Db, options: LevelStoreOptions) {
    this.dir = dir;
    this.durability = options.durability;
    this.#db = db;
    this.#sublevels = new Map(storedPrefixes.map((prefix) => [prefix, openSublevel(db, prefix)]));
    this.#rootPrefix = new Map([...this.#sublevels].map(([prefix, sublevel]) => [prefix, sublevel.prefix]));
    this.#onFlush = options.onFlush;
    this.#groupWriteBytesMax = options.groupWriteBytesMax ?? groupWriteBytesMaxDefault;
    this.#groupCommitWindowMs = options.groupCommitWindowMs ?? groupCommitWindowMsDefault;
  }

  /**
   * Creates (if missing) and opens the database in `<dir>/db`. Fails with
   * `STORAGE_INVALID_OPTIONS` for bad options, `STORAGE_OPEN_FAILED` when the
   * directory cannot be created, is locked by another process or another open
   * store, or the database cannot be read.
   */
  static async open(options: LevelStoreOptions): Promise<LevelStore> {
    checkOptions(options);
    const dir = path.resolve(options.dir);
    const location = path.join(dir, databaseDirName);
    try {
      await mkdir(dir, { recursive: true });
    } catch (cause) {
      throw new StorageError("STORAGE_OPEN_FAILED", `cannot create the data directory ${dir}: ${messageOf(cause)}`, {
        cause,
      });
    }
    const db: Db = new ClassicLevel<string, Uint8Array>(location, { keyEncoding: "utf8", valueEncoding: "view" });
    try {
      await db.open();
    } catch (cause) {
      const inner = causeOf(cause);
      const detail =
        codeOf(inner) === "LEVEL_LOCKED"
          ? `the data directory ${dir} is in use by another process or another open store (LevelDB's LOCK is held); ` +
            "stop the node that uses it or choose another data directory"
          : `cannot open ${location}: ${messageOf(inner)}`;
      throw new StorageError("STORAGE_OPEN_FAILED", detail, { cause });
    }
    return new LevelStore(dir, db, options);
  }

  /** A copy of the counters. */
  get stats(): Readonly<LevelStoreStats> {
    return { ...this.#stats };
  }

  /** Whether a metadata put (such as the HLC's bound) was enqueued and is not durable yet. */
  get metaPending(): boolean {
    return this.#metaPending > 0;
  }

  /** Whether `close` was called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Queues kv's batch for the next group write. The promise resolves once the
   * write carrying it is complete (durable under `"sync"`), after every
   * earlier submit's; it rejects with `STORAGE_WRITE_FAILED` or
   * `STORAGE_CLOSED`. A batch that is not kv's (a key with an unknown prefix,
   * a value that is not bytes) throws a `TypeError` and queues nothing.
   * The values must not be changed until the promise settles.
   */
  submit(batch: WriteBatch): Promise<void> {
    const { ops, bytes } = this.#levelOps(batch);
    const refusal = this.#refusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    const sync = batch.sync === true;
    return new Promise((resolve, reject) => {
      this.#enqueue({ kind: "batch", ops, bytes, sync, resolve, reject });
    });
  }

  /**
   * Puts `key` (under `m/`) into the next group write, which it starts if
   * none is queued: durable no later than any batch submitted after this
   * call. Synchronous for the HLC's persist callback, so a store that cannot
   * take it throws (`STORAGE_CLOSED`, `STORAGE_WRITE_FAILED`) and the clock
   * issues no timestamp that relies on it.
   */
  enqueueMeta(key: string, value: Uint8Array): void {
    if (typeof key !== "string" || !key.startsWith(metaPrefix)) {
      throw new TypeError(`LevelStore.enqueueMeta: the key must start with ${metaPrefix}, got ${describeValue(key)}`);
    }
    const op = this.#levelOp({ kind: "put", key, value });
    const refusal = this.#refusal();
    if (refusal !== undefined) throw refusal;
    this.#metaPending++;
    const settled = (): void => {
      this.#metaPending--;
    };
    this.#enqueue({ kind: "meta", ops: [op.op], bytes: op.bytes, sync: false, resolve: settled, reject: settled });
  }

  /** Resolves once everything submitted or enqueued before it is durable; rejects if that failed. */
  flush(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#draining === undefined) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#queue.push({ kind: "barrier", ops: [], bytes: 0, sync: false, resolve, reject });
    });
  }

  /**
   * Every stored kv key (prefix and all, as kv wrote it) and its value, in
   * ascending order of the keys' UTF-8 bytes: what `new KvNode({ stored })`
   * restores from.
   */
  async readAll(): Promise<Array<[string, Uint8Array]>> {
    this.#checkReadable();
    const entries: Array<[string, Uint8Array]> = [];
    try {
      for (const [prefix, sublevel] of this.#sublevels) {
        for await (const [key, value] of sublevel.iterator()) entries.push([prefix + key, plainBytes(value)]);
      }
    } catch (cause) {
      throw new StorageError("STORAGE_READ_FAILED", `reading ${this.dir}: ${messageOf(cause)}`, { cause });
    }
    return entries;
  }

  /** The durable value of a metadata key (`m/...`), or `undefined` when there is none. */
  async readMeta(key: string): Promise<Uint8Array | undefined> {
    if (typeof key !== "string" || !key.startsWith(metaPrefix)) {
      throw new TypeError(`LevelStore.readMeta: the key must start with ${metaPrefix}, got ${describeValue(key)}`);
    }
    this.#checkReadable();
    const meta = this.#sublevels.get(metaPrefix) as Sublevel;
    try {
      const value = await meta.get(key.slice(metaPrefix.length));
      return value === undefined ? undefined : plainBytes(value);
    } catch (cause) {
      throw new StorageError("STORAGE_READ_FAILED", `reading ${key} in ${this.dir}: ${messageOf(cause)}`, { cause });
    }
  }

  /**
   * The HLC upper bound persisted last, in ms, or `undefined` when none was.
   * Throws `STORAGE_CORRUPT` when its bytes fail their checksum.
   */
  async readHlcUpperBound(): Promise<number | undefined> {
    const bytes = await this.readMeta(hlcUpperBoundKey);
    return bytes === undefined ? undefined : decodeHlcUpperBound(bytes);
  }

  /**
   * Refuses new submits (`STORAGE_CLOSED`), writes what is queued, waits for
   * it, then closes the database. Idempotent. Fails with
   * `STORAGE_CLOSE_FAILED` only when LevelDB cannot close; a failed write is
   * reported to its submits, not here.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    while (this.#draining !== undefined) await this.#draining;
    try {
      await this.#db.close();
    } catch (cause) {
      throw new StorageError("STORAGE_CLOSE_FAILED", `closing ${this.dir}: ${messageOf(cause)}`, { cause });
    }
  }

  #refusal(): StorageError | undefined {
    if (this.#closing !== undefined) return new StorageError("STORAGE_CLOSED", `the store at ${this.dir} is closed`);
    if (this.#failure !== undefined) {
      return new StorageError("STORAGE_WRITE_FAILED", "an earlier write failed; the node cannot continue", {
        cause: this.#failure,
      });
    }
    return undefined;
  }

  #checkReadable(): void {
    if (this.#closing !== undefined) throw new StorageError("STORAGE_CLOSED", `the store at ${this.dir} is closed`);
  }

  #enqueue(pending: Pending): void {
    this.#queue.push(pending);
    this.#draining ??= this.#drain();
  }

  /**
   * The write loop: one group write at a time, each carrying what queued up
   * meanwhile. The first starts at once; each later one (the queue filled
   * while a write ran: a busy period) after the group commit window, unless
   * the store is closing. It clears `#draining` in the same turn as it finds
   * the queue empty, so an entry queued later always starts a new loop.
   */
  async #drain(): Promise<void> {
    // Let the rest of this turn's submits join the first write.
    await Promise.resolve();
    try {
      let busy = false;
      while (this.#queue.length > 0) {
        if (busy && this.#groupCommitWindowMs > 0 && this.#closing === undefined) {
          await delay(this.#groupCommitWindowMs);
        }
        await this.#writeGroup(this.#takeGroup());
        busy = true;
      }
    } finally {
      this.#draining = undefined;
    }
  }

  /** The oldest entries that fit in one write (at least one: a batch is atomic however large). */
  #takeGroup(): Pending[] {
    let bytes = 0;
    let count = 0;
    for (const pending of this.#queue) {
      if (count > 0 && bytes + pending.bytes > this.#groupWriteBytesMax) break;
      bytes += pending.bytes;
      count++;
    }
    return this.#queue.splice(0, count);
  }

  async #writeGroup(group: readonly Pending[]): Promise<void> {
    let batches = 0;
    let metaPuts = 0;
    let bytes = 0;
    let sync = this.durability === "sync";
    const ops: LevelOp[] = [];
    for (const pending of group) {
      if (pending.sync) sync = true;
      if (pending.kind === "batch") batches++;
      else if (pending.kind === "meta") metaPuts++;
      bytes += pending.bytes;
      for (const op of pending.ops) ops.push(op);
    }
    // Nothing is queued after a failure (#fail empties the queue and every entry point refuses).
    assert(this.#failure === undefined, "LevelStore: no group write after a failed one");
    const startMs = performance.now();
    try {
      if (ops.length > 0) await this.#write(ops, sync);
    } catch (cause) {
      this.#fail(cause, group);
      return;
    }
    const durationMs = performance.now() - startMs;
    if (ops.length > 0) this.#stats.writes++;
    if (ops.length > 0 && sync) this.#stats.writesSynced++;
    this.#stats.batches += batches;
    this.#stats.batchesCoalesced += Math.max(0, batches - 1);
    this.#stats.metaPuts += metaPuts;
    this.#stats.ops += ops.length;
    this.#stats.bytes += bytes;
    for (const pending of group) pending.resolve();
    if (ops.length > 0) this.#reportFlush({ batches, metaPuts, ops: ops.length, bytes, durationMs });
  }

  /**
   * One atomic level write of `ops`. Through a chained batch rather than
   * `db.batch(array)`: abstract-level copies every operation of an array
   * into a new object (`{ ...options, ...op }`), whose mixed shapes cost
   * V8 a map transition per operation; a chained batch takes each operation
   * as arguments. Measured in one process: 3.6 to 8.8 µs against 2.8 µs
   * per operation, which a node pays twice per replicated put.
   */
  async #write(ops: readonly LevelOp[], sync: boolean): Promise<void> {
    const batch = this.#db.batch();
    try {
      for (const op of ops) {
        if (op.type === "put") batch.put(op.key, op.value);
        else batch.del(op.key);
      }
    } catch (error) {
      await batch.close();
      throw error;
    }
    await batch.write({ sync });
  }

  /** Rejects the failed write's entries and everything queued behind it; refuses everything after. */
  #fail(cause: unknown, group: readonly Pending[]): void {
    this.#stats.writesFailed++;
    const failure = new StorageError(
      "STORAGE_WRITE_FAILED",
      `a group write to ${this.dir} failed (${messageOf(cause)}); the node cannot continue and must restart`,
      { cause },
    );
    this.#failure = failure;
    const queued = this.#queue;
    this.#queue = [];
    for (const pending of group) pending.reject(failure);
    for (const pending of queued) pending.reject(failure);
  }

  #reportFlush(info: FlushInfo): void {
    const onFlush = this.#onFlush;
    if (onFlush === undefined) return;
    try {
      onFlush(info);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  /** Checks kv's batch and maps it to level operations (public input: checked here, trusted after). */
  #levelOps(batch: WriteBatch): { ops: LevelOp[]; bytes: number } {
    if (typeof batch !== "object" || batch === null || !Array.isArray(batch.ops)) {
      throw new TypeError("LevelStore.submit: the batch must be { batchId, ops: StorageOp[] }");
    }
    if (!Number.isSafeInteger(batch.batchId)) {
      throw new TypeError(`LevelStore.submit: batchId must be a safe integer, got ${describeValue(batch.batchId)}`);
    }
    if (batch.sync !== undefined && batch.sync !== true) {
      throw new TypeError(`LevelStore.submit: sync is true or absent, got ${describeValue(batch.sync)}`);
    }
    const ops: LevelOp[] = [];
    let bytes = 0;
    for (const op of batch.ops) {
      const mapped = this.#levelOp(op);
      ops.push(mapped.op);
      bytes += mapped.bytes;
    }
    return { ops, bytes };
  }

  #levelOp(op: StorageOp): { op: LevelOp; bytes: number } {
    if (typeof op !== "object" || op === null) throw new TypeError("LevelStore: an operation must be an object");
    const { prefix, rest } = splitStoredKey(op.key);
    const key = (this.#rootPrefix.get(prefix) as string) + rest;
    const keyBytes = utf8Length(op.key);
    if (op.kind === "put") {
      if (!(op.value instanceof Uint8Array)) {
        throw new TypeError(`LevelStore: the value of ${JSON.stringify(op.key.slice(0, 32))} must be a Uint8Array`);
      }
      return { op: { type: "put", key, value: op.value }, bytes: keyBytes + op.value.byteLength };
    }
    if (op.kind === "delete") return { op: { type: "del", key }, bytes: keyBytes };
    throw new TypeError(`LevelStore: unknown operation kind ${describeValue((op as { kind: unknown }).kind)}`);
  }
}

/** A plain `Uint8Array` over the same memory (classic-level hands out `Buffer`s). */
function plainBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function causeOf(error: unknown): unknown {
  return error instanceof Error && error.cause !== undefined ? error.cause : error;
}

function codeOf(error: unknown): unknown {
  return typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
