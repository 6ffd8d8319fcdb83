/**
 * Every category of malformed request the HTTP fuzz sends (client-cases.ts,
 * peer-cases.ts), and the one function that turns a drawn case into what
 * goes on the wire. Each case carries a defect no well-behaved node accepts,
 * so a 2xx is a bug, but for one category: a correctly signed envelope of
 * garbage messages, which the node may take (kv then counts and drops what
 * does not parse).
 */
import type fc from "fast-check";
import { type ClientCase, type ClientCategory, clientArbitraries, clientCategories } from "./client-cases.js";
import {
  type MustCount,
  materializePeer,
  type PeerCase,
  type PeerCategory,
  peerArbitraries,
  peerCategories,
  type SendContext,
} from "./peer-cases.js";
import type { FuzzTargets, WireRequest } from "./wire.js";

export { type MustCount, recordBytes, type SendContext } from "./peer-cases.js";
export type { FuzzTargets, WireRequest } from "./wire.js";

export const categories = [...clientCategories, ...peerCategories] as const;

export type Category = ClientCategory | PeerCategory;

export type FuzzCase = ClientCase | PeerCase;

export function fuzzArbitraries(targets: FuzzTargets): Readonly<Record<Category, fc.Arbitrary<FuzzCase>>> {
  return { ...clientArbitraries(targets), ...peerArbitraries(targets) };
}

function isPeerCase(fuzzCase: FuzzCase): fuzzCase is PeerCase {
  return (peerCategories as readonly string[]).includes(fuzzCase.category);
}

/** The request of a case, now, and what kv must count if the node takes it. */
export function materialize(
  fuzzCase: FuzzCase,
  targets: FuzzTargets,
  context: SendContext,
): { request: WireRequest; counts: MustCount } {
  if (isPeerCase(fuzzCase)) return materializePeer(fuzzCase, targets, context);
  return { request: fuzzCase.request, counts: { malformed: 0, damaged: 0 } };
}
