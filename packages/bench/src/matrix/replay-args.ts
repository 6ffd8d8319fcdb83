/**
 * The arguments of the two replay commands (src/matrix/replay.ts for the
 * simulator, src/live/replay.ts for real processes): `--history`, then
 * `--<flag> <value>` pairs among `flags`. A flag without its value or one
 * not listed is a `MATRIX_OPTION_INVALID` that quotes the usage.
 */
import { MatrixError } from "./errors.js";

export function parseReplayArgs(
  args: readonly string[],
  flags: readonly string[],
  usage: string,
): { readonly history: boolean; readonly values: ReadonlyMap<string, string> } {
  const history = args.includes("--history");
  const argv = args.filter((arg) => arg !== "--history");
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] as string;
    const value = argv[i + 1];
    if (!flag.startsWith("--") || value === undefined)
      throw new MatrixError("MATRIX_OPTION_INVALID", `bad arguments near ${flag}\n${usage}`);
    values.set(flag.slice(2), value);
  }
  for (const flag of values.keys()) {
    if (!flags.includes(flag)) throw new MatrixError("MATRIX_OPTION_INVALID", `unknown flag --${flag}\n${usage}`);
  }
  return { history, values };
}
