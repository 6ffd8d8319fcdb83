/**
 * The quorum bookkeeping both reads at a timestamp share (read-at.ts for
 * last-write-wins buckets, causal-history.ts for causal ones), as their base
 * class: which of the preference list's primaries answered, how many from
 * their history (R of them, PR being all of them, decide the read) and how
 * many from a history truncated above `at` (once too few are left to make
 * R, the read fails definitely with `HISTORY_TRUNCATED`: a read writes
 * nothing). The subclasses merge the answers. A replica recovering the
 * key's partition (recovery.ts) does not answer: it may have lost versions
 * and supersessions it acknowledged, so its history could show a read of
 * the past less, or a sibling still live that was overwritten. Once too few
 * are left to make R for that reason alone, the read fails with
 * `UNAVAILABLE`, definitely.
 */
import type { ReplyTo } from "../coordinator/reply-to.js";
import { type Failure, failure } from "../errors.js";
import type { NormalRequest } from "../requests.js";

export abstract class ReadAtQuorum {
  readonly #answered = new Set<string>();
  #correct = 0;
  #truncated = 0;
  #recovering = 0;
  #horizon = Number.NEGATIVE_INFINITY;

  constructor(
    readonly replyTo: ReplyTo,
    readonly request: NormalRequest,
    readonly at: number,
    readonly targets: readonly string[],
    readonly deadlineMs: number,
  ) {}

  /** Replies needed: R, and PR (every target is a primary). */
  get need(): number {
    return Math.max(this.request.quorum, this.request.primaryQuorum);
  }

  get correct(): number {
    return this.#correct;
  }

  /** Whether `from` is a target that has not answered yet (it has now). */
  protected admit(from: string): boolean {
    if (!this.targets.includes(from) || this.#answered.has(from)) return false;
    this.#answered.add(from);
    return true;
  }

  /** An admitted replica answered from its history. */
  protected answered(): void {
    this.#correct++;
  }

  /** An admitted replica's history was truncated at `horizon`. */
  protected truncated(horizon: number): void {
    this.#truncated++;
    this.#horizon = Math.max(this.#horizon, horizon);
  }

  /** An admitted replica is recovering the key's partition: it gives no answer (recovery.ts). */
  protected recovering(): void {
    this.#recovering++;
  }

  /** Whether R answers are in. */
  protected get decided(): boolean {
    return this.#correct >= this.need;
  }

  /**
   * Once R is out of reach, `HISTORY_TRUNCATED` (`dropped`: what the
   * replicas dropped, for the message), or `UNAVAILABLE` when only
   * recovering replicas put it there; else undefined.
   */
  protected refusal(dropped: string): Failure | undefined {
    if (this.targets.length - this.#truncated - this.#recovering >= this.need) return undefined;
    const counts = { got: this.#correct, need: this.need };
    const recovering = `${this.#recovering} of ${this.targets.length} replicas are recovering what they may have lost`;
    if (this.#truncated === 0) return failure("UNAVAILABLE", true, `${recovering}; a read writes nothing`, counts);
    const detail = `${this.#truncated} of ${this.targets.length} replicas dropped the ${dropped} at ${this.at} (horizon up to ${this.#horizon})`;
    return failure("HISTORY_TRUNCATED", true, this.#recovering === 0 ? detail : `${detail}; ${recovering}`, counts);
  }
}
