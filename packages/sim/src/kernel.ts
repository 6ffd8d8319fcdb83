/**
 * The simulation kernel: one virtual-time event queue that every node, link,
 * clock and fault goes through, as in FoundationDB's `Sim2` and TigerBeetle's
 * VOPR. Nothing happens unless the kernel pops an event; everything random is
 * drawn from streams forked from one seed; two events at one instant run in
 * the order they were scheduled. So a seed replays a run exactly.
 *
 * This file holds the mechanics (the run loop, delivery, timers, processes
 * and their faults). The public face is `Simulation` (simulation.ts); the
 * kernel is not exported from the package.
 */
import { assert, type Environment, Random, type TimerHandle } from "@skew/env";
import { SimClock } from "./clock.js";
import { eventsPerInstantMax, eventsPerRunMax, monotonicOriginMaxMs, nodesMax, usPerMs } from "./constants.js";
import { SimError } from "./errors.js";
import { Link, type LinkModel } from "./network/link.js";
import { type NodeContext, type NodeFactory, NodeHost, ProcessStore } from "./node.js";
import { EventKind, EventQueue, SimEvent } from "./queue.js";
import { SimStore, type UnsyncedLoss } from "./storage.js";
import { ProcessTimers, type TimerScheduler } from "./timers.js";
import { Trace, type TraceKind } from "./trace.js";

export interface KernelOptions<M> {
  readonly seed: number;
  readonly epochMs: number;
  readonly traceKeep: number;
  readonly link: LinkModel;
  readonly copyMessage: ((message: M) => M) | null;
}

/** Counts of what happened, since the simulation was created. */
export interface SimStats {
  /** Events dispatched (deliveries, timers, starts, wakes, actions). */
  events: number;
  sent: number;
  delivered: number;
  /** Messages lost: to loss, a cut link, a full link, a crashed receiver. */
  dropped: number;
  duplicated: number;
  timersFired: number;
}

/** Why a run returned. */
export type RunStop = "idle" | "deadline" | "until";

export interface RunPlan {
  readonly endUs: number;
  readonly until: (() => boolean) | undefined;
  readonly afterEvent: (() => void) | undefined;
}

export class Kernel<M> implements TimerScheduler {
  readonly seed: number;
  readonly trace: Trace;
  readonly stats: SimStats = { events: 0, sent: 0, delivered: 0, dropped: 0, duplicated: 0, timersFired: 0 };
  readonly nodes: NodeHost<M>[] = [];
  /** links[from][to]. */
  readonly links: Link[][] = [];
  /** The scenario's own stream (test scripts, the nemesis). */
  readonly random: Random;
  defaultLink: LinkModel;

  readonly #root: Random;
  readonly #epochMs: number;
  readonly #copyMessage: ((message: M) => M) | null;
  readonly #queue = new EventQueue();
  readonly #indexById = new Map<string, number>();
  #nowUs = 0;
  #nextMessageId = 0;
  #nextTimerId = 0;
  #running: "sync" | "async" | null = null;
  #asyncFailure: { readonly error: unknown } | null = null;
  #instantUs = -1;
  #eventsThisInstant = 0;
  #eventsThisRun = 0;

  constructor(options: KernelOptions<M>) {
    this.seed = options.seed;
    this.#root = Random.seeded(options.seed);
    this.random = this.#root.fork();
    this.#epochMs = options.epochMs;
    this.trace = new Trace(options.traceKeep);
    this.defaultLink = options.link;
    this.#copyMessage = options.copyMessage;
  }

  get nowUs(): number {
    return this.#nowUs;
  }

  get pendingEvents(): number {
    return this.#queue.size;
  }

  indexOf(where: string, id: string): number {
    const index = this.#indexById.get(id);
    if (index === undefined) {
      const known = this.nodes.map((node) => node.id).join(", ");
      throw new RangeError(`${where}: unknown node ${JSON.stringify(id)} (nodes: ${known || "none"})`);
    }
    return index;
  }

  /** Adds a node whose first process starts now (at the next run). Forks its streams in a fixed order. */
  addNode(id: string, factory: NodeFactory<M>): NodeHost<M> {
    if (typeof id !== "string" || id === "") throw new TypeError("addNode: id must be a non-empty string");
    if (this.#indexById.has(id)) throw new RangeError(`addNode: node ${JSON.stringify(id)} already exists`);
    if (typeof factory !== "function") throw new TypeError("addNode: factory must be a function (context) => node");
    if (this.nodes.length >= nodesMax) throw new RangeError(`addNode: at most ${nodesMax} nodes (nodesMax)`);
    const index = this.nodes.length;
    const random = this.#root.fork();
    const clock = new SimClock(() => this.#nowUs, this.#epochMs, random.float() * monotonicOriginMaxMs);
    const node = new NodeHost<M>(id, index, factory, clock, new SimStore(), random);
    this.nodes.push(node);
    this.#indexById.set(id, index);
    const row: Link[] = [];
    this.links.push(row);
    for (let other = 0; other <= index; other++) {
      row[other] = new Link(index, other, this.defaultLink, this.#root.fork());
      if (other !== index)
        (this.links[other] as Link[])[index] = new Link(other, index, this.defaultLink, this.#root.fork());
    }
    node.up = true;
    node.incarnation = 1;
    this.#push(this.#nowUs, EventKind.Start, index, -1, 0, 1, null, null);
    return node;
  }

  link(from: number, to: number): Link {
    return (this.links[from] as Link[])[to] as Link;
  }

  /** Runs `action` at true time `timeUs` (not before now). */
  at(timeUs: number, action: () => void): void {
    this.#push(Math.max(timeUs, this.#nowUs), EventKind.Action, -1, -1, 0, 0, null, action);
  }

  record(kind: TraceKind, node: number, peer: number, detail: number | string): void {
    const nodeId = node < 0 ? "" : (this.nodes[node] as NodeHost<M>).id;
    const peerId = peer < 0 ? "" : (this.nodes[peer] as NodeHost<M>).id;
    this.trace.record(this.#nowUs, kind, node, peer, detail, nodeId, peerId);
  }

  // ---- the network -------------------------------------------------------

  send(from: number, incarnation: number, to: string, message: M): void {
    const toIndex = this.indexOf("send", to);
    const sender = this.nodes[from] as NodeHost<M>;
    if (!sender.up || sender.incarnation !== incarnation) return; // a dead process sends nothing
    const id = ++this.#nextMessageId;
    this.stats.sent++;
    this.record("send", from, toIndex, id);
    const link = this.link(from, toIndex);
    if (link.cut) {
      this.#drop(toIndex, from, id, "cut");
      return;
    }
    if (link.loses()) {
      this.#drop(toIndex, from, id, "lost");
      return;
    }
    const copy = this.#copyMessage;
    this.#transmit(link, id, copy === null ? message : copy(message));
    if (link.duplicates()) {
      this.stats.duplicated++;
      this.record("duplicate", from, toIndex, id);
      this.#transmit(link, id, copy === null ? message : copy(message));
    }
  }

  #transmit(link: Link, id: number, payload: M): void {
    if (link.full) {
      this.#drop(link.to, link.from, id, "queue full");
      return;
    }
    link.inFlight++;
    this.#push(link.arrivalUs(this.#nowUs), EventKind.Deliver, link.to, link.from, id, 0, payload, null);
  }

  #drop(node: number, peer: number, id: number, reason: string): void {
    this.stats.dropped++;
    this.record("drop", node, peer, `#${id} ${reason}`);
  }

  #arriveMessage(event: SimEvent): void {
    const link = this.link(event.peer, event.node);
    if (link.clogUntilUs > this.#nowUs) {
      link.held.push(event); // still in flight
      return;
    }
    link.inFlight--;
    if (link.cut) {
      this.#drop(event.node, event.peer, event.id, "cut in flight");
      return;
    }
    const node = this.nodes[event.node] as NodeHost<M>;
    if (!node.up) {
      this.#drop(event.node, event.peer, event.id, "receiver down");
      return;
    }
    this.#arrive(node, event);
  }

  cutLink(link: Link, cut: boolean): void {
    if (link.cut === cut) return;
    link.cut = cut;
    this.record(cut ? "fault" : "heal", link.from, link.to, cut ? "cut" : "restore");
  }

  clog(link: Link, durationUs: number): void {
    link.clogUntilUs = Math.max(link.clogUntilUs, this.#nowUs + durationUs);
    const generation = ++link.clogGeneration;
    this.record("fault", link.from, link.to, `clog ${durationUs / usPerMs}ms`);
    this.#push(link.clogUntilUs, EventKind.Unclog, link.to, link.from, generation, 0, null, null);
  }

  unclog(link: Link): void {
    if (link.clogUntilUs === 0) return;
    link.clogUntilUs = 0;
    link.clogGeneration++;
    this.record("heal", link.from, link.to, `unclog, ${link.held.length} held`);
    const held = link.held;
    link.held = [];
    for (const event of held) {
      event.timeUs = this.#nowUs;
      this.#queue.push(event);
    }
  }

  // ---- timers ------------------------------------------------------------

  scheduleTimer(node: number, incarnation: number, delayMs: number, callback: () => void): TimerHandle {
    const id = ++this.#nextTimerId;
    const host = this.nodes[node] as NodeHost<M>;
    if (!host.up || host.incarnation !== incarnation) return { id }; // never fires
    const delayUs = Math.ceil((delayMs * usPerMs) / host.clock.monotonicRate);
    const event = this.#push(this.#nowUs + delayUs, EventKind.Timer, node, -1, id, incarnation, null, callback);
    host.timers.set(id, event);
    return { id };
  }

  cancelTimer(node: number, handle: TimerHandle): void {
    const timers = (this.nodes[node] as NodeHost<M>).timers;
    const event = timers.get(handle.id);
    if (event === undefined) return;
    event.cancelled = true;
    timers.delete(handle.id);
  }

  // ---- processes: deferral (pauses, limping), crashes, restarts ---------

  #arrive(node: NodeHost<M>, event: SimEvent): void {
    if (node.pausedUntilUs !== 0 && this.#nowUs >= node.pausedUntilUs) this.resume(node);
    if (this.#nowUs < node.readyAtUs() || node.deferredCount > 0) {
      node.deferred.push(event);
      this.#ensureWake(node);
      return;
    }
    this.#handle(node, event);
  }

  #ensureWake(node: NodeHost<M>): void {
    if (node.deferredCount === 0) return;
    const readyUs = Math.max(this.#nowUs, node.readyAtUs());
    if (node.wakeAtUs === readyUs) return;
    node.wakeAtUs = readyUs;
    this.#push(readyUs, EventKind.Wake, node.index, -1, ++node.wakeGeneration, 0, null, null);
  }

  #wake(node: NodeHost<M>, generation: number): void {
    if (generation !== node.wakeGeneration) return;
    node.wakeAtUs = -1;
    if (node.pausedUntilUs !== 0 && this.#nowUs >= node.pausedUntilUs) this.resume(node);
    if (this.#nowUs >= node.readyAtUs()) {
      const event = node.takeDeferred();
      if (event !== undefined) this.#handle(node, event);
    }
    this.#ensureWake(node);
  }

  /** The node handles one event now: it is up, not paused, not busy. */
  #handle(node: NodeHost<M>, event: SimEvent): void {
    switch (event.kind) {
      case EventKind.Deliver: {
        const process = node.process;
        if (process === null) {
          // Restarted at this instant, its start event not yet handled (a delivery queued earlier at the
          // same time, or released by an unclog, comes first): nothing is listening yet.
          this.#drop(event.node, event.peer, event.id, "receiver starting");
          return;
        }
        this.stats.delivered++;
        this.record("deliver", node.index, event.peer, event.id);
        const from = (this.nodes[event.peer] as NodeHost<M>).id;
        this.#invoke(node, "onMessage", () => process.onMessage(from, event.payload as M));
        break;
      }
      case EventKind.Timer: {
        if (event.cancelled || event.incarnation !== node.incarnation) return;
        node.timers.delete(event.id);
        this.stats.timersFired++;
        this.record("timer", node.index, -1, event.id);
        this.#invoke(node, "a timer callback", event.action as () => void);
        break;
      }
      case EventKind.Start: {
        if (!node.up || event.incarnation !== node.incarnation) return;
        this.record("start", node.index, -1, node.incarnation);
        this.#startProcess(node);
        break;
      }
      default:
        assert(false, `event kind ${event.kind} is not a node event`);
    }
    if (node.serviceUs > 0) node.busyUntilUs = this.#nowUs + node.serviceUs;
  }

  #startProcess(node: NodeHost<M>): void {
    const incarnation = node.incarnation;
    const alive = (): boolean => node.up && node.incarnation === incarnation;
    const env: Environment = Object.freeze({
      wall: node.clock.wall,
      monotonic: node.clock.monotonic,
      timers: new ProcessTimers(this, node.index, incarnation),
      random: node.random.fork(),
    });
    const context: NodeContext<M> = Object.freeze({
      id: node.id,
      peers: Object.freeze(this.nodes.filter((other) => other !== node).map((other) => other.id)),
      incarnation,
      env,
      storage: new ProcessStore(node.store, alive),
      send: (to: string, message: M) => this.send(node.index, incarnation, to, message),
    });
    this.#invoke(node, "its factory", () => {
      const process = node.factory(context);
      if (typeof process?.onMessage !== "function") {
        throw new TypeError(`the factory of node ${node.id} must return an object with onMessage(from, message)`);
      }
      node.process = process;
    });
    const process = node.process;
    if (process?.onStart !== undefined) this.#invoke(node, "onStart", () => process.onStart?.());
  }

  /** Runs node code, wrapping what it throws (or rejects with, under runAsync) as NODE_THREW. */
  #invoke(node: NodeHost<M>, what: string, fn: () => unknown): void {
    let result: unknown;
    try {
      result = fn();
    } catch (error) {
      throw this.#nodeThrew(node, what, error);
    }
    if (typeof (result as { then?: unknown } | undefined)?.then !== "function") return;
    if (this.#running !== "async") {
      throw new TypeError(
        `node ${node.id} returned a promise from ${what}: drive promise-based nodes with runAsync(), not run()`,
      );
    }
    (result as PromiseLike<unknown>).then(undefined, (error: unknown) => {
      this.#asyncFailure ??= { error: this.#nodeThrew(node, what, error) };
    });
  }

  #nodeThrew(node: NodeHost<M>, what: string, error: unknown): SimError {
    const message = error instanceof Error ? error.message : String(error);
    return new SimError(
      "NODE_THREW",
      `node ${node.id} (incarnation ${node.incarnation}) threw from ${what} at ${this.#nowUs / usPerMs} ms, seed ${this.seed}: ${message}`,
      { cause: error },
    );
  }

  pause(node: NodeHost<M>, durationUs: number, freezeClock: boolean): boolean {
    if (!node.up) return false;
    if (node.pausedUntilUs === 0) {
      node.pauseStartUs = this.#nowUs;
      node.pauseFreezesClock = freezeClock;
    } else {
      node.pauseFreezesClock ||= freezeClock;
    }
    node.pausedUntilUs = Math.max(node.pausedUntilUs, this.#nowUs + durationUs);
    const generation = ++node.pauseGeneration;
    this.record("pause", node.index, -1, `${durationUs / usPerMs}ms${freezeClock ? " clock frozen" : ""}`);
    this.at(node.pausedUntilUs, () => {
      if (node.pauseGeneration === generation) this.resume(node);
    });
    return true;
  }

  resume(node: NodeHost<M>): void {
    if (node.pausedUntilUs === 0) return;
    node.pauseGeneration++;
    node.pausedUntilUs = 0;
    const pausedUs = this.#nowUs - node.pauseStartUs;
    if (node.pauseFreezesClock) node.clock.step(-pausedUs / usPerMs);
    this.record("resume", node.index, -1, `after ${pausedUs / usPerMs}ms`);
    this.#ensureWake(node);
  }

  limp(node: NodeHost<M>, serviceUs: number): void {
    node.serviceUs = serviceUs;
    if (serviceUs === 0) node.busyUntilUs = 0;
    this.record(serviceUs === 0 ? "heal" : "fault", node.index, -1, `limp ${serviceUs / usPerMs}ms per event`);
    this.#ensureWake(node);
  }

  crash(node: NodeHost<M>, loss: UnsyncedLoss): boolean {
    if (!node.up) return false;
    node.up = false;
    node.process = null;
    for (const timer of node.timers.values()) timer.cancelled = true;
    node.timers.clear();
    const lostEvents = node.clearDeferred();
    node.wakeGeneration++;
    node.wakeAtUs = -1;
    node.pausedUntilUs = 0;
    node.pauseGeneration++;
    node.busyUntilUs = 0;
    const lostWrites = node.store.crash(loss, node.random);
    this.record("crash", node.index, -1, `lost ${lostWrites} unsynced writes, ${lostEvents} queued events`);
    return true;
  }

  restart(node: NodeHost<M>): boolean {
    if (node.up) return false;
    node.up = true;
    node.incarnation++;
    this.record("restart", node.index, -1, node.incarnation);
    this.#push(this.#nowUs, EventKind.Start, node.index, -1, 0, node.incarnation, null, null);
    return true;
  }

  // ---- the run loop ------------------------------------------------------

  run(plan: RunPlan): { events: number; stop: RunStop } {
    this.#enter("run", "sync");
    try {
      let events = 0;
      if (plan.until?.()) return { events, stop: "until" };
      for (;;) {
        const stop = this.#step(plan.endUs);
        if (stop !== null) {
          this.#finish(plan.endUs);
          return { events, stop };
        }
        events++;
        plan.afterEvent?.();
        if (plan.until?.()) return { events, stop: "until" };
      }
    } finally {
      this.#running = null;
    }
  }

  async runAsync(plan: RunPlan, microtaskTurns: number): Promise<{ events: number; stop: RunStop }> {
    this.#enter("runAsync", "async");
    try {
      let events = 0;
      await this.#settle(microtaskTurns);
      if (plan.until?.()) return { events, stop: "until" };
      for (;;) {
        const stop = this.#step(plan.endUs);
        if (stop !== null) {
          this.#finish(plan.endUs);
          return { events, stop };
        }
        events++;
        await this.#settle(microtaskTurns);
        plan.afterEvent?.();
        if (plan.until?.()) return { events, stop: "until" };
      }
    } finally {
      this.#running = null;
    }
  }

  #enter(where: string, mode: "sync" | "async"): void {
    if (this.#running !== null)
      throw new TypeError(`${where}: the simulation is already running (called from a node?)`);
    this.#running = mode;
    this.#asyncFailure = null;
    this.#eventsThisRun = 0;
  }

  /** Lets queued promise jobs run, then reports the first rejection a node's promise gave. */
  async #settle(turns: number): Promise<void> {
    for (let i = 0; i < turns; i++) await Promise.resolve();
    const failure = this.#asyncFailure;
    if (failure !== null) {
      this.#asyncFailure = null;
      throw failure.error;
    }
  }

  /** Dispatches the next event due by `endUs` and returns null, or says why there is none. */
  #step(endUs: number): RunStop | null {
    const event = this.#queue.peek();
    if (event === undefined) return "idle";
    if (event.timeUs > endUs) return "deadline";
    this.#queue.pop();
    if (event.timeUs !== this.#instantUs) {
      this.#instantUs = event.timeUs;
      this.#eventsThisInstant = 0;
    }
    this.#nowUs = event.timeUs;
    this.stats.events++;
    if (++this.#eventsThisInstant > eventsPerInstantMax) {
      throw new SimError(
        "EVENTS_EXHAUSTED",
        `${eventsPerInstantMax} events at ${this.#nowUs / usPerMs} ms without time advancing (eventsPerInstantMax), seed ${this.seed}`,
      );
    }
    if (++this.#eventsThisRun > eventsPerRunMax) {
      throw new SimError(
        "EVENTS_EXHAUSTED",
        `${eventsPerRunMax} events dispatched (eventsPerRunMax), seed ${this.seed}`,
      );
    }
    this.#dispatch(event);
    return null;
  }

  #finish(endUs: number): void {
    if (Number.isFinite(endUs) && endUs > this.#nowUs) this.#nowUs = endUs;
  }

  #dispatch(event: SimEvent): void {
    switch (event.kind) {
      case EventKind.Deliver:
        this.#arriveMessage(event);
        return;
      case EventKind.Timer: {
        const node = this.nodes[event.node] as NodeHost<M>;
        if (event.cancelled || event.incarnation !== node.incarnation || !node.up) return;
        this.#arrive(node, event);
        return;
      }
      case EventKind.Start:
        this.#arrive(this.nodes[event.node] as NodeHost<M>, event);
        return;
      case EventKind.Wake:
        this.#wake(this.nodes[event.node] as NodeHost<M>, event.id);
        return;
      case EventKind.Unclog: {
        const link = this.link(event.peer, event.node);
        if (event.id === link.clogGeneration) this.unclog(link);
        return;
      }
      case EventKind.Action:
        (event.action as () => void)();
        return;
    }
  }

  #push(
    timeUs: number,
    kind: EventKind,
    node: number,
    peer: number,
    id: number,
    incarnation: number,
    payload: unknown,
    action: (() => void) | null,
  ): SimEvent {
    const event = new SimEvent(timeUs, kind, node, peer, id, incarnation, payload, action);
    this.#queue.push(event);
    return event;
  }
}
