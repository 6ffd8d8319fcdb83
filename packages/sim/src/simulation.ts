/**
 * The simulator's public face: build a cluster of nodes running the real
 * code under test, drive virtual time, and break things on purpose, in the
 * manner of FoundationDB's simulation and TigerBeetle's VOPR (one seed
 * decides every delay, loss, clock reading and fault, so one seed replays a
 * run exactly), with Jepsen's vocabulary for faults (partitions, pauses,
 * clock strobes) and for client histories.
 *
 * ```text
 * const sim = new Simulation<Msg>({ seed });
 * sim.addNode("n1", (ctx) => new Replica(ctx));   // ctx: id, peers, env, storage, send
 * sim.partition(["n1", "n2"], ["n3"]);
 * sim.node("n2").pause(15_000);
 * sim.clock("n1").skew(+4_000);
 * sim.run({ forMs: 60_000 });                      // or: await sim.runAsync(...)
 * sim.traceHash;                                   // the same for the same seed
 * ```
 */
import { describeValue, type Random } from "@skew/env";
import { ClockControl } from "./clock-control.js";
import {
  clockOffsetMaxMs,
  driftPpmMax,
  epochMsDefault,
  microtaskTurnsDefault,
  microtaskTurnsMax,
  runForMaxMs,
  traceKeepDefault,
  traceKeepMax,
  usPerMs,
} from "./constants.js";
import { History } from "./history.js";
import { Kernel, type RunPlan, type RunStop, type SimStats } from "./kernel.js";
import { LinkControl } from "./link-control.js";
import { type LinkModel, linkModelDefault, mergeLinkModel } from "./network/link.js";
import type { NodeFactory, NodeHost } from "./node.js";
import { NodeControl } from "./node-control.js";
import { msToUsCeil } from "./time.js";
import { formatTrace, type TraceEntry } from "./trace.js";
import { checkDurationMs, checkFiniteMs, checkInteger, checkProbability } from "./validate.js";

export interface SimulationOptions<M> {
  /** Decides everything random in the run; a 32-bit integer. */
  readonly seed: number;
  /** Wall-clock reading of a node with no offset when the run begins (default 2024-01-01T00:00:00Z). */
  readonly epochMs?: number;
  /** The model every link starts with; fields not given take `linkModelDefault`'s. */
  readonly link?: Partial<LinkModel>;
  /** Trace entries kept in memory (default 1000; 0 keeps none). The hash always covers every entry. */
  readonly traceKeep?: number;
  /** Copies each message as it is sent (e.g. `structuredClone`). By default messages are passed by reference: immutable by contract. */
  readonly copyMessage?: (message: M) => M;
}

export interface AddNodeOptions {
  /** Initial wall-clock offset from true time in ms (positive: ahead). */
  readonly clockOffsetMs?: number;
  /** Initial oscillator drift in parts per million. */
  readonly driftPpm?: number;
}

export interface RunOptions {
  /** Advance at most this much virtual time. Without it (and without `until`), run until no event is left. */
  readonly forMs?: number;
  /** Checked before the first event and after each one; the run stops as soon as it is true. */
  readonly until?: () => boolean;
  /** Called after every event: where invariants are checked continuously. */
  readonly afterEvent?: () => void;
}

export interface RunAsyncOptions extends RunOptions {
  /**
   * Promise-job turns allowed after each event (default 64): any `await` chain
   * of up to this many steps started by an event settles before the next
   * event. Longer chains still run in a deterministic order, but spill over.
   */
  readonly microtaskTurns?: number;
}

export interface RunResult {
  /** Events dispatched by this run. */
  readonly events: number;
  /** `idle`: no event left (time still advances to `forMs`); `deadline`: `forMs` reached with events pending; `until`: the predicate held. */
  readonly stop: RunStop;
  /** True simulation time at the end, in ms. */
  readonly nowMs: number;
}

export class Simulation<M = unknown> {
  readonly #kernel: Kernel<M>;
  /** Client operations in Jepsen's form, stamped with true simulation time. */
  readonly history: History;

  constructor(options: SimulationOptions<M>) {
    if (typeof options !== "object" || options === null) throw new TypeError("Simulation: expected { seed, ... }");
    checkInteger("Simulation: seed", options.seed, -0x8000_0000, 0xffff_ffff);
    const epochMs = options.epochMs ?? epochMsDefault;
    if (!Number.isFinite(epochMs))
      throw new RangeError(`Simulation: epochMs must be finite, got ${describeValue(epochMs)}`);
    const traceKeep = options.traceKeep ?? traceKeepDefault;
    checkInteger("Simulation: traceKeep", traceKeep, 0, traceKeepMax);
    if (options.copyMessage !== undefined && typeof options.copyMessage !== "function") {
      throw new TypeError("Simulation: copyMessage must be a function");
    }
    this.#kernel = new Kernel<M>({
      seed: options.seed,
      epochMs,
      traceKeep,
      link: mergeLinkModel("Simulation: link", linkModelDefault, options.link ?? {}),
      copyMessage: options.copyMessage ?? null,
    });
    this.history = new History(() => this.#kernel.nowUs);
  }

  get seed(): number {
    return this.#kernel.seed;
  }

  /** True simulation time in ms since the run began. No node can read it. */
  get nowMs(): number {
    return this.#kernel.nowUs / usPerMs;
  }

  /** The scenario's own random stream (forked from the seed), for scripts and nemeses. */
  get random(): Random {
    return this.#kernel.random;
  }

  get stats(): Readonly<SimStats> {
    return this.#kernel.stats;
  }

  /** The 64-bit fingerprint of every event so far, as 16 hex digits. */
  get traceHash(): string {
    return this.#kernel.trace.hash;
  }

  /** The last `traceKeep` trace entries, oldest first. */
  trace(): readonly TraceEntry[] {
    return this.#kernel.trace.entries();
  }

  /** The kept trace as text, one event per line. */
  formatTrace(): string {
    return formatTrace(this.#kernel.trace.entries());
  }

  get nodeIds(): readonly string[] {
    return this.#kernel.nodes.map((node) => node.id);
  }

  /** Adds a node; its first process starts at the current time, when the simulation next runs. */
  addNode(id: string, factory: NodeFactory<M>, options: AddNodeOptions = {}): NodeControl {
    const offsetMs = options.clockOffsetMs ?? 0;
    const driftPpm = options.driftPpm ?? 0;
    checkFiniteMs("addNode: clockOffsetMs", offsetMs, clockOffsetMaxMs);
    checkFiniteMs("addNode: driftPpm", driftPpm, driftPpmMax);
    this.#kernel.addNode(id, factory);
    const clock = this.clock(id);
    if (offsetMs !== 0) clock.skew(offsetMs);
    if (driftPpm !== 0) clock.drift(driftPpm);
    return this.node(id);
  }

  node(id: string): NodeControl {
    return new NodeControl(this.#untyped, this.#node("node", id));
  }

  clock(id: string): ClockControl {
    return new ClockControl(this.#untyped, this.#node("clock", id));
  }

  /** The directed link `from -> to`. */
  link(from: string, to: string): LinkControl {
    const k = this.#kernel;
    return new LinkControl(this.#untyped, k.link(k.indexOf("link", from), k.indexOf("link", to)));
  }

  /** Runs `action` after `delayMs` of true time (a scripted step of a scenario). */
  after(delayMs: number, action: () => void): void {
    checkDurationMs("Simulation.after", delayMs, runForMaxMs);
    if (typeof action !== "function") throw new TypeError("Simulation.after: action must be a function");
    this.#kernel.at(this.#kernel.nowUs + msToUsCeil(delayMs), () => {
      this.#kernel.record("action", -1, -1, "scripted step");
      action();
    });
  }

  /** Drives virtual time for nodes whose handlers are synchronous (returning a promise is an error here). */
  run(options: RunOptions = {}): RunResult {
    const result = this.#kernel.run(this.#plan("run", options));
    return { ...result, nowMs: this.nowMs };
  }

  /** As `run`, letting promise jobs settle after each event; a node's rejected promise fails the run. */
  async runAsync(options: RunAsyncOptions = {}): Promise<RunResult> {
    const turns = options.microtaskTurns ?? microtaskTurnsDefault;
    checkInteger("runAsync: microtaskTurns", turns, 0, microtaskTurnsMax);
    const result = await this.#kernel.runAsync(this.#plan("runAsync", options), turns);
    return { ...result, nowMs: this.nowMs };
  }

  // ---- network faults: the shapes of Jepsen's partition nemeses ----------

  /**
   * Cuts every link between nodes of different groups, both ways. Nodes not
   * named keep all their links: `partition(["n1"], ["n3"])` leaves `n2` as a
   * bridge that sees both sides.
   */
  partition(...groups: readonly (readonly string[])[]): void {
    const groupOf = new Map<number, number>();
    groups.forEach((group, g) => {
      if (!Array.isArray(group)) throw new TypeError("partition: each group must be an array of node ids");
      for (const id of group) {
        const index = this.#kernel.indexOf("partition", id);
        if (groupOf.has(index)) throw new RangeError(`partition: node ${JSON.stringify(id)} is in two groups`);
        groupOf.set(index, g);
      }
    });
    this.#cutWhere((from, to) => {
      const a = groupOf.get(from);
      const b = groupOf.get(to);
      return a !== undefined && b !== undefined && a !== b;
    });
  }

  /** Cuts `id` off from every other node, both ways. */
  isolate(id: string): void {
    const index = this.#kernel.indexOf("isolate", id);
    this.#cutWhere((from, to) => from !== to && (from === index || to === index));
  }

  /** An asymmetric partition: `id` still receives, but everything it sends to others is lost. */
  mute(id: string): void {
    const index = this.#kernel.indexOf("mute", id);
    this.#cutWhere((from, to) => from === index && to !== index);
  }

  /** Cuts the links from every node of `from` to every node of `to`, one way only. */
  cutOneWay(from: readonly string[], to: readonly string[]): void {
    const senders = new Set(from.map((id) => this.#kernel.indexOf("cutOneWay", id)));
    const receivers = new Set(to.map((id) => this.#kernel.indexOf("cutOneWay", id)));
    this.#cutWhere((a, b) => a !== b && senders.has(a) && receivers.has(b));
  }

  /** Cuts each directed link between distinct nodes with probability `probability`, drawing from `random`. */
  cutRandomLinks(probability: number): void {
    checkProbability("cutRandomLinks", probability);
    const random = this.#kernel.random;
    this.#cutWhere((from, to) => from !== to && random.chance(probability));
  }

  /** Restores every cut link and ends every clog. */
  heal(): void {
    for (const row of this.#kernel.links) {
      for (const link of row) {
        this.#kernel.cutLink(link, false);
        this.#kernel.unclog(link);
      }
    }
  }

  /** Ends every fault that heals: the network, pauses, limps, and restarts crashed nodes. Clocks keep their offsets. */
  healAll(): void {
    this.heal();
    for (const node of this.#kernel.nodes) {
      this.#kernel.resume(node);
      if (node.serviceUs !== 0) this.#kernel.limp(node, 0);
      this.#kernel.restart(node);
    }
  }

  /** Changes the model of every link (and of links to nodes added later). */
  configureLinks(patch: Partial<LinkModel>): void {
    const k = this.#kernel;
    k.defaultLink = mergeLinkModel("configureLinks", k.defaultLink, patch);
    for (const row of k.links)
      for (const link of row) link.configure(mergeLinkModel("configureLinks", link.model, patch));
  }

  #cutWhere(predicate: (from: number, to: number) => boolean): void {
    for (const row of this.#kernel.links)
      for (const link of row) if (predicate(link.from, link.to)) this.#kernel.cutLink(link, true);
  }

  #plan(where: string, options: RunOptions): RunPlan {
    if (typeof options !== "object" || options === null) throw new TypeError(`${where}: expected an options object`);
    if (options.forMs !== undefined) checkDurationMs(`${where}: forMs`, options.forMs, runForMaxMs);
    if (options.until !== undefined && typeof options.until !== "function")
      throw new TypeError(`${where}: until must be a function`);
    if (options.afterEvent !== undefined && typeof options.afterEvent !== "function") {
      throw new TypeError(`${where}: afterEvent must be a function`);
    }
    const endUs =
      options.forMs === undefined ? Number.POSITIVE_INFINITY : this.#kernel.nowUs + msToUsCeil(options.forMs);
    return { endUs, until: options.until, afterEvent: options.afterEvent };
  }

  #node(where: string, id: string): NodeHost<unknown> {
    return this.#kernel.nodes[this.#kernel.indexOf(where, id)] as NodeHost<unknown>;
  }

  get #untyped(): Kernel<unknown> {
    return this.#kernel as Kernel<unknown>;
  }
}
