/**
 * The nemesis: a process that injects faults at random times, named after
 * Jepsen's, and drawn the way TigerBeetle's VOPR does swarm testing (Groce et
 * al., "Swarm Testing", 2012): each seed enables its own random subset of
 * fault kinds and its own rates, so that some runs hammer the cluster with
 * one kind of fault while others mix them. A subset finds bugs that an
 * always-everything mix hides (a crash loop never leaves time for a pause to
 * matter).
 *
 * Every fault heals itself after a drawn duration; `stop()` ends the
 * injection, and `Simulation.healAll()` ends whatever is still in progress
 * (runPhases does both when the liveness phase begins).
 */
import { describeValue, type Random } from "@skew/env";
import { faultDurationMaxMs } from "./constants.js";
import type { DelayModel } from "./network/delay.js";
import type { LinkModel } from "./network/link.js";
import type { Simulation } from "./simulation.js";
import type { UnsyncedLoss } from "./storage.js";
import { checkDurationMs } from "./validate.js";

export type FaultKind = "partition" | "pause" | "crash" | "clock" | "clog" | "limp" | "network" | "corrupt";

/** Every fault kind but `corrupt`, which only a system with checksums can survive. */
export const faultKindsDefault: readonly FaultKind[] = [
  "partition",
  "pause",
  "crash",
  "clock",
  "clog",
  "limp",
  "network",
];

export interface NemesisOptions {
  /** The kinds a swarm may enable (default `faultKindsDefault`); each seed enables a non-empty random subset. */
  readonly faults?: readonly FaultKind[];
  /** False: enable every kind in `faults` instead of a random subset (the rates are still drawn). Default true. */
  readonly subset?: boolean;
  /** Mean time between faults; by default drawn per seed in [50, 2000] ms. */
  readonly meanIntervalMs?: number;
  /** Mean duration of a fault; by default drawn per seed in [100, 5000] ms. */
  readonly meanDurationMs?: number;
}

/** What a seed drew: printed with a failure so that a reader knows which faults were in play. */
export interface NemesisPlan {
  readonly faults: readonly FaultKind[];
  readonly meanIntervalMs: number;
  readonly meanDurationMs: number;
  /** The link model the swarm set for every link (`network` faults change it further). */
  readonly link: Partial<LinkModel>;
}

export class Nemesis<M = unknown> {
  readonly plan: NemesisPlan;
  readonly #sim: Simulation<M>;
  readonly #random: Random;
  #active = false;
  #partitionGeneration = 0;
  /** Faults injected so far, as "12.3ms pause n2 800ms". */
  readonly log: string[] = [];

  private constructor(sim: Simulation<M>, plan: NemesisPlan) {
    this.#sim = sim;
    this.#random = sim.random.fork();
    this.plan = plan;
  }

  /** Draws a fault mix and a network from the simulation's seed and applies the network to every link. */
  static swarm<M>(sim: Simulation<M>, options: NemesisOptions = {}): Nemesis<M> {
    const random = sim.random;
    const candidates = options.faults ?? faultKindsDefault;
    for (const kind of candidates) {
      if (!faultKindsDefault.includes(kind) && kind !== "corrupt")
        throw new TypeError(`Nemesis: unknown fault ${describeValue(kind)}`);
    }
    if (candidates.length === 0) throw new RangeError("Nemesis: at least one fault kind is needed");
    if (options.meanIntervalMs !== undefined) checkPositive("Nemesis: meanIntervalMs", options.meanIntervalMs);
    if (options.meanDurationMs !== undefined) checkPositive("Nemesis: meanDurationMs", options.meanDurationMs);
    let faults = options.subset === false ? [...candidates] : candidates.filter(() => random.chance(0.5));
    if (faults.length === 0) faults = [random.pick(candidates)];
    const link = drawLinkModel(random);
    const plan: NemesisPlan = {
      faults,
      meanIntervalMs: options.meanIntervalMs ?? 50 + random.float() * 1950,
      meanDurationMs: options.meanDurationMs ?? 100 + random.float() * 4900,
      link,
    };
    sim.configureLinks(link);
    return new Nemesis(sim, plan);
  }

  /** A one-line summary of the plan. */
  describe(): string {
    const p = this.plan;
    const delay = p.link.delay === undefined ? "" : ` delay ${JSON.stringify(p.link.delay)}`;
    return `faults [${p.faults.join(", ")}] every ~${p.meanIntervalMs.toFixed(0)}ms lasting ~${p.meanDurationMs.toFixed(0)}ms; loss ${p.link.lossProbability}, duplication ${p.link.duplicateProbability}${delay}`;
  }

  /** Begins injecting faults at random intervals. */
  start(): void {
    if (this.#active) return;
    this.#active = true;
    this.#scheduleNext();
  }

  /** Stops injecting new faults; those in progress still heal on their own schedule. */
  stop(): void {
    this.#active = false;
  }

  #scheduleNext(): void {
    const delayMs = Math.min(this.#random.exponential(this.plan.meanIntervalMs), faultDurationMaxMs);
    this.#sim.after(delayMs, () => {
      if (!this.#active) return;
      this.#inject(this.#random.pick(this.plan.faults));
      this.#scheduleNext();
    });
  }

  #duration(): number {
    return Math.min(this.#random.exponential(this.plan.meanDurationMs), faultDurationMaxMs);
  }

  #note(text: string): void {
    this.log.push(`${this.#sim.nowMs.toFixed(3)}ms ${text}`);
  }

  #inject(kind: FaultKind): void {
    const sim = this.#sim;
    const r = this.#random;
    const ids = sim.nodeIds;
    const up = ids.filter((id) => sim.node(id).up);
    const id = r.pick(ids);
    const ms = this.#duration();
    switch (kind) {
      case "partition": {
        const shape = this.#partition(ids);
        const generation = ++this.#partitionGeneration;
        this.#note(`partition ${shape} for ${ms.toFixed(0)}ms`);
        sim.after(ms, () => {
          if (this.#partitionGeneration === generation) sim.heal();
        });
        return;
      }
      case "pause": {
        if (up.length === 0) return;
        const target = r.pick(up);
        const clock = r.chance(0.5) ? "runs" : "frozen";
        this.#note(`pause ${target} ${ms.toFixed(0)}ms clock ${clock}`);
        sim.node(target).pause(ms, { clock });
        return;
      }
      case "crash": {
        if (up.length === 0) return;
        const target = r.pick(up);
        const unsynced = r.pick<UnsyncedLoss>(["all", "some", "torn"]);
        this.#note(`crash ${target} (${unsynced} unsynced lost), restart after ${ms.toFixed(0)}ms`);
        sim.node(target).crash({ unsynced, restartAfterMs: ms });
        return;
      }
      case "clock":
        this.#clock(id, ms);
        return;
      case "clog": {
        const to = r.pick(ids);
        this.#note(`clog ${id} -> ${to} ${ms.toFixed(0)}ms`);
        sim.link(id, to).clog(ms);
        return;
      }
      case "limp": {
        const serviceMs = 1 + r.float() * 49;
        this.#note(`limp ${id} ${serviceMs.toFixed(1)}ms per event for ${ms.toFixed(0)}ms`);
        sim.node(id).limp(serviceMs);
        sim.after(ms, () => sim.node(id).limp(0));
        return;
      }
      case "network": {
        const patch = drawLinkModel(r);
        this.#note(`network ${JSON.stringify(patch)}`);
        sim.configureLinks(patch);
        return;
      }
      case "corrupt":
        this.#note(`corrupt ${id}: ${sim.node(id).corrupt() ?? "nothing stored"}`);
        return;
    }
  }

  /** One of Jepsen's partition shapes; returns its description. */
  #partition(ids: readonly string[]): string {
    const sim = this.#sim;
    const r = this.#random;
    sim.heal();
    const shuffled = r.shuffle(ids);
    const half = Math.floor(ids.length / 2);
    switch (r.int(0, 4)) {
      case 0: {
        const [lonely = ""] = shuffled;
        sim.isolate(lonely);
        return `isolate ${lonely}`;
      }
      case 1: {
        const minority = shuffled.slice(0, half);
        const majority = shuffled.slice(half);
        sim.partition(minority, majority);
        return `[${minority.join(",")}] | [${majority.join(",")}]`;
      }
      case 2: {
        const [bridge = "", ...rest] = shuffled;
        const left = rest.slice(0, Math.floor(rest.length / 2));
        const right = rest.slice(left.length);
        sim.partition(left, right);
        return `bridge ${bridge} between [${left.join(",")}] and [${right.join(",")}]`;
      }
      case 3: {
        const [muted = ""] = shuffled;
        sim.mute(muted);
        return `mute ${muted} (receives, sends lost)`;
      }
      default:
        sim.cutRandomLinks(0.3);
        return "random cuts (30% of links)";
    }
  }

  #clock(id: string, ms: number): void {
    const clock = this.#sim.clock(id);
    const r = this.#random;
    switch (r.int(0, 4)) {
      case 0: {
        const delta = (r.float() * 2 - 1) * 10_000;
        this.#note(`clock ${id} step ${delta.toFixed(0)}ms`);
        clock.step(delta);
        return;
      }
      case 1: {
        const amplitude = r.float() * 500;
        const period = 10 + r.float() * 190;
        this.#note(
          `clock ${id} strobe +-${amplitude.toFixed(0)}ms every ${period.toFixed(0)}ms for ${ms.toFixed(0)}ms`,
        );
        clock.strobe(amplitude, period, ms);
        return;
      }
      case 2:
        this.#note(`clock ${id} leap second`);
        clock.leapSecond();
        return;
      case 3: {
        const ppm = (r.float() * 2 - 1) * 200;
        this.#note(`clock ${id} drift ${ppm.toFixed(0)}ppm`);
        clock.drift(ppm);
        return;
      }
      default: {
        const delta = (r.float() * 2 - 1) * 1_000;
        this.#note(`clock ${id} slew ${delta.toFixed(0)}ms`);
        clock.slew(delta);
        return;
      }
    }
  }
}

/** A swarm's network: a long-tailed delay, some loss and duplication, ordered or not. */
function drawLinkModel(random: Random): Partial<LinkModel> {
  const minMs = 0.1 + random.float() * 2;
  const delay: DelayModel = random.chance(0.5)
    ? { kind: "pareto", minMs, alpha: 1.2 + random.float() * 1.8 }
    : { kind: "exponential", minMs, meanMs: minMs + random.float() * 10 };
  return {
    delay,
    lossProbability: random.chance(0.5) ? random.float() * 0.1 : 0,
    duplicateProbability: random.chance(0.3) ? random.float() * 0.05 : 0,
    ordered: random.chance(0.5),
  };
}

function checkPositive(where: string, value: number): void {
  checkDurationMs(where, value, faultDurationMaxMs);
  if (value === 0) throw new RangeError(`${where}: must be > 0`);
}
