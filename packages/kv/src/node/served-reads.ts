/**
 * What keeps a read of the past from changing after it was answered (issue 5,
 * safe time): the replica side of a timestamp cache.
 *
 * The hole. Safe time (snapshot.ts) guarantees that no write *started*
 * after the read can be stamped at or before `at`. It cannot stop a version
 * stamped at or before `at` that already exists somewhere from reaching a
 * replica after that replica answered: a write still in flight, a write
 * coordinated by a node that had not heard of `at` (a partitioned node's
 * write that failed its quorum, say), a hint handed off later, a repair or
 * an anti-entropy push. Recorded at its stamp, such a version would change
 * the answer of a read at `at` that was already given.
 *
 * The rule, two halves:
 *
 * 1. Each replica remembers the highest `at` it answered a read of the past
 *    at, per clock (the HLC, which stamps `lww-hlc` and `causal` writes, and
 *    TrueTime, which stamps `lww-truetime` writes). A version that arrives
 *    stamped at or below it is recorded in this replica's history as
 *    visible only from just above it (one HLC tick, one microsecond of
 *    TrueTime ms), not from its stamp, and only if it changes the key's
 *    current state (in LWW a late loser is never the answer after the
 *    served time: the current winner, stamped lower, is; before it, the
 *    answer was given). The record itself keeps its stamp: this is about
 *    when the version became visible here, not how it orders. In a causal
 *    bucket the same holds for a sibling's birth and for its supersession.
 *    This is CockroachDB's timestamp cache reduced to its low-water mark:
 *    one number per clock instead of one per key, so it costs no memory per
 *    key, and over-approximates (a late version of a key nobody read is
 *    moved up too, which only delays when it shows in this replica's
 *    history of the past).
 * 2. A read of the past in a mode with a safe time asks every primary of
 *    the key and needs all of them (snapshot.ts). A version stamped at or
 *    before `at` that exists anywhere among the primaries when the read is
 *    answered is in the answer (the answer is the newest over all of them);
 *    one that reaches any of them later is visible only after `at`. A
 *    majority would not do: a replica outside it may hold, at its stamp, a
 *    version the majority never saw, and a later read through it would see
 *    it. So the price of a repeatable read of the past is availability: it
 *    waits (or fails) while a primary is unreachable, as a read that must
 *    hear from every replica does.
 *
 * Restarts. The served marks live in memory. A restarted replica starts
 * them at its clocks' present (the HLC's `now`, TrueTime's `latest`, or the
 * wall clock until TrueTime is synchronized), which is at or above any `at`
 * it answered before: an `at` it answered, it had received (HLC) or was
 * certainly past (TrueTime), and its clocks do not go back across restarts
 * (the HLC's persisted upper bound). Stamps arriving after a restart at or
 * below that mark are moved up too: conservative, never wrong.
 *
 * `lww-wall` and `lww-lamport` have no safe time, so nothing is marked and
 * nothing is moved: a read of their past is as repeatable as it is safe.
 */
import type { ConflictMode } from "../modes.js";
import type { NodeClocks } from "./clocks.js";

/** The smallest step above a time in each clock: one HLC timestamp; one microsecond of TrueTime's ms. */
const hlcStep = 1;
const trueTimeStepMs = 0.001;

export class ServedReads {
  #hlc: number;
  #trueTime: number;

  /** Marks at the clocks' present (a start or restart: module comment); without clocks, at −∞ (nothing served yet). */
  constructor(clocks?: NodeClocks) {
    this.#hlc = clocks === undefined ? Number.NEGATIVE_INFINITY : clocks.hlc.now();
    const trueTime = clocks?.truetime.tryNow();
    if (trueTime === undefined) this.#trueTime = Number.NEGATIVE_INFINITY;
    else this.#trueTime = trueTime.ok ? trueTime.value.latest : (clocks as NodeClocks).wall.now();
  }

  /** A read of the past at `at` in a `mode` bucket was answered here. */
  served(mode: ConflictMode, at: number): void {
    if (mode === "lww-hlc" || mode === "causal") this.#hlc = Math.max(this.#hlc, at);
    else if (mode === "lww-truetime") this.#trueTime = Math.max(this.#trueTime, at);
  }

  /** Whether a version stamped `at`, arriving now, could change an answer already given. */
  late(mode: ConflictMode, at: number): boolean {
    const mark = this.#mark(mode);
    return mark !== undefined && at <= mark;
  }

  /**
   * When a version stamped `at`, arriving now, becomes visible in this
   * replica's history: its stamp; or, when late, just above the mark and
   * above `floor` (the time the key's current version became visible here,
   * which a later winner must follow).
   */
  visibleAt(mode: ConflictMode, at: number, floor = Number.NEGATIVE_INFINITY): number {
    const mark = this.#mark(mode);
    if (mark === undefined || at > mark) return at;
    return Math.max(mark, floor) + (mode === "lww-truetime" ? trueTimeStepMs : hlcStep);
  }

  #mark(mode: ConflictMode): number | undefined {
    if (mode === "lww-hlc" || mode === "causal") return this.#hlc;
    if (mode === "lww-truetime") return this.#trueTime;
    return undefined;
  }
}
