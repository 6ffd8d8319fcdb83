/**
 * A coordinator's view of one read at a timestamp (`get` with `at`, issue 5,
 * last-write-wins buckets): it asks the key's preference list (primaries
 * only: a fallback holds hints, not a history) for the newest version at or
 * before `at`, and answers once R replicas (PR of them primaries, which they
 * all are) answered from their history, with the greatest answer in the LWW
 * order (time, writer node, then a tombstone above a value and the larger
 * value: the record order). A replica whose history was truncated above `at`
 * answers `HISTORY_TRUNCATED`, which counts as a failure: once too few
 * replicas are left to make R, the read fails definitely with
 * `HISTORY_TRUNCATED` (a read writes nothing). No read repair: the answers
 * are past versions, not the replicas' current state.
 *
 * Safe time is checked before this starts (snapshot.ts, which also reads
 * each key of a `snapshot` with one of these).
 */

import type { ReplyTo } from "../coordinator/reply-to.js";
import { type Failure, failure } from "../errors.js";
import type { Version } from "../history/index.js";
import { compareVersions } from "../history/index.js";
import { compareValues } from "../record/record.js";
import type { GetReply, NormalRequest } from "../requests.js";

export class ReadAtCoordination {
  readonly kind = "read-at";
  readonly #answered = new Set<string>();
  #correct = 0;
  #truncated = 0;
  #horizon = Number.NEGATIVE_INFINITY;
  #best: Version | undefined;

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

  /** A replica's answer: its version at `at` (null: none), or the horizon its history was truncated at. */
  answer(from: string, version: Version | null, horizon: number | null): void {
    if (!this.targets.includes(from) || this.#answered.has(from)) return;
    this.#answered.add(from);
    if (horizon !== null) {
      this.#truncated++;
      this.#horizon = Math.max(this.#horizon, horizon);
      return;
    }
    this.#correct++;
    if (version === null) return;
    const best = this.#best;
    const order = best === undefined ? 1 : compareVersions(version, best) || compareValues(version.value, best.value);
    if (order > 0) this.#best = version;
  }

  /** The reply once decided: the merged version, or `HISTORY_TRUNCATED` once R is out of reach; else undefined. */
  outcome(): GetReply | Failure | undefined {
    if (this.#correct >= this.need) {
      const value = this.#best?.value ?? null;
      // A read of the past is not a read to write after: no context (a write with it would be blind anyway).
      return { ok: true, kind: "get", values: value === null ? [] : [value], context: "" };
    }
    if (this.targets.length - this.#truncated < this.need) {
      const detail = `${this.#truncated} of ${this.targets.length} replicas dropped the versions at ${this.at} (horizon up to ${this.#horizon})`;
      return failure("HISTORY_TRUNCATED", true, detail, { got: this.#correct, need: this.need });
    }
    return undefined;
  }
}
