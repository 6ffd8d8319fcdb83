/**
 * The fencing checker (chapter 4.3, "Fencing tokens"): a store that takes
 * fencing tokens must never accept a write of an older token once a write
 * of a newer one was acknowledged, and a read that began after the newer
 * write was acknowledged must never show a value written under an older
 * token (the zombie leaseholder's write, landing late).
 *
 * Writes are `write` operations whose invoke value is `{ id, fence }`;
 * reads are `read` operations whose ok value is the ids read.
 */
import { idsRead, malformed, type Op, type Operation, operations, writeIdOf } from "../history.js";

export interface FencingReport {
  /** Fenced writes invoked, and acknowledged. */
  readonly attempted: number;
  readonly acknowledged: number;
  /** Acknowledged writes invoked after a write of a newer token was acknowledged: the store accepted a zombie. */
  readonly staleAccepted: readonly number[];
  /** Writes of an older token that a read showed after a newer token's write was acknowledged. */
  readonly staleRead: readonly number[];
  /** One line per violation. */
  readonly violations: readonly string[];
}

export function checkFencing(ops: readonly Op[], finalRead?: readonly number[]): FencingReport {
  const all = operations(ops);
  const writes = new Map<number, Operation & { readonly fence: number }>();
  for (const operation of all) {
    if (operation.f !== "write") continue;
    const fence = (operation.value as { fence?: unknown } | null)?.fence;
    if (!(typeof fence === "number" && Number.isSafeInteger(fence) && fence >= 0)) {
      malformed(`a fenced write's value must be { id, fence }, got ${JSON.stringify(operation.value)}`);
    }
    writes.set(writeIdOf(operation), { ...operation, fence });
  }
  const acknowledged = [...writes.values()].filter((w) => w.type === "ok");
  /** The newest token acknowledged before `us`, and by which write. */
  const newestBefore = (us: number) => {
    let newest: (Operation & { readonly fence: number }) | undefined;
    for (const w of acknowledged) if (w.completeUs < us && (newest === undefined || w.fence > newest.fence)) newest = w;
    return newest;
  };
  const violations: string[] = [];
  const staleAccepted: number[] = [];
  for (const [id, w] of writes) {
    if (w.type !== "ok") continue;
    const newest = newestBefore(w.invokeUs);
    if (newest !== undefined && newest.fence > w.fence) {
      staleAccepted.push(id);
      violations.push(
        `write ${id} of token ${w.fence} acknowledged after write ${writeIdOf(newest)} of token ${newest.fence} was`,
      );
    }
  }
  const reads = all
    .filter((op) => op.f === "read" && op.type === "ok")
    .map((op) => ({ at: op.invokeUs, ids: idsRead(op) }));
  if (finalRead !== undefined) reads.push({ at: Number.POSITIVE_INFINITY, ids: finalRead });
  const staleRead = new Set<number>();
  for (const { at, ids } of reads) {
    const newest = newestBefore(at);
    if (newest === undefined) continue;
    for (const id of ids) {
      const w = writes.get(id);
      if (w !== undefined && w.fence < newest.fence && !staleRead.has(id)) {
        staleRead.add(id);
        violations.push(
          `write ${id} of token ${w.fence} read after write ${writeIdOf(newest)} of token ${newest.fence} was acknowledged`,
        );
      }
    }
  }
  return {
    attempted: writes.size,
    acknowledged: acknowledged.length,
    staleAccepted: staleAccepted.sort((a, b) => a - b),
    staleRead: [...staleRead].sort((a, b) => a - b),
    violations,
  };
}
