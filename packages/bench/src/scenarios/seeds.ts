/**
 * Seeds as users give them: on the command line (`--seed 42`) or to `run`.
 * A seed is the simulator's: a 32-bit integer, signed or not; anything else
 * is refused with a code rather than quietly rounded, since a rounded seed
 * would replay another run than the one asked for.
 */
import { describeValue } from "@skew/env";
import { seedMax, seedMin } from "./constants.js";
import { ScenarioError } from "./errors.js";

export function checkSeed(seed: unknown): number {
  if (typeof seed !== "number" || !Number.isSafeInteger(seed) || seed < seedMin || seed > seedMax) {
    throw new ScenarioError(
      "SCENARIO_SEED_INVALID",
      `a seed is an integer in [${seedMin}, ${seedMax}], got ${describeValue(seed)}`,
    );
  }
  return seed;
}

/** A seed written as decimal digits (a leading minus allowed): `"42"`, `"-7"`. */
export function parseSeed(text: string): number {
  if (!/^-?\d{1,10}$/.test(text)) {
    throw new ScenarioError(
      "SCENARIO_SEED_INVALID",
      `a seed is an integer in [${seedMin}, ${seedMax}], got ${JSON.stringify(text)}`,
    );
  }
  return checkSeed(Number(text));
}

/**
 * The seed a scenario hands the simulator for the user's seed: the user's
 * seed through Murmur3's 32-bit finalizer (after adding the golden ratio, so
 * that 0 does not map to 0). @skew/env's `Random.seeded` starts consecutive
 * seeds on correlated streams (the scenario stream of `new Simulation({ seed })`
 * drew the same `int(0, 3)` for every seed from 1 to 40), so "seed 1, 2, 3"
 * would replay nearly the same draws; mixed, neighbouring seeds land far
 * apart. The mapping is fixed, so a seed still replays exactly.
 */
export function simulationSeed(seed: number): number {
  let x = (checkSeed(seed) + 0x9e37_79b9) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85eb_ca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2_ae35);
  x ^= x >>> 16;
  return x >>> 0;
}
