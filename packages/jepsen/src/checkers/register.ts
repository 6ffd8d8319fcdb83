/**
 * The register checker: what became of each acknowledged write to one key,
 * judged from real-time order alone (the history's times are the driver's,
 * which no node can read or skew), as the chapter frames LWW's failure
 * (section 3.3: "writes mysteriously disappear"; "LWW cannot distinguish
 * sequential from concurrent writes").
 *
 * A read must show an acknowledged write `w` when it began after `w` was
 * acknowledged and no other write that may have taken effect (acknowledged,
 * or of unknown outcome) was invoked between `w`'s acknowledgement and the
 * read's end: nothing could have replaced `w` legitimately. The final read
 * comes after every operation. Then:
 *
 * - lost: an acknowledged write some read had to show and did not. Writes
 *   concurrent with `w` do not excuse it: a store that resolves a conflict
 *   by dropping an acknowledged write has lost it (a causal store keeps
 *   both as siblings); a write invoked after `w` was acknowledged does.
 * - wrong order: a lost write whose read showed an older write instead, one
 *   acknowledged before `w` was even invoked (the newer write was overwritten
 *   by the older one: a stamp from a fast clock beat a later one from a
 *   slow clock).
 * - definitely failed writes that appeared: a `fail` promised nothing was
 *   written, and some read showed it.
 * - unexpected: an id that no write carried.
 *
 * An `info` write counts as completing at infinity (it may land any time),
 * so it never strictly precedes anything and may excuse everything after
 * its invocation. Jepsen's linearizability checker (Knossos) would decide
 * more; these counts are what the lost-update comparison reports, and they
 * run in O(reads x writes they must show).
 */
import { idsRead, malformed, type Op, type Operation, operations, writeIdOf } from "../history.js";

export interface RegisterReport {
  /** Writes invoked, and acknowledged. */
  readonly attempted: number;
  readonly acknowledged: number;
  /** Successful reads judged, the final one included. */
  readonly readsChecked: number;
  /** Acknowledged writes some read had to show and did not, ascending. */
  readonly lost: readonly number[];
  /** Of those, the writes a read showed an older write in place of. */
  readonly wrongOrder: readonly number[];
  /** Writes that failed definitely and that some read showed. */
  readonly definiteAppeared: readonly number[];
  /** Ids read that no write carried. */
  readonly unexpected: readonly number[];
}

interface Read {
  readonly invokeUs: number;
  readonly completeUs: number;
  readonly ids: readonly number[];
}

/**
 * Judges the `write` and `read` operations of `ops` (one key), and the
 * final read's ids if there is one (omit it when the final read failed).
 */
export function checkRegister(ops: readonly Op[], finalRead?: readonly number[]): RegisterReport {
  const all = operations(ops);
  const writes = new Map<number, Operation>();
  for (const operation of all) {
    if (operation.f !== "write") continue;
    const id = writeIdOf(operation);
    if (writes.has(id)) malformed(`write id ${id} was written twice`);
    writes.set(id, operation);
  }
  const reads: Read[] = all
    .filter((op) => op.f === "read" && op.type === "ok")
    .map((op) => ({ ...op, ids: idsRead(op) }));
  if (finalRead !== undefined) {
    reads.push({ invokeUs: Number.POSITIVE_INFINITY, completeUs: Number.POSITIVE_INFINITY, ids: finalRead });
  }
  // Writes that may have taken effect, by invocation; acknowledged ones, by acknowledgement.
  const effectiveInvokes = [...writes.values()]
    .filter((w) => w.type !== "fail")
    .map((w) => w.invokeUs)
    .sort((a, b) => a - b);
  const acknowledged = [...writes.entries()]
    .filter(([, w]) => w.type === "ok")
    .sort(([, a], [, b]) => a.completeUs - b.completeUs);
  const acknowledgedAt = acknowledged.map(([, w]) => w.completeUs);

  const lost = new Set<number>();
  const wrongOrder = new Set<number>();
  const definiteAppeared = new Set<number>();
  const unexpected = new Set<number>();
  for (const read of reads) {
    const shown = new Set(read.ids);
    for (const id of shown) {
      const write = writes.get(id);
      if (write === undefined) unexpected.add(id);
      else if (write.type === "fail") definiteAppeared.add(id);
    }
    // The last invocation of a write that may have replaced another before the read ended.
    const lastInvokeUs = effectiveInvokes[countBelow(effectiveInvokes, read.completeUs) - 1] ?? -1;
    // Must show: acknowledged at or after that invocation, and before the read began.
    const from = countBelow(acknowledgedAt, lastInvokeUs);
    const to = countBelow(acknowledgedAt, read.invokeUs);
    for (let i = from; i < to; i++) {
      const [id, write] = acknowledged[i] as [number, Operation];
      if (shown.has(id)) continue;
      lost.add(id);
      const older = read.ids.some(
        (other) => (writes.get(other)?.completeUs ?? Number.POSITIVE_INFINITY) < write.invokeUs,
      );
      if (older) wrongOrder.add(id);
    }
  }
  const ascending = (set: ReadonlySet<number>) => [...set].sort((a, b) => a - b);
  return {
    attempted: writes.size,
    acknowledged: acknowledged.length,
    readsChecked: reads.length,
    lost: ascending(lost),
    wrongOrder: ascending(wrongOrder),
    definiteAppeared: ascending(definiteAppeared),
    unexpected: ascending(unexpected),
  };
}

/** How many of the ascending `sorted` are strictly below `value`. */
export function countBelow(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
