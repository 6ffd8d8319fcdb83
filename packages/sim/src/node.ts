/**
 * What a simulated node is, and what the simulation keeps about each one.
 *
 * A node is the code under test, unchanged: it receives an `Environment`
 * (clocks, timers, randomness), a `Store` and a `send` function, and answers
 * `onMessage`. That fits a synchronous state machine driven by a thin adapter
 * (quinn-proto's shape, and `@skew/kv`'s replica: `handle*` in, `poll*` out)
 * and promise-based code alike (`runAsync` lets promise jobs settle between
 * events). As in FoundationDB, a node is a process on a machine: a crash
 * throws the process (the object the factory returned) away with all its
 * volatile state; a restart calls the factory again with the same machine,
 * that is the same disk and the same clocks.
 */
import type { Environment, Random } from "@skew/env";
import type { SimClock } from "./clock.js";
import type { SimEvent } from "./queue.js";
import type { SimStore, Store } from "./storage.js";

/** What one process of a node is handed when it starts. */
export interface NodeContext<M> {
  /** This node's id. */
  readonly id: string;
  /** Every other node's id (those added before this process started), in the order they were added. */
  readonly peers: readonly string[];
  /** 1 for the first process of this node, 2 after the first restart, and so on. */
  readonly incarnation: number;
  /** This node's clocks, its timers (on its monotonic clock) and its own random stream. */
  readonly env: Environment;
  /** This node's disk: it outlives the process; unsynced writes may not. */
  readonly storage: Store;
  /**
   * Hands `message` to the network. Messages are immutable by contract: the
   * simulator passes the same reference to the receiver (and to both copies
   * of a duplicate) unless the simulation was given a `copyMessage` function.
   */
  send(to: string, message: M): void;
}

/** The code under test. A returned promise is awaited (and its rejection reported) by `runAsync`. */
export interface SimNode<M> {
  /** Called once when the process starts, at the simulation time of its start or restart. */
  onStart?(): void | Promise<void>;
  onMessage(from: string, message: M): void | Promise<void>;
}

export type NodeFactory<M> = (context: NodeContext<M>) => SimNode<M>;

/** The simulation's bookkeeping for one node (internal). */
export class NodeHost<M> {
  readonly id: string;
  readonly index: number;
  readonly factory: NodeFactory<M>;
  readonly clock: SimClock;
  readonly store: SimStore;
  /** Forks one random stream per process, and draws crash and corruption outcomes. */
  readonly random: Random;

  /** The current (or last, when down) process; 0 before the first start. */
  incarnation = 0;
  up = false;
  process: SimNode<M> | null = null;
  /** Pending timers of the current process, by id. */
  readonly timers = new Map<number, SimEvent>();

  /** Paused (GC, VM suspension) until this true time; 0 when running. */
  pausedUntilUs = 0;
  pauseStartUs = 0;
  pauseGeneration = 0;
  /** A paused VM's clock stops and is behind on resume. */
  pauseFreezesClock = false;
  /** Bumped by each slew, so that only the latest one's end takes effect. */
  clockGeneration = 0;
  /** Time each event takes to handle while limping; the node is busy until `busyUntilUs`. */
  serviceUs = 0;
  busyUntilUs = 0;

  /** Events that arrived while the node could not handle them, oldest first from `deferredHead`. */
  deferred: (SimEvent | undefined)[] = [];
  deferredHead = 0;
  wakeGeneration = 0;
  /** Time of the one valid pending wake event, or -1. */
  wakeAtUs = -1;

  constructor(id: string, index: number, factory: NodeFactory<M>, clock: SimClock, store: SimStore, random: Random) {
    this.id = id;
    this.index = index;
    this.factory = factory;
    this.clock = clock;
    this.store = store;
    this.random = random;
  }

  get deferredCount(): number {
    return this.deferred.length - this.deferredHead;
  }

  takeDeferred(): SimEvent | undefined {
    const event = this.deferred[this.deferredHead];
    if (event === undefined) return undefined;
    this.deferred[this.deferredHead++] = undefined; // let the event be collected
    if (this.deferredHead === this.deferred.length) {
      this.deferred = [];
      this.deferredHead = 0;
    }
    return event;
  }

  clearDeferred(): number {
    const count = this.deferredCount;
    this.deferred = [];
    this.deferredHead = 0;
    return count;
  }

  /** The earliest true time at which this node may handle its next event. */
  readyAtUs(): number {
    return Math.max(this.pausedUntilUs, this.busyUntilUs);
  }
}

/** A store handle bound to one process: once that process is dead, its writes have no effect (a dead process writes nothing). */
export class ProcessStore implements Store {
  readonly #store: SimStore;
  readonly #alive: () => boolean;

  constructor(store: SimStore, alive: () => boolean) {
    this.#store = store;
    this.#alive = alive;
  }

  get(key: string): Uint8Array | undefined {
    return this.#store.get(key);
  }

  put(key: string, value: Uint8Array): void {
    if (this.#alive()) this.#store.put(key, value);
  }

  delete(key: string): void {
    if (this.#alive()) this.#store.delete(key);
  }

  sync(): void {
    if (this.#alive()) this.#store.sync();
  }

  keys(): string[] {
    return this.#store.keys();
  }
}
