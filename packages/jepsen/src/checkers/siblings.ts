/**
 * Siblings surfaced to clients: how often a client's read came back with
 * more than one value, which in a causal store is the price of losing
 * nothing (the client must merge them, as Riak's allow_mult asks), and in a
 * last-write-wins store must never happen. Reads are `read` operations and
 * the read halves of read-modify-writes (history.ts, `siblingsRead`).
 */
import { type Op, operations, siblingsRead } from "../history.js";

export interface SiblingsReport {
  /** Client reads whose result is known (a failed read returned nothing). */
  readonly reads: number;
  /** Of those, the reads that returned more than one value. */
  readonly surfaced: number;
  /** The most values one read returned (0 when no read returned any). */
  readonly max: number;
}

export function checkSiblings(ops: readonly Op[]): SiblingsReport {
  let reads = 0;
  let surfaced = 0;
  let max = 0;
  for (const operation of operations(ops)) {
    const siblings = siblingsRead(operation);
    if (siblings === undefined) continue;
    reads++;
    if (siblings > 1) surfaced++;
    max = Math.max(max, siblings);
  }
  return { reads, surfaced, max };
}
