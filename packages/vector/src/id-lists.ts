/**
 * One array per distinct set of node ids. `compare` and `merge` are fastest
 * when both clocks hold the very same id array: the merge-walk over ids
 * becomes one pointer comparison and a loop over counters. Clocks derived
 * from one another by `increment` and `merge` share their id array anyway;
 * this table gives clocks built independently (`from`, an `increment` or a
 * `merge` that adds a node) the same benefit, which is the common case in a
 * store where every key's clock names the same few replicas. `decode` does
 * not look its ids up: the lookup (about 1.7 µs for 16 ids, measured) costs
 * more than the comparisons of a just-decoded clock save.
 *
 * A cache, not state: no result depends on it, only speed. It is bounded by
 * `idListsSharedMax`; once full, new lists are kept unshared. Id arrays are
 * never mutated after a clock is built, which is what makes sharing safe.
 */
import { idListsSharedMax } from "./constants.js";

const shared = new Map<string, readonly string[]>();

/** The shared array with the same ids in the same order as `ids`, or `ids` itself (then shared, while there is room). */
export function sharedIdList(ids: readonly string[]): readonly string[] {
  if (ids.length === 0) return noIds;
  const key = keyOf(ids);
  const known = shared.get(key);
  if (known !== undefined) return known;
  if (shared.size < idListsSharedMax) shared.set(key, ids);
  return ids;
}

const noIds: readonly string[] = [];

/** An unambiguous spelling of a list of ids: each prefixed by its length. */
function keyOf(ids: readonly string[]): string {
  let key = "";
  for (const id of ids) key += `${id.length}:${id}`;
  return key;
}
