/**
 * The nemesis of the fault tests: begins and ends each fault of a schedule
 * (schedule.ts) on the real cluster, through three hands it is given:
 *
 * - the network (`NemesisNetwork`, the lab's namespaces): the faults on are
 *   turned into one state (network.ts) and applied whole at every change,
 *   so that combined faults are a union and healing one leaves the others;
 * - the processes (`NemesisProcesses`): SIGKILL and a restart on the same
 *   data, SIGSTOP and SIGCONT, and the disk faults done between a kill and
 *   its restart (disk.ts);
 * - the clocks, through each node's admin endpoint (`adjustClock`): a
 *   node's offset is the sum of the bumps on it plus the strobe's current
 *   phase, its drift the drift on it. A node that is down or paused cannot
 *   answer, so its clock is set when it comes back, and a restarted node
 *   (whose clock starts right) gets the offset its faults still call for.
 *
 * Everything it did is kept as evidence (`events`), with what the disk
 * faults cut or corrupted, for the run's folder.
 */
import type { ClockChange, LiveNemesis } from "@skew/jepsen/live";
import { type Corruption, corruptRecord, cutLogTo, markLog } from "./disk.js";
import { isNetworkFault, type NetworkState, networkOf } from "./network.js";
import { describeLiveFault, type LiveFault } from "./schedule.js";

export interface NemesisNetwork {
  applyNetwork(state: NetworkState): Promise<void>;
}

export interface NemesisProcesses {
  /** SIGKILL, resolved once the process has exited. */
  kill(id: string): Promise<void>;
  /** A new process on the same data directory, resolved once it answers /health. */
  restart(id: string): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  dataDirOf(id: string): string;
}

export interface NemesisProbe {
  /** How many stored records failed their checksum when node `id` last started (its metrics). */
  corruptRestored(id: string): Promise<number>;
}

export interface NemesisClocks {
  adjust(id: string, change: ClockChange): Promise<void>;
}

export interface NemesisEvent {
  /** Ms of `nowMs` (the run's clock). */
  readonly atMs: number;
  readonly what: string;
}

export interface ClusterNemesisOptions {
  readonly nodes: readonly string[];
  readonly network: NemesisNetwork;
  readonly processes: NemesisProcesses;
  readonly clocks: NemesisClocks;
  /** Looks into a restarted node for the evidence of what a disk fault did (default: nothing is looked at). */
  readonly probe?: NemesisProbe;
  readonly nowMs: () => number;
  readonly wait: (ms: number) => Promise<void>;
  /** Disk corruption prefers records whose stored key contains this (the run's keys). */
  readonly corruptPrefer?: string;
}

type NodeState = "up" | "paused" | "down";

interface ClockFaults {
  readonly bumps: Map<LiveFault, number>;
  readonly drifts: Map<LiveFault, number>;
  strobe: { readonly fault: LiveFault; readonly deltaMs: number; on: boolean } | undefined;
  /** What the node was last set to; undefined: never set (the machine's clock). */
  applied: string | undefined;
}

export class ClusterNemesis implements LiveNemesis<LiveFault> {
  readonly events: NemesisEvent[] = [];
  readonly corruptions: Corruption[] = [];
  /** Per corruption, in order: how many corrupt records the restarted node found at restore (if probed). */
  readonly corruptionsCaught: number[] = [];
  /** Bytes cut from a log by each disk-unsynced fault, in order. */
  readonly logBytesCut: number[] = [];
  readonly #options: ClusterNemesisOptions;
  readonly #networkFaults = new Set<LiveFault>();
  readonly #states = new Map<string, NodeState>();
  readonly #clocks = new Map<string, ClockFaults>();
  readonly #strobes = new Map<LiveFault, Promise<{ readonly error: unknown } | undefined>>();
  readonly #corruptedDown = new Set<LiveFault>();
  /** One clock change at a time per node: a strobe's flip and a bump's end never race. */
  readonly #clockQueues = new Map<string, Promise<void>>();

  constructor(options: ClusterNemesisOptions) {
    this.#options = options;
    for (const node of options.nodes) {
      this.#states.set(node, "up");
      this.#clocks.set(node, { bumps: new Map(), drifts: new Map(), strobe: undefined, applied: undefined });
    }
  }

  async begin(fault: LiveFault): Promise<void> {
    this.#note(`begin: ${describeLiveFault(fault)}`);
    if (isNetworkFault(fault)) {
      this.#networkFaults.add(fault);
      await this.#applyNetwork();
      return;
    }
    switch (fault.kind) {
      case "kill":
        await Promise.all(fault.nodes.map((node) => this.#kill(node)));
        return;
      case "pause":
        for (const node of fault.nodes) {
          // The state first: a clock change racing the signal then knows its failure is the pause's.
          this.#states.set(node, "paused");
          await this.#options.processes.pause(node);
        }
        return;
      case "clock-bump":
        this.#clock(fault.node).bumps.set(fault, fault.deltaMs);
        await this.#setClock(fault.node);
        return;
      case "clock-drift":
        this.#clock(fault.node).drifts.set(fault, fault.driftPpm);
        await this.#setClock(fault.node);
        return;
      case "clock-strobe": {
        const clock = this.#clock(fault.node);
        const strobe = { fault, deltaMs: fault.deltaMs, on: true };
        clock.strobe = strobe;
        await this.#setClock(fault.node);
        this.#strobes.set(fault, this.#flip(fault.node, strobe, fault.periodMs));
        return;
      }
      case "disk-unsynced": {
        const dataDir = this.#options.processes.dataDirOf(fault.node);
        const mark = await markLog(dataDir);
        await this.#options.wait(fault.tailMs);
        await this.#kill(fault.node);
        const cut = await cutLogTo(dataDir, mark);
        this.logBytesCut.push(cut);
        this.#note(`${fault.node}: cut ${cut} bytes (the last ${fault.tailMs} ms of writes) from ${mark.file}`);
        return;
      }
      case "disk-corrupt": {
        await this.#kill(fault.node);
        const dataDir = this.#options.processes.dataDirOf(fault.node);
        const corruption = await corruptRecord(dataDir, fault.seed, this.#options.corruptPrefer);
        if (corruption === undefined) this.#note(`${fault.node}: no record stored yet, nothing corrupted`);
        else {
          this.corruptions.push(corruption);
          this.#corruptedDown.add(fault);
          this.#note(
            `${fault.node}: flipped byte ${corruption.byte} of ${JSON.stringify(corruption.key)} (of ${corruption.records} records)`,
          );
        }
        return;
      }
    }
  }

  async end(fault: LiveFault): Promise<void> {
    this.#note(`end: ${describeLiveFault(fault)}`);
    if (isNetworkFault(fault)) {
      this.#networkFaults.delete(fault);
      await this.#applyNetwork();
      return;
    }
    switch (fault.kind) {
      case "kill":
        await Promise.all(fault.nodes.map((node) => this.#restart(node)));
        return;
      case "disk-unsynced":
        await this.#restart(fault.node);
        return;
      case "disk-corrupt": {
        const corrupted = this.#corruptedDown.delete(fault);
        await this.#restart(fault.node);
        if (corrupted && this.#options.probe !== undefined) {
          const found = await this.#options.probe.corruptRestored(fault.node);
          this.corruptionsCaught.push(found);
          this.#note(`${fault.node}: restarted; ${found} stored record(s) failed their checksum at restore`);
        }
        return;
      }
      case "pause":
        for (const node of fault.nodes) {
          await this.#options.processes.resume(node);
          this.#states.set(node, "up");
          await this.#setClock(node);
        }
        return;
      case "clock-bump":
        this.#clock(fault.node).bumps.delete(fault);
        await this.#setClock(fault.node);
        return;
      case "clock-drift":
        this.#clock(fault.node).drifts.delete(fault);
        await this.#setClock(fault.node);
        return;
      case "clock-strobe": {
        const clock = this.#clock(fault.node);
        if (clock.strobe?.fault === fault) clock.strobe = undefined;
        const stopped = await this.#strobes.get(fault);
        this.#strobes.delete(fault);
        await this.#setClock(fault.node);
        if (stopped !== undefined) throw stopped.error;
        return;
      }
    }
  }

  /** The offset and drift the faults on `node` call for now. */
  clockOf(node: string): Required<Pick<ClockChange, "offsetMs" | "driftPpm">> {
    const clock = this.#clock(node);
    let offsetMs = 0;
    for (const delta of clock.bumps.values()) offsetMs += delta;
    if (clock.strobe?.on) offsetMs += clock.strobe.deltaMs;
    let driftPpm = 0;
    for (const ppm of clock.drifts.values()) driftPpm += ppm;
    return { offsetMs, driftPpm };
  }

  async #flip(
    node: string,
    strobe: NonNullable<ClockFaults["strobe"]>,
    periodMs: number,
  ): Promise<{ readonly error: unknown } | undefined> {
    const clock = this.#clock(node);
    // Errors are returned, not thrown: nobody awaits a strobe until its end, which rethrows.
    try {
      for (;;) {
        await this.#options.wait(periodMs);
        if (clock.strobe !== strobe) return undefined;
        strobe.on = !strobe.on;
        await this.#setClock(node);
      }
    } catch (error) {
      return { error };
    }
  }

  async #kill(node: string): Promise<void> {
    if (this.#states.get(node) === "down") return;
    // The state first: a clock change racing the kill then knows its failure is the kill's.
    this.#states.set(node, "down");
    await this.#options.processes.kill(node);
  }

  async #restart(node: string): Promise<void> {
    if (this.#states.get(node) !== "down") return;
    await this.#options.processes.restart(node);
    this.#states.set(node, "up");
    // A new process starts on the machine's clock: what the faults still on call for is set again.
    this.#clock(node).applied = undefined;
    await this.#setClock(node);
  }

  #setClock(node: string): Promise<void> {
    const previous = this.#clockQueues.get(node) ?? Promise.resolve();
    const next = previous.then(async () => {
      if (this.#states.get(node) !== "up") return; // set when it comes back
      const clock = this.#clock(node);
      const wanted = this.clockOf(node);
      const key = `${wanted.offsetMs}/${wanted.driftPpm}`;
      if (clock.applied === key || (clock.applied === undefined && key === "0/0")) return;
      try {
        await this.#options.clocks.adjust(node, wanted);
      } catch (error) {
        // Killed or paused while the request was in flight (process faults play in their own lane): the
        // clock is set when the node comes back. A node that is still up and does not answer is an error.
        if (this.#states.get(node) === "up") throw error;
        clock.applied = undefined;
        return;
      }
      clock.applied = key;
    });
    this.#clockQueues.set(
      node,
      next.catch(() => undefined),
    );
    return next;
  }

  #applyNetwork(): Promise<void> {
    return this.#options.network.applyNetwork(networkOf([...this.#networkFaults], this.#options.nodes));
  }

  #clock(node: string): ClockFaults {
    const clock = this.#clocks.get(node);
    if (clock === undefined) throw new TypeError(`ClusterNemesis: no node ${JSON.stringify(node)}`);
    return clock;
  }

  #note(what: string): void {
    this.events.push({ atMs: this.#options.nowMs(), what });
  }
}
