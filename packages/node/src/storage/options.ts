/**
 * What `LevelStore.open` takes and what a store reports, with the checks of
 * the options: they come from an operator (flags, a config file), so a bad
 * one is a `STORAGE_INVALID_OPTIONS` error that names it, not a crash.
 */
import { describeValue } from "@skew/env";
import { groupCommitWindowMsMax, groupWriteBytesMaxMin } from "./constants.js";
import { StorageError } from "./errors.js";

/**
 * `"sync"`: each group write is fsynced before its submits resolve (survives a
 * power loss). `"relaxed"`: written to the OS only (survives the process
 * dying, not the machine), for benchmarks and throwaway clusters.
 */
export const durabilities = ["sync", "relaxed"] as const;
export type Durability = (typeof durabilities)[number];

/** What one group write carried and how long it took, for metrics. */
export interface FlushInfo {
  /** The `submit`ted batches it carried. */
  readonly batches: number;
  /** The `enqueueMeta` puts it carried. */
  readonly metaPuts: number;
  /** Level operations, batches' and metadata's together. */
  readonly ops: number;
  /** UTF-8 bytes of the keys plus bytes of the values. */
  readonly bytes: number;
  /** From the level `batch()` call to its completion (fsync included under `"sync"`). */
  readonly durationMs: number;
}

export interface LevelStoreOptions {
  /** The node's data directory; created if missing. The database lives in `<dir>/db`. */
  readonly dir: string;
  readonly durability: Durability;
  /**
   * Called after each successful group write. It must not throw: an error it
   * throws is rethrown outside the write loop (an uncaught exception), so a
   * broken metrics hook is loud but cannot wedge the writes.
   */
  readonly onFlush?: (info: FlushInfo) => void;
  /** The most bytes one group write carries (default `groupWriteBytesMaxDefault`). */
  readonly groupWriteBytesMax?: number;
  /**
   * How long a group write waits before it starts when batches queued up
   * while the last one ran, ms (default `groupCommitWindowMsDefault`; 0: never).
   */
  readonly groupCommitWindowMs?: number;
}

/** Counters since the store was opened. */
export interface LevelStoreStats {
  /** Level `batch()` writes that completed. */
  writes: number;
  /** Of those, the writes synced to stable storage: all of them under sync durability; under relaxed, those carrying a batch that asked for it (`WriteBatch.sync`). */
  writesSynced: number;
  /** Level writes that failed (at most one: the store stops after it). */
  writesFailed: number;
  /** `submit`ted batches made durable. */
  batches: number;
  /** Of those, the batches that shared a write with an earlier batch (each write's batches minus one). */
  batchesCoalesced: number;
  /** Metadata puts made durable. */
  metaPuts: number;
  /** Level operations made durable. */
  ops: number;
  /** UTF-8 bytes of the keys plus bytes of the values made durable. */
  bytes: number;
}

export function checkOptions(options: LevelStoreOptions): void {
  const invalid = (detail: string): StorageError => new StorageError("STORAGE_INVALID_OPTIONS", detail);
  if (typeof options !== "object" || options === null) throw invalid("expected { dir, durability }");
  if (typeof options.dir !== "string" || options.dir.trim() === "" || options.dir.includes("\u0000")) {
    throw invalid(`dir must be a non-empty path, got ${describeValue(options.dir)}`);
  }
  if (!(durabilities as readonly unknown[]).includes(options.durability)) {
    throw invalid(`durability must be one of ${durabilities.join(", ")}, got ${describeValue(options.durability)}`);
  }
  if (options.onFlush !== undefined && typeof options.onFlush !== "function") {
    throw invalid("onFlush must be a function");
  }
  const max = options.groupWriteBytesMax;
  if (max !== undefined && (!Number.isSafeInteger(max) || max < groupWriteBytesMaxMin)) {
    throw invalid(
      `groupWriteBytesMax must be an integer of at least ${groupWriteBytesMaxMin} bytes, got ${describeValue(max)}`,
    );
  }
  const window = options.groupCommitWindowMs;
  if (window !== undefined && !(typeof window === "number" && window >= 0 && window <= groupCommitWindowMsMax)) {
    throw invalid(
      `groupCommitWindowMs must be a number of ms in [0, ${groupCommitWindowMsMax}], got ${describeValue(window)}`,
    );
  }
}
