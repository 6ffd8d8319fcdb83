/**
 * The drain between a live workload's stop and its final read: every
 * operation already sent must end (acknowledged, failed, or given up at
 * the client timeout) before the final read, or the read could miss a
 * write still in flight and call it lost. A client gives up after its
 * timeout, so an operation still pending well past it is a driver bug, and
 * the drain says so rather than wait for ever.
 */

/** How often a drain looks whether every operation has ended, ms. */
export const drainPollMs = 10;
/** Beyond the client timeout, what a drain may take before the run is declared stuck (a driver bug), ms. */
export const drainMarginMs = 5_000;

export interface DrainOptions {
  /** True once no operation is in flight. */
  readonly idle: () => boolean;
  /** The clients' timeout, ms: no operation outlives it by much. */
  readonly clientTimeoutMs: number;
  /** A monotonic clock, ms, and a way to wait on it (real time for a live run). */
  readonly nowMs: () => number;
  readonly wait: (ms: number) => Promise<void>;
  /** Checked at each look: a failure the driver recorded ends the drain with it. */
  readonly failure?: () => unknown;
  /** Who drains, for the error. */
  readonly what: string;
}

/** Resolves once every operation has ended; rejects on the driver's failure or past the timeout and margin. */
export async function drainOperations(options: DrainOptions): Promise<void> {
  const limitMs = options.clientTimeoutMs + drainMarginMs;
  const deadlineMs = options.nowMs() + limitMs;
  while (!options.idle()) {
    const failure = options.failure?.();
    if (failure !== undefined) throw failure;
    if (options.nowMs() > deadlineMs) {
      throw new Error(`${options.what}: operations still in flight ${limitMs} ms after the stop`);
    }
    await options.wait(drainPollMs);
  }
}
