/**
 * Runs a scenario's test over several seeds with @skew/sim's `runSeeds`: the
 * first failing seed becomes a `SEED_FAILED` error whose message starts with
 * the seed and two commands that replay it (the test alone, from the
 * repository root, and the scenario's narration through the CLI).
 * `SEED=<n>` in the environment runs only seed n.
 */
import { runSeeds } from "@skew/sim";

/** Seeds each scenario test covers by default: enough to vary delays and draws, few enough to stay fast. */
export const seedCount = 10;

export interface SeedsOptions {
  /** The test's name, exactly as vitest's `-t` will match it. */
  readonly test: string;
  /** The test file, relative to packages/bench/test/scenarios. */
  readonly file: string;
  /** The scenario's name, for `skew scenario run`. */
  readonly scenario: string;
  readonly count?: number;
}

/** The command that replays one seed of one test, from the repository root. */
export function replayCommandFor(options: SeedsOptions, seed: number): string {
  const pattern = options.test.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/["`$\\]/g, "\\$&");
  return (
    `cd packages/bench && SEED=${seed} npx vitest run test/scenarios/${options.file} -t "${pattern}"\n` +
    `  or, to read its narration: skew scenario run ${options.scenario} --seed ${seed}`
  );
}

export async function forEachSeed(options: SeedsOptions, body: (seed: number) => Promise<void>): Promise<number[]> {
  return runSeeds(
    {
      count: options.count ?? seedCount,
      env: process.env,
      test: options.test,
      command: (seed) => replayCommandFor(options, seed),
    },
    body,
  );
}
