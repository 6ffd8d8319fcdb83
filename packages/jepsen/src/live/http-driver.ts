/**
 * The live driver: the `Driver` a workload runs on against real node
 * processes, over their HTTP API. One checker, two drivers: the workloads
 * and checkers that run on the simulator (`KvCluster`) run here unchanged,
 * and if the two disagree about a store, one of the drivers is wrong, not
 * the verdict.
 *
 * It mirrors the simulator's client (`KvClient`, sim/cluster.ts) with real
 * time: a call goes to the node the workload names (one request, never a
 * retry elsewhere: a workload's coordinator is part of what it tests), and
 * `done` gets the node's answer, translated back into the store's reply
 * (translate.ts), or `NO_REPLY` once the client's own timeout passes, at
 * which point the request is abandoned. The history is stamped by the
 * runner's monotonic clock (`performance.now()`, through `@skew/env`), the
 * only clock a run trusts; `after` is a real timer.
 *
 * The driver takes base URLs, not processes: starting, pausing and killing
 * nodes is its caller's job (the benchmark's, the fault tests').
 *
 * A workload's callbacks run on timers and promise callbacks, where a
 * thrown error would have nowhere to go: the driver catches it, keeps the
 * first (`error`), and a run reports it (run.ts) instead of judging a
 * history that stopped half way.
 */
import { SkewClient, timeoutMsMax } from "@skew/client";
import { describeValue, type MonotonicClock, type TimerHandle, type Timers } from "@skew/env";
import { SystemMonotonicClock, SystemTimers } from "@skew/env/system";
import type { ClientRequest } from "@skew/kv";
import type { Driver, Outcome, WorkloadClient } from "../driver.js";
import { History } from "../history.js";
import { clientTimeoutMsDefault } from "../sim/cluster.js";
import { send, translateFailure } from "./translate.js";

export interface HttpDriverOptions {
  /** Node id to base URL (`http://127.0.0.1:7001`): the ids are the coordinators workloads name. */
  readonly nodes: Readonly<Record<string, string>>;
  /** The clock the history is stamped with (default: the machine's monotonic clock). */
  readonly monotonic?: MonotonicClock;
  /** The timers of `after` and of client timeouts (default: the machine's). */
  readonly timers?: Timers;
  /** How long opening a connection may take before a call fails definitely (default: the client's, 1000 ms). */
  readonly connectTimeoutMs?: number;
}

/** A node's answer outside the store's vocabulary (translate.ts): evidence of a bug, kept for the run to refuse. */
export interface Anomaly {
  readonly node: string;
  readonly request: ClientRequest["kind"];
  readonly what: string;
}

interface InFlight {
  readonly controller: AbortController;
}

export class HttpDriver implements Driver {
  readonly history: History;
  /** The node ids, in the order given. */
  readonly nodes: readonly string[];
  readonly #urls: ReadonlyMap<string, string>;
  readonly #nodeClients: ReadonlyMap<string, SkewClient>;
  readonly #clients = new Map<string, HttpClient>();
  readonly #monotonic: MonotonicClock;
  readonly #timers: Timers;
  readonly #originMs: number;
  readonly #inFlight = new Set<InFlight>();
  readonly #afters = new Set<TimerHandle>();
  readonly #anomalies: Anomaly[] = [];
  #error: { readonly error: unknown } | undefined;
  #closed = false;

  constructor(options: HttpDriverOptions) {
    const entries = Object.entries(options?.nodes ?? {});
    if (entries.length === 0) throw new TypeError("HttpDriver: nodes must map at least one node id to its base URL");
    this.nodes = entries.map(([id]) => id);
    this.#urls = new Map(entries);
    // One client per node, without retries: a call goes to the node the workload chose, once. The client's own
    // wait is the longest there is, so that the driver's timeout (NO_REPLY) is the only one that fires.
    this.#nodeClients = new Map(
      entries.map(([id, url]) => [
        id,
        new SkewClient({
          nodes: [url],
          retries: 0,
          timeoutMs: timeoutMsMax,
          ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
        }),
      ]),
    );
    this.#monotonic = options.monotonic ?? new SystemMonotonicClock();
    this.#timers = options.timers ?? new SystemTimers();
    this.#originMs = this.#monotonic.now();
    this.history = new History(() => Math.round(this.nowMs() * 1_000));
  }

  /** Ms of the driver's monotonic clock since the driver was made: the history's time line. */
  nowMs(): number {
    return this.#monotonic.now() - this.#originMs;
  }

  /** Node `id`'s base URL. */
  url(id: string): string {
    const url = this.#urls.get(id);
    if (url === undefined)
      throw new TypeError(`HttpDriver: no node ${JSON.stringify(id)}; nodes are ${this.nodes.join(", ")}`);
    return url;
  }

  /** The client process `id` (made on first use; a live client never crashes, so it is always the same object). */
  client(id: string): HttpClient {
    if (typeof id !== "string" || id === "") throw new TypeError("HttpDriver: a client id is a non-empty string");
    let client = this.#clients.get(id);
    if (client === undefined) {
      client = new HttpClient(id, this);
      this.#clients.set(id, client);
    }
    return client;
  }

  /** Calls that have neither been answered nor timed out. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Answers outside the store's vocabulary, in the order they came. */
  get anomalies(): readonly Anomaly[] {
    return this.#anomalies;
  }

  /** The first error a workload's callback threw, if any (`{ error }`, so that a thrown `undefined` still counts). */
  get error(): { readonly error: unknown } | undefined {
    return this.#error;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Stops everything: pending `after` actions are dropped, calls in flight are abandoned without calling
   * their `done` (the history is closed by then), and the connections are closed.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const handle of this.#afters) this.#timers.cancel(handle);
    this.#afters.clear();
    for (const call of this.#inFlight) call.controller.abort();
    this.#inFlight.clear();
    await Promise.all([...this.#nodeClients.values()].map((client) => client.close()));
  }

  /** `WorkloadClient.call`, for every client of this driver. */
  call(node: string, request: ClientRequest, done: (outcome: Outcome) => void, timeoutMs: number): void {
    if (this.#closed) throw new TypeError("HttpDriver: closed");
    const client = this.#nodeClients.get(node);
    if (client === undefined) this.url(node); // throws, naming the nodes
    if (!(Number.isFinite(timeoutMs) && timeoutMs > 0 && timeoutMs <= timeoutMsMax)) {
      throw new RangeError(`HttpDriver: timeoutMs must be in (0, ${timeoutMsMax}], got ${describeValue(timeoutMs)}`);
    }
    if (typeof done !== "function") throw new TypeError("HttpDriver: done must be a function");
    const call: InFlight = { controller: new AbortController() };
    this.#inFlight.add(call);
    let settled = false;
    const settle = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      this.#timers.cancel(timer);
      if (!this.#inFlight.delete(call)) return; // abandoned by close()
      this.#deliver(() => done(outcome));
    };
    const timer = this.#timers.schedule(timeoutMs, () => {
      settle({ ok: false, code: "NO_REPLY", definite: false });
      call.controller.abort();
    });
    send(client as SkewClient, request, call.controller.signal).then(settle, (error: unknown) => {
      if (settled) return;
      let translated: ReturnType<typeof translateFailure>;
      try {
        translated = translateFailure(error);
      } catch (bug) {
        settled = true;
        this.#timers.cancel(timer);
        this.#inFlight.delete(call);
        this.#fail(bug);
        return;
      }
      if (translated.anomaly !== undefined)
        this.#anomalies.push({ node, request: request.kind, what: translated.anomaly });
      settle(translated.outcome);
    });
  }

  /** `WorkloadClient.after`, for every client of this driver. */
  after(delayMs: number, action: () => void): void {
    if (this.#closed) return; // a stopped run schedules nothing
    if (!(Number.isFinite(delayMs) && delayMs >= 0)) {
      throw new RangeError(`HttpDriver: delayMs must be a finite number >= 0, got ${describeValue(delayMs)}`);
    }
    const handle = this.#timers.schedule(delayMs, () => {
      this.#afters.delete(handle);
      if (!this.#closed) this.#deliver(action);
    });
    this.#afters.add(handle);
  }

  #deliver(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.#fail(error);
    }
  }

  #fail(error: unknown): void {
    this.#error ??= { error };
  }
}

/** One client process of an `HttpDriver`: what a workload holds. */
export class HttpClient implements WorkloadClient {
  readonly id: string;
  readonly #driver: HttpDriver;

  constructor(id: string, driver: HttpDriver) {
    this.id = id;
    this.#driver = driver;
  }

  call(
    node: string,
    request: ClientRequest,
    done: (outcome: Outcome) => void,
    timeoutMs = clientTimeoutMsDefault,
  ): void {
    this.#driver.call(node, request, done, timeoutMs);
  }

  after(delayMs: number, action: () => void): void {
    this.#driver.after(delayMs, action);
  }
}
