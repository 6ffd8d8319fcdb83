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

import type { Failure } from "../errors.js";
import type { Version } from "../history/index.js";
import { compareVersions } from "../history/index.js";
import { compareValues } from "../record/record.js";
import type { GetReply } from "../requests.js";
import { ReadAtQuorum } from "./read-at-quorum.js";

export class ReadAtCoordination extends ReadAtQuorum {
  readonly kind = "read-at";
  #best: Version | undefined;

  /**
   * A replica's answer: its version at `at` (null: none), or the horizon its
   * history was truncated at, or that it is recovering (no answer).
   */
  answer(from: string, version: Version | null, horizon: number | null, recovering = false): void {
    if (!this.admit(from)) return;
    if (recovering) {
      this.recovering();
      return;
    }
    if (horizon !== null) {
      this.truncated(horizon);
      return;
    }
    this.answered();
    if (version === null) return;
    const best = this.#best;
    const order = best === undefined ? 1 : compareVersions(version, best) || compareValues(version.value, best.value);
    if (order > 0) this.#best = version;
  }

  /** The reply once decided: the merged version, or `HISTORY_TRUNCATED` once R is out of reach; else undefined. */
  outcome(): GetReply | Failure | undefined {
    if (this.decided) {
      const value = this.#best?.value ?? null;
      // A read of the past is not a read to write after: no context (a write with it would be blind anyway).
      return { ok: true, kind: "get", values: value === null ? [] : [value], context: "" };
    }
    return this.refusal("versions");
  }
}
