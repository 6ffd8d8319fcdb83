/**
 * The command that replays one seed of a test in this package, exact from
 * the repository root: `cd packages/jepsen && SEED=<n> npx vitest run
 * <file> -t "<test>"`. @skew/sim's `replayCommand` gives the vitest part
 * (with the test's name escaped for `-t` and for the shell).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { replayCommand } from "@skew/sim";

const packageRoot = path.resolve(import.meta.dirname, "../..");
const packageFromRepository = path.relative(path.resolve(packageRoot, "../.."), packageRoot);

/** For `runSeeds`' `command`: `testFile` is the test's `import.meta.url`. */
export function replayIn(testFile: string, test: string): (seed: number) => string {
  const file = path.relative(packageRoot, fileURLToPath(testFile));
  return (seed) =>
    `cd ${packageFromRepository} && ${replayCommand(seed, test).replace("npx vitest run", `npx vitest run ${file}`)}`;
}
