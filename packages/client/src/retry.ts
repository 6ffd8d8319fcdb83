/**
 * When a call may try another node. A read writes nothing, so any failure
 * that another node might not repeat is worth another try: no answer, a
 * 5xx, `OVERLOADED`, an answer that does not parse; not a 4xx refusal of
 * the request itself, which every node would repeat. A write is tried again only if the failure was
 * definite and passing: nothing can have been written, and the cause was
 * the node or its quorum (503, 429, or no connection), not the request.
 * An indefinite failure of a write is never retried: the first write may
 * have landed, and in an LWW bucket a second one would be stamped anew,
 * perhaps over a write that came in between. That decision is the caller's:
 * read the key and see.
 */
import { retryBackoffMsBase, retryBackoffMsMax } from "./constants.js";
import type { FailureDetails } from "./errors.js";

export function mayRetry(failure: FailureDetails, writes: boolean): boolean {
  if (failure.code === "ABORTED") return false;
  const { status } = failure;
  const refused = status !== undefined && status >= 400 && status < 500 && status !== 429;
  if (!writes) return !refused;
  return failure.definite && (status === undefined || status === 503 || status === 429);
}

/**
 * The pause before retry number `retry` (1-based): exponential from
 * `retryBackoffMsBase`, capped at `retryBackoffMsMax`, half of it random so
 * that clients that failed together do not come back together.
 */
export function backoffMs(retry: number, random: () => number): number {
  const ceiling = Math.min(retryBackoffMsMax, retryBackoffMsBase * 2 ** (retry - 1));
  return ceiling / 2 + (random() * ceiling) / 2;
}
