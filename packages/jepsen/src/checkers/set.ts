/**
 * Jepsen's set checker (Kingsbury, "Call me maybe: Riak", 2013), judging a
 * history of `add` operations and the set's final read, never the store's
 * intentions: every add that was acknowledged (`ok`) must be in the final
 * read; an add that failed definitely (`fail`: nothing was written) must
 * not be; an add whose outcome is unknown (`info`, or never completed) may
 * be either. An element in the final read that nobody tried to add is a
 * corruption.
 */
import { type Op, operations } from "../history.js";

export interface SetReport {
  /** Adds invoked. */
  readonly attempted: number;
  /** Adds acknowledged (`ok`). */
  readonly acknowledged: number;
  /** Acknowledged adds found in the final read. */
  readonly survived: number;
  /** Acknowledged adds missing from the final read: the writes the store lost. */
  readonly lost: readonly number[];
  /** Adds with an unknown outcome (`info` or still pending), and how many of them are in the final read. */
  readonly indefinite: number;
  readonly indefiniteAppeared: number;
  /** Adds that failed definitely, and those of them in the final read (each one a lie of the store). */
  readonly definite: number;
  readonly definiteAppeared: readonly number[];
  /** Elements in the final read that were never attempted. */
  readonly unexpected: readonly number[];
}

/** Jepsen's set checker over `add` operations whose invoke value is the element. */
export function checkSet(ops: readonly Op[], finalSet: ReadonlySet<number>): SetReport {
  const attempted = new Set<number>();
  const acknowledged: number[] = [];
  const definite: number[] = [];
  const indefinite = new Set<number>();
  for (const operation of operations(ops)) {
    if (operation.f !== "add") continue;
    const element = operation.value as number;
    attempted.add(element);
    if (operation.type === "ok") acknowledged.push(element);
    else if (operation.type === "fail") definite.push(element);
    else indefinite.add(element);
  }
  const lost = acknowledged.filter((element) => !finalSet.has(element));
  return {
    attempted: attempted.size,
    acknowledged: acknowledged.length,
    survived: acknowledged.length - lost.length,
    lost,
    indefinite: indefinite.size,
    indefiniteAppeared: [...indefinite].filter((element) => finalSet.has(element)).length,
    definite: definite.length,
    definiteAppeared: definite.filter((element) => finalSet.has(element)),
    unexpected: [...finalSet].filter((element) => !attempted.has(element)),
  };
}
