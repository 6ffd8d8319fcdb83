/**
 * The scenarios' documented runtime errors (each listed in the README), as
 * every Skew package keeps its own registry of codes: what a user typed
 * wrong (an unknown scenario name, a seed that is not one) is a
 * `ScenarioError` with a code and a message that says what would have been
 * right. Programming mistakes are plain `TypeError`/`RangeError`.
 */
import { SkewError } from "@skew/env";

export const scenarioErrorCodes = Object.freeze({
  /** No scenario has that name; the message lists every valid one. */
  SCENARIO_UNKNOWN: "no scenario has that name",
  /** The seed is not an integer in the simulator's range. */
  SCENARIO_SEED_INVALID: "the seed is not a 32-bit integer",
});

export type ScenarioErrorCode = keyof typeof scenarioErrorCodes;

export class ScenarioError extends SkewError<ScenarioErrorCode> {
  override name = "ScenarioError";
}
