/**
 * Temp directories and stores for the storage tests: each test gets its own
 * directories under os.tmpdir(); every store opened through `open` is closed
 * and every directory removed after the test.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, vi } from "vitest";
import { type Durability, LevelStore, type LevelStoreOptions } from "../../src/storage/index.js";

export const text = new TextEncoder();

export function bytes(value: string): Uint8Array {
  return text.encode(value);
}

/** kv keys in ascending order of their UTF-8 bytes, as LevelDB orders them. */
export function byUtf8Key<T>(entries: ReadonlyArray<readonly [string, T]>): Array<[string, T]> {
  return entries
    .map(([key, value]): [string, T] => [key, value])
    .sort(([a], [b]) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")));
}

export function storageFixture() {
  const dirs: string[] = [];
  const stores: LevelStore[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const store of stores.splice(0)) await store.close();
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });
  return {
    async dir(): Promise<string> {
      const dir = await mkdtemp(path.join(tmpdir(), "skew-storage-"));
      dirs.push(dir);
      return dir;
    },
    async open(
      dir: string,
      durability: Durability = "sync",
      more: Omit<LevelStoreOptions, "dir" | "durability"> = {},
    ): Promise<LevelStore> {
      const store = await LevelStore.open({ dir, durability, ...more });
      stores.push(store);
      return store;
    },
  };
}

/** Lets the microtasks queued so far run (a group write starts on the next microtask after a submit). */
export function nextMicrotask(): Promise<void> {
  return Promise.resolve();
}
