/**
 * Storage as a driver would keep it, for the history tests: the puts and
 * deletes a node's histories wrote, replayed into a map, and the stored
 * entries of one key read back from their storage keys; and the reads of
 * the past a replica answered, which must keep their answers.
 */
import { isDeepStrictEqual } from "node:util";
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

/**
 * Reads of the past a replica answered in a test, each of which must keep
 * its answer ever after (served-reads.ts): `answer(keyId, t)` reads one now,
 * giving `{ truncated: horizon }` for a read refused below the key's horizon,
 * which a later answer may be (the horizon rose past it) without changing.
 */
export class GivenAnswers {
  readonly #answer: (keyId: string, t: number) => unknown;
  readonly #given: { readonly keyId: string; readonly t: number; readonly answer: unknown }[] = [];

  constructor(answer: (keyId: string, t: number) => unknown) {
    this.#answer = answer;
  }

  /** Answers a read of `keyId` at `t` and remembers the answer. */
  give(keyId: string, t: number): void {
    this.#given.push({ keyId, t, answer: this.#answer(keyId, t) });
  }

  /** Every remembered read whose answer now differs, refusals aside: empty when the reads are repeatable. */
  changed(): { readonly keyId: string; readonly t: number; readonly given: unknown; readonly now: unknown }[] {
    const changed = [];
    for (const { keyId, t, answer: given } of this.#given) {
      const now = this.#answer(keyId, t);
      const refused = typeof now === "object" && now !== null && "truncated" in now;
      if (!refused && !isDeepStrictEqual(now, given)) changed.push({ keyId, t, given, now });
    }
    return changed;
  }
}
