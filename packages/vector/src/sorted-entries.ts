/**
 * The kernels under `VectorClock`: merge-walks over entry lists kept as two
 * parallel arrays, node ids in increasing JavaScript string order and their
 * positive counters beside them. A walk touches each entry once, hashes
 * nothing, and stops as soon as its answer is known. Lists over the same ids,
 * the common case (a fixed set of replicas), are walked by position, and
 * with interned ids (see node-id.ts) each id check is one pointer comparison.
 *
 * The kernels trust their inputs: sorted, unique, positive, never mutated.
 * `VectorClock` guarantees all of that.
 */

/**
 * How two entry lists relate, as bits: `leftAhead` when some counter of the
 * left one is greater, `rightAhead` when some counter of the right one is.
 * Neither bit: equal. Both: concurrent. Counters are positive, so an id
 * present on one side only puts that side ahead.
 */
export const leftAhead = 1;
export const rightAhead = 2;
export const bothAhead = leftAhead | rightAhead;

/** Index of `id` in the sorted `ids`, or `-(insertion point) - 1` when absent (Java's binarySearch convention). */
export function indexOf(ids: readonly string[], id: string): number {
  let low = 0;
  let high = ids.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const candidate = ids[middle] as string;
    if (candidate === id) return middle;
    if (candidate < id) low = middle + 1;
    else high = middle - 1;
  }
  return -low - 1;
}

/** The relation bits of two entry lists, stopping as soon as both sides are ahead. */
export function relate(
  aIds: readonly string[],
  a: readonly number[],
  bIds: readonly string[],
  b: readonly number[],
): number {
  let relation = 0;
  let i = 0;
  if (aIds === bIds) {
    for (; i < a.length; i++) {
      const p = a[i] as number;
      const q = b[i] as number;
      if (p === q) continue;
      relation |= p > q ? leftAhead : rightAhead;
      if (relation === bothAhead) return bothAhead;
    }
    return relation;
  }
  // By position while the ids agree, then (if they stop agreeing) a merge-walk from there.
  if (aIds.length === bIds.length) {
    for (; i < aIds.length; i++) {
      if (aIds[i] !== bIds[i]) break;
      const p = a[i] as number;
      const q = b[i] as number;
      if (p === q) continue;
      relation |= p > q ? leftAhead : rightAhead;
      if (relation === bothAhead) return bothAhead;
    }
    if (i === aIds.length) return relation;
  }
  const na = aIds.length;
  const nb = bIds.length;
  let j = i;
  while (i < na && j < nb) {
    const x = aIds[i] as string;
    const y = bIds[j] as string;
    if (x === y) {
      const p = a[i++] as number;
      const q = b[j++] as number;
      if (p === q) continue;
      relation |= p > q ? leftAhead : rightAhead;
    } else if (x < y) {
      relation |= leftAhead;
      i++;
    } else {
      relation |= rightAhead;
      j++;
    }
    if (relation === bothAhead) return bothAhead;
  }
  if (i < na) relation |= leftAhead;
  if (j < nb) relation |= rightAhead;
  return relation;
}

/** True when two id lists name the same nodes. */
export function sameIds(aIds: readonly string[], bIds: readonly string[]): boolean {
  if (aIds.length !== bIds.length) return false;
  for (let i = 0; i < aIds.length; i++) if (aIds[i] !== bIds[i]) return false;
  return true;
}

/**
 * The entrywise maximum of two counter lists over the same ids: `a` or `b`
 * itself when it already is the maximum (nothing allocated), else a new
 * array. One pass finds the first entry where `b` is ahead; if `a` was not
 * ahead before it, a second pass looks for one where `a` is; only when both
 * are ahead somewhere is the copy made, from that first entry on.
 */
export function maxOfAligned(a: readonly number[], b: readonly number[]): readonly number[] {
  const n = a.length;
  let i = 0;
  let aAhead = false;
  for (; i < n; i++) {
    const p = a[i] as number;
    const q = b[i] as number;
    if (q > p) break;
    if (p > q) aAhead = true;
  }
  if (i === n) return a;
  if (!aAhead) {
    let j = i + 1;
    while (j < n && (a[j] as number) <= (b[j] as number)) j++;
    if (j === n) return b;
  }
  const out = a.slice();
  for (; i < n; i++) {
    const q = b[i] as number;
    if (q > (out[i] as number)) out[i] = q;
  }
  return out;
}

/**
 * The union of two entry lists with the greater counter of each id. When one
 * side already names every id of the union, its id array is reused, so
 * clocks that grow from one another keep sharing ids.
 */
export function mergeEntries(
  aIds: readonly string[],
  a: readonly number[],
  bIds: readonly string[],
  b: readonly number[],
): { ids: readonly string[]; counters: number[] } {
  const na = aIds.length;
  const nb = bIds.length;
  const ids: string[] = [];
  const counters: number[] = [];
  let i = 0;
  let j = 0;
  while (i < na && j < nb) {
    const x = aIds[i] as string;
    const y = bIds[j] as string;
    if (x === y) {
      ids.push(x);
      counters.push(Math.max(a[i++] as number, b[j++] as number));
    } else if (x < y) {
      ids.push(x);
      counters.push(a[i++] as number);
    } else {
      ids.push(y);
      counters.push(b[j++] as number);
    }
  }
  for (; i < na; i++) {
    ids.push(aIds[i] as string);
    counters.push(a[i] as number);
  }
  for (; j < nb; j++) {
    ids.push(bIds[j] as string);
    counters.push(b[j] as number);
  }
  // The union contains both id lists, so a union of the same length is the same list.
  return { ids: ids.length === na ? aIds : ids.length === nb ? bIds : ids.slice(), counters: counters.slice() };
}
