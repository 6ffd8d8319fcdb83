/**
 * The simulator's documented runtime errors (each listed in the README), as
 * abstract-level keeps `LEVEL_*` codes: a test that fails because the system
 * under test misbehaved gets a `SimError` with a code, the seed and the
 * virtual time. Programming mistakes (an unknown node id, a negative
 * duration, a probability outside [0, 1]) are plain `TypeError`/`RangeError`.
 */
import { SkewError } from "@skew/env";

export type SimErrorCode =
  /** A node's handler, timer callback or start hook threw; `cause` holds what it threw. */
  | "NODE_THREW"
  /** The invariant given to `runPhases` failed during the safety phase. */
  | "INVARIANT_VIOLATED"
  /** After the faults healed, the system did not converge within the liveness phase. */
  | "LIVENESS_TIMEOUT"
  /** One run dispatched `eventsPerRunMax` events: a protocol that never quiesces, or a timer loop of zero delay. */
  | "EVENTS_EXHAUSTED"
  /** A run under `runSeeds` failed; the message holds the seed and the command that replays it. */
  | "SEED_FAILED";

export class SimError extends SkewError<SimErrorCode> {
  override name = "SimError";
}
