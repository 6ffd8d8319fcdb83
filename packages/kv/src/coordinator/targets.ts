/**
 * Where a coordinator sends a request: the sloppy quorum of Dynamo section
 * 4.6. Each primary of the key's preference list that the failure detector
 * does not suspect gets the request itself; each suspected one is replaced by
 * the next fallback (the nodes after the preference list on the ring) that
 * is not suspected either, and a write sent there carries a hint naming the
 * primary it stands in for. When no fallback is left, the suspected primary
 * is sent the request anyway: suspicion is a guess, and a node that answers
 * after all still counts.
 *
 * The counts let the coordinator refuse up front, definitely (nothing sent),
 * when the quorum cannot be met by the nodes it believes alive: fewer than PR
 * or PW unsuspected primaries (strict quorums count primaries only), or
 * fewer than R or W unsuspected targets (Riak's "insufficient vnodes").
 */

export interface Target {
  readonly node: string;
  /** The suspected primary this fallback stands in for; undefined when `node` is a primary. */
  readonly hint: string | undefined;
}

export interface Placement {
  /** One target per primary, in preference-list order. */
  readonly targets: readonly Target[];
  /** Primaries not suspected. */
  readonly primariesUp: number;
  /** Targets not suspected: primaries and the fallbacks that replace suspected ones. */
  readonly targetsUp: number;
}

export function placeRequest(
  primaries: readonly string[],
  fallbacks: readonly string[],
  isSuspected: (node: string) => boolean,
): Placement {
  const targets: Target[] = [];
  let primariesUp = 0;
  let nextFallback = 0;
  for (const primary of primaries) {
    if (!isSuspected(primary)) {
      primariesUp++;
      targets.push({ node: primary, hint: undefined });
      continue;
    }
    while (nextFallback < fallbacks.length && isSuspected(fallbacks[nextFallback] as string)) nextFallback++;
    const fallback = fallbacks[nextFallback];
    if (fallback === undefined) targets.push({ node: primary, hint: undefined });
    else {
      nextFallback++;
      targets.push({ node: fallback, hint: primary });
    }
  }
  const targetsUp = targets.filter((target) => target.hint !== undefined || !isSuspected(target.node)).length;
  return { targets, primariesUp, targetsUp };
}
