/** The CLI's exit codes (cli.ts documents them) and its usage error. */
export const exitCodes = Object.freeze({
  ok: 0,
  other: 1,
  usage: 2,
  notFound: 3,
  failedDefinitely: 4,
  failedIndefinitely: 5,
  unreachable: 6,
});

/** A mistake in how the command was called: printed with the command's name, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** `parseArgs`' own errors are usage errors too. */
export function usageErrorOf(error: unknown): UsageError {
  return new UsageError(error instanceof Error ? error.message : String(error));
}
