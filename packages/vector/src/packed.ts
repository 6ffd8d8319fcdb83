/**
 * Arrays a clock or a set keeps, cut to their length. V8 gives an array
 * grown by `push` (or built by a spread) room for 17 elements at its first
 * push, and keeps it; a store keeps a clock and a set per key for
 * as long as the key lives, so those spare slots were most of a key's
 * metadata: about 128 B an array, 671 B of a causal key's 2,296 B per
 * replica (`@skew/kv`'s `bench/heap-per-key.ts`). `slice()` copies to the exact
 * length, and the array it copied from dies young, which costs the young
 * generation's collector next to nothing.
 */
export function packed<T>(items: T[]): T[] {
  return items.slice();
}
