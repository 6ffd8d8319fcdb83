/**
 * Which sublevel holds which of kv's keys. @skew/kv names every stored key
 * with a short prefix (packages/kv/src/node/storage.ts); each prefix gets a
 * sublevel of its own, so a kind of data can be listed, counted or compacted
 * without scanning the others. The sublevel's name is the prefix without its
 * slash, and the key inside it is the rest of kv's key, so `v/a\0b` is stored
 * as `!v!a\0b`.
 *
 * The prefixes are listed in ascending order: reading the sublevels in this
 * order gives kv's keys back in the ascending order of the keys themselves,
 * the order the simulator's store gives them in as well.
 */
import { hasLoneSurrogate } from "@skew/env";

export const storedPrefixes = [
  /** `g/<bucket>\0<key>`: ghosts, tombstones removed by garbage collection (kv node/tombstones.ts). */
  "g/",
  /** `h/...`: hinted writes held for a replica that was down (kv node/hints.ts). */
  "h/",
  /** `hc/...`: the history of causal keys (kv node/causal-history.ts). */
  "hc/",
  /** `hv/...`: the history of LWW keys and its horizon (kv node/lww-history.ts). */
  "hv/",
  /** `m/...`: metadata: incarnation, dvv epoch, Lamport counter, the HLC's upper bound. */
  "m/",
  /** `v/<bucket>\0<key>`: records, the replica's data (kv record/codec.ts). */
  "v/",
] as const;

export type StoredPrefix = (typeof storedPrefixes)[number];

export const metaPrefix = "m/" satisfies StoredPrefix;

const prefixes: ReadonlySet<string> = new Set(storedPrefixes);

/** The sublevel name of a prefix: the prefix without its slash. */
export function sublevelNameOf(prefix: StoredPrefix): string {
  return prefix.slice(0, -1);
}

/**
 * Splits one of kv's keys into its prefix and the key inside the prefix's
 * sublevel. Throws a `TypeError` for a key no sublevel holds: kv writes only
 * the prefixes above, so any other key is a bug in the caller, and a key with
 * a lone surrogate would be stored as a different key (UTF-8 cannot carry it).
 */
export function splitStoredKey(key: unknown): { readonly prefix: StoredPrefix; readonly rest: string } {
  if (typeof key !== "string") throw new TypeError(`storage: a key must be a string, got ${typeof key}`);
  const prefix = key.slice(0, key.indexOf("/") + 1);
  if (!prefixes.has(prefix)) {
    throw new TypeError(
      `storage: the key ${JSON.stringify(key.slice(0, 32))} has no known prefix (${storedPrefixes.join(", ")})`,
    );
  }
  if (hasLoneSurrogate(key)) throw new TypeError("storage: a key must not hold a lone surrogate (not valid UTF-8)");
  return { prefix: prefix as StoredPrefix, rest: key.slice(prefix.length) };
}
