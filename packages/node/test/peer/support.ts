/** Shared settings for the peer auth and request tests: one cluster of three nodes and one secret. */

import { createPeerAuth, type PeerAuth } from "../../src/peer/auth.js";
import { type ClusterSecret, checkClusterSecret } from "../../src/peer/secret.js";

export const members = ["n1", "n2", "n3"] as const;

export function secretOf(text: string): ClusterSecret {
  const checked = checkClusterSecret(text);
  if (!checked.ok) throw checked.error;
  return checked.value;
}

export const clusterSecret = secretOf("a-shared-secret-of-32-characters");

export function authOf(
  self: string,
  options: { secret?: ClusterSecret; cluster?: string; members?: readonly string[] } = {},
): PeerAuth {
  return createPeerAuth({
    secret: options.secret ?? clusterSecret,
    cluster: options.cluster ?? "demo",
    self,
    members: options.members ?? members,
  });
}

/** A fixed point of real time for the tests: auth never reads a clock itself. */
export const realNowMs = 1_760_000_000_000;
