/**
 * What every workload shares: clients that think, invoke one operation at
 * a time and record it in the driver's history (`invoke`, then exactly one
 * of `ok` / `fail` / `info`), until stopped.
 *
 * A process whose operation ended `info` never invokes again (the old
 * operation may still be in flight), so a client continues under a new
 * process id, `c1`, `c1'`, `c1''`..., as Jepsen's workers do.
 *
 * A client process that crashes (in the simulator) takes its callbacks with
 * it: its operation stays pending in the history, which ends it `info` when
 * the test closes it, and `idle` stops waiting for it.
 */
import { describeValue, type Random } from "@skew/env";
import type { QuorumOptions } from "@skew/kv";
import type { Driver, Outcome, WorkloadClient } from "../driver.js";

/** One client and the node it sends its requests to. */
export interface ClientAt {
  readonly client: string;
  readonly node: string;
}

export interface WorkloadOptions {
  readonly driver: Driver;
  readonly bucket: string;
  readonly key: string;
  /** Think time before each of a client's operations, drawn uniformly in [0, thinkMsMax]. */
  readonly thinkMsMax: number;
  /** Where think times are drawn from (in the simulator, fork it from the simulation's stream). */
  readonly random: Random;
  /** Quorum options for every get and put (default: the store's 3/2/2 and its timeout). */
  readonly quorum?: QuorumOptions;
  /** How long a client waits for any reply before it records the outcome as unknown (default: the driver's). */
  readonly clientTimeoutMs?: number;
}

export type Completion = "ok" | "fail" | "info";

/** Ends the operation in flight: records the completion and hands the process on. */
export type Finish = (type: Completion, result?: unknown) => void;

export abstract class Workload<Options extends WorkloadOptions = WorkloadOptions> {
  protected readonly options: Options;
  /** Operations in flight, by process, with the client process (object) that sent them. */
  readonly #inFlight = new Map<string, { readonly client: string; readonly sender: WorkloadClient }>();
  #running = false;

  constructor(options: Options) {
    if (!(Number.isFinite(options.thinkMsMax) && options.thinkMsMax >= 0)) {
      throw new RangeError(
        `workload: thinkMsMax must be a finite number >= 0, got ${describeValue(options.thinkMsMax)}`,
      );
    }
    this.options = options;
  }

  start(): void {
    this.#running = true;
    this.begin();
  }

  /** Stops invoking new operations; those in flight finish. */
  stop(): void {
    this.#running = false;
  }

  get running(): boolean {
    return this.#running;
  }

  /** No operation in flight, apart from those of client processes that crashed since. */
  get idle(): boolean {
    for (const { client, sender } of this.#inFlight.values()) {
      if (this.options.driver.client(client) === sender) return false;
    }
    return true;
  }

  /** Starts the clients' loops. */
  protected abstract begin(): void;

  /** After a think time on `client`'s clock, runs `action` unless the workload was stopped meanwhile. */
  protected think(client: string, action: () => void): void {
    const { driver, random, thinkMsMax } = this.options;
    driver.client(client).after(random.float() * thinkMsMax, () => {
      if (this.#running) action();
    });
  }

  /**
   * Records the invocation of `f(value)` by `process`, then runs `body`,
   * which must end the operation exactly once through `finish`; `then`
   * receives the process the client continues as.
   */
  protected operate(
    client: string,
    process: string,
    f: string,
    value: unknown,
    body: (kv: WorkloadClient, finish: Finish) => void,
    then: (process: string) => void,
  ): void {
    const { history } = this.options.driver;
    const kv = this.options.driver.client(client);
    history.invoke(process, f, value);
    this.#inFlight.set(process, { client, sender: kv });
    let finished = false;
    const finish: Finish = (type, result) => {
      if (finished) throw new Error(`workload: ${f} by ${process} finished twice`);
      finished = true;
      this.#inFlight.delete(process);
      if (type === "ok") history.ok(process, result);
      else if (type === "fail") history.fail(process, result);
      else history.info(process, result);
      then(type === "info" ? `${process}'` : process);
    };
    body(kv, finish);
  }

  /** The outcome of a write, as Jepsen labels it: acknowledged, failed definitely, or unknown. */
  protected static completionOf(written: Outcome): Completion {
    return written.ok ? "ok" : written.definite ? "fail" : "info";
  }
}
