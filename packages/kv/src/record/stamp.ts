/**
 * The timestamp of a last-write-wins write, and the order that decides which
 * write wins.
 *
 * A stamp is (fence, time, node). The fencing token is the most significant
 * part, as the chapter's "fencing with multiple replicas" (section 4.3) asks:
 * any write of a newer leaseholder beats any write of an older one, whatever
 * their clocks say, so a zombie's late write cannot win a quorum read. Then
 * the time, read at the coordinator from the bucket's clock (wall
 * milliseconds for `lww-wall`, as Cassandra; a Lamport counter; a packed HLC
 * timestamp; TrueTime's `latest`). Then the coordinator's node id, compared
 * by UTF-16 code units (JavaScript's `<`, never a locale), as Lamport's total
 * order breaks ties.
 *
 * Two writes can still share a stamp: one coordinator, one millisecond, two
 * writes under `lww-wall`. The record order (`compareLwwRecords` in
 * merge.ts) then puts a tombstone above a value (Cassandra's rule: a delete
 * wins a tie) and a larger value above a smaller one, byte by byte, so that
 * every replica picks the same winner and merging stays a join.
 */
export interface LwwStamp {
  /** The writer's fencing token; 0 for a write without one. */
  readonly fence: number;
  /** The coordinator's clock reading; its unit depends on the bucket's mode. */
  readonly time: number;
  /** The coordinator's node id. */
  readonly node: string;
}

/** Negative, zero or positive as `a` is below, equal to or above `b` in (fence, time, node) order. */
export function compareStamps(a: LwwStamp, b: LwwStamp): number {
  if (a.fence !== b.fence) return a.fence < b.fence ? -1 : 1;
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  if (a.node !== b.node) return a.node < b.node ? -1 : 1;
  return 0;
}
