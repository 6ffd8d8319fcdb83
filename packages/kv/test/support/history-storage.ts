/**
 * Storage as a driver would keep it, for the history tests: the puts and
 * deletes a node's histories wrote, replayed into a map, and the stored
 * entries of one key read back from their storage keys.
 */
import type { StorageOp } from "../../src/node/storage.js";

/** Replays `ops` (puts and deletes, in order) onto a copy of `from`. */
export function replayStorage(
  ops: readonly StorageOp[],
  from: ReadonlyMap<string, Uint8Array> = new Map(),
): Map<string, Uint8Array> {
  const disk = new Map(from);
  for (const op of ops) {
    if (op.kind === "put") disk.set(op.key, op.value);
    else if (op.kind === "delete") disk.delete(op.key);
  }
  return disk;
}

/** The parts after the key id of `keyId`'s stored entries under `prefix` (its horizon, with none, left out), sorted. */
export function storedEntries(disk: ReadonlyMap<string, Uint8Array>, prefix: string, keyId: string): unknown[] {
  const entries: unknown[] = [];
  for (const key of disk.keys()) {
    if (!key.startsWith(prefix)) continue;
    const parts = JSON.parse(key.slice(prefix.length)) as unknown[];
    if (parts[0] === keyId && parts.length > 1) entries.push(parts.slice(1));
  }
  return sortedAsText(entries);
}

/** `items` sorted by their JSON text: an order for comparing sets of small tuples. */
export function sortedAsText(items: readonly unknown[]): unknown[] {
  return [...items].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}
