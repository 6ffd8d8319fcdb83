/**
 * A coordinator's view of one read in flight (Riak's `riak_kv_get_fsm`): it
 * asks all N replicas (a fallback in place of each suspected primary, see
 * targets.ts), answers once R have replied (PR of them primaries),
 * with the join of what they returned, then keeps listening until every
 * replica has answered or the deadline passes, and repairs those that
 * returned less than the join (read repair, Dynamo section 4.7). A replica
 * whose copy failed its checksum counts as having none, so it is repaired
 * too and the damaged copy is never served.
 *
 * Sloppy reads: R counts a fallback's reply when it holds something for the
 * key (its own copy joined with the hints it holds, so a sloppy write is
 * readable by a sloppy read). A fallback that holds nothing answers "none",
 * and that none counts only once every target has replied: a fallback is
 * not a replica, so its none says nothing about the key (Riak's
 * `notfound_ok = false`, for fallbacks only; a primary's none is an answer).
 * Counting it at once, as Dynamo's R does, let a coordinator that briefly
 * suspected one primary answer an r = 1 read with "none" from the empty
 * fallback standing in for it while the other two primaries held the value
 * (found by the fault suite, test/faults, seed 939765340). PR counts
 * primaries only: a strict quorum. Read repair goes to primaries only: a
 * fallback is not a replica of the key, and what it holds for the key
 * reaches the primary by handoff.
 *
 * A recovering primary (node/recovery.ts: it may have forgotten writes it
 * acknowledged) counts as a fallback does: towards R when it holds
 * something, never towards PR. Its copy is merged, and it is repaired.
 * Once every target has replied without meeting the quorum, the read is
 * refused at once rather than at its deadline.
 */
import { type KvRecord, mergeRecords, recordsEqual } from "../record/index.js";
import type { NormalRequest } from "../requests.js";
import type { ReplyTo } from "./reply-to.js";

export class ReadCoordination {
  readonly kind = "read";
  /** What each replica returned: a record, or undefined for none (or a damaged one). */
  readonly #replies = new Map<string, KvRecord | undefined>();
  /** Primaries that replied while recovering: their replies count as a fallback's. */
  readonly #recovering = new Set<string>();
  #merged: KvRecord | undefined;
  replied = false;

  constructor(
    readonly replyTo: ReplyTo,
    readonly request: NormalRequest,
    readonly targets: readonly string[],
    readonly primaries: ReadonlySet<string>,
    readonly deadlineMs: number,
  ) {}

  /** The replies in, a fallback's "none" included. */
  get replies(): number {
    return this.#replies.size;
  }

  get merged(): KvRecord | undefined {
    return this.#merged;
  }

  /** `recovering`: the replica said it may have forgotten writes it acknowledged (node/recovery.ts). */
  reply(from: string, record: KvRecord | undefined, recovering = false): void {
    if (!this.targets.includes(from) || this.#replies.has(from)) return;
    this.#replies.set(from, record);
    if (recovering) this.#recovering.add(from);
    if (record !== undefined) this.#merged = this.#merged === undefined ? record : mergeRecords(this.#merged, record);
  }

  /** R replies that say something about the key (every reply once all are in), PR of them primaries not recovering. */
  get quorumMet(): boolean {
    const all = this.allReplied;
    let counted = 0;
    let primaries = 0;
    for (const [node, record] of this.#replies) {
      const primary = this.#countsAsPrimary(node);
      if (primary) primaries++;
      if (primary || record !== undefined || all) counted++;
    }
    return counted >= this.request.quorum && primaries >= this.request.primaryQuorum;
  }

  /** Replies counted towards PR: primaries not recovering. */
  get primariesCounted(): number {
    let counted = 0;
    for (const node of this.#replies.keys()) if (this.#countsAsPrimary(node)) counted++;
    return counted;
  }

  /** A primary's reply counts as one unless the primary is recovering (it counts as a fallback's then). */
  #countsAsPrimary(node: string): boolean {
    return this.primaries.has(node) && !this.#recovering.has(node);
  }

  get allReplied(): boolean {
    return this.#replies.size === this.targets.length;
  }

  /** The replicas that answered with less than the join: they get it back. */
  stale(): string[] {
    const merged = this.#merged;
    if (merged === undefined) return [];
    const out: string[] = [];
    for (const [node, record] of this.#replies) {
      if (!this.primaries.has(node)) continue;
      if (record === undefined || !recordsEqual(record, merged)) out.push(node);
    }
    return out;
  }
}
