/**
 * Seeds and replay, as in VOPR (`zig build vopr -- <seed>`) and FoundationDB
 * (`fdbserver -r simulation -s <seed>`): a randomized test runs many seeds;
 * when one fails, the failure names the seed and a single command that
 * replays exactly that run. The simulator reads no environment variable
 * itself (it has no access to the process); the test passes `process.env` in,
 * and `SEED=<n>` there runs only seed `n`.
 */
import { SimError } from "./errors.js";
import { checkInteger } from "./validate.js";

export interface RunSeedsOptions {
  /** How many seeds to run (first, first + 1, ...). */
  readonly count: number;
  /** The first seed (default 1). */
  readonly first?: number;
  /** Where `SEED` is read from: pass `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The test's name, as `vitest -t` matches it, for the replay command. */
  readonly test: string;
  /** Builds the replay command (default `replayCommand(seed, test)`). */
  readonly command?: (seed: number) => string;
}

/** `SEED=<seed> npx vitest run -t "<test>"`, run from the package directory. */
export function replayCommand(seed: number, test: string): string {
  const pattern = test.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/["`$\\]/g, "\\$&");
  return `SEED=${seed} npx vitest run -t "${pattern}"`;
}

/** The seeds a run covers: only `SEED` when it is set, else `count` seeds from `first`. */
export function seedsToRun(options: RunSeedsOptions): number[] {
  const fromEnv = options.env?.SEED;
  if (fromEnv !== undefined && fromEnv !== "") {
    const seed = Number(fromEnv);
    checkInteger("SEED", seed, -0x8000_0000, 0xffff_ffff);
    return [seed];
  }
  checkInteger("runSeeds: count", options.count, 1, 1_000_000);
  const first = options.first ?? 1;
  checkInteger("runSeeds: first", first, -0x8000_0000, 0xffff_ffff - options.count + 1);
  return Array.from({ length: options.count }, (_, i) => first + i);
}

/**
 * Runs `body` once per seed, in order. The first failure is rethrown as a
 * `SimError` (`SEED_FAILED`) whose message starts with the seed and the
 * replay command and whose `cause` is the original error.
 */
export async function runSeeds(
  options: RunSeedsOptions,
  body: (seed: number) => void | Promise<void>,
): Promise<number[]> {
  if (typeof options.test !== "string" || options.test === "") throw new TypeError("runSeeds: test must name the test");
  const seeds = seedsToRun(options);
  const command = options.command ?? ((seed: number) => replayCommand(seed, options.test));
  for (const seed of seeds) {
    try {
      await body(seed);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new SimError("SEED_FAILED", `seed ${seed} failed; replay with:\n  ${command(seed)}\n${message}`, {
        cause: error,
      });
    }
  }
  return seeds;
}
