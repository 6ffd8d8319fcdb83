/**
 * The load generator as a separate process, which is how every benchmark
 * should run it: in the benchmark's own process its CPU would be taken from
 * (or hidden in) the event loop of whatever else runs there. The child is
 * plain `node` on the compiled entry, or `node --conditions=@skew/source
 * --import tsx` on the source when this module itself runs from source
 * (tests), so both work without a build step between them: the condition
 * makes the child load the workspace packages it imports (`@skew/env`) from
 * their sources too, as vitest does: a test must pass with nothing built.
 */
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { LoadOptions, LoadResult } from "./load.js";

/** Room for the one line of JSON the child prints, and a stack trace if it fails. */
const outputBytesMax = 1 << 20;

/** Documented runtime failure of the child: it exited non-zero, was killed, or printed no result. */
export class LoadProcessError extends Error {
  override name = "LoadProcessError";
  readonly code = "LOAD_PROCESS_FAILED";
  /** The child's standard error, for the message a benchmark prints. */
  readonly stderr: string;

  constructor(message: string, stderr: string, options?: { cause?: unknown }) {
    super(message, options);
    this.stderr = stderr;
  }
}

/**
 * The arguments after `node` that run the load generator on `options` in a
 * process of its own: `execFile(process.execPath, loadProcessArgs(o))`
 * prints one line of JSON, a `LoadResult`.
 */
export function loadProcessArgs(options: LoadOptions): string[] {
  const file = fileURLToPath(import.meta.url);
  const fromSource = file.endsWith(".ts");
  const entry = join(dirname(file), fromSource ? "main.ts" : "main.js");
  // tsx resolved from here, not from the child's working directory, so any cwd works.
  const loader = fromSource
    ? ["--conditions=@skew/source", "--import", pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href]
    : [];
  return [...loader, entry, JSON.stringify(options)];
}

/** Runs the load generator in a child process and resolves to its result; `signal` kills the child. */
export function runLoadProcess(options: LoadOptions, signal?: AbortSignal): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      loadProcessArgs(options),
      { maxBuffer: outputBytesMax, ...(signal === undefined ? {} : { signal }) },
      (error, stdout, stderr) => {
        if (error !== null) {
          const why = signal?.aborted ? "was stopped" : `failed (${error.message.split("\n")[0]})`;
          reject(
            new LoadProcessError(`the load generator ${why}${stderr ? `: ${stderr.trim()}` : ""}`, stderr, {
              cause: error,
            }),
          );
          return;
        }
        try {
          resolve(parseLoadResult(stdout));
        } catch (cause) {
          reject(
            new LoadProcessError(
              `the load generator printed no result: ${JSON.stringify(stdout.slice(0, 200))}`,
              stderr,
              { cause },
            ),
          );
        }
      },
    );
  });
}

/** Reads the child's line back; JSON has no NaN (a run without a single answer prints null), so null becomes NaN again. */
export function parseLoadResult(text: string): LoadResult {
  const raw = JSON.parse(text) as Record<string, unknown>;
  const number = (key: keyof LoadResult): number => {
    const value = raw[key];
    if (value === null) return Number.NaN;
    if (typeof value !== "number") throw new TypeError(`${key} is not a number in ${text}`);
    return value;
  };
  return {
    requests: number("requests"),
    warmupRequests: number("warmupRequests"),
    errors: number("errors"),
    non2xx: number("non2xx"),
    rps: number("rps"),
    p50Ms: number("p50Ms"),
    p99Ms: number("p99Ms"),
    maxMs: number("maxMs"),
  };
}
