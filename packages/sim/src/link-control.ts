/**
 * One directed link's faults and model, for scenarios that need finer control
 * than the whole-cluster shapes of `Simulation.partition` and friends: cut a
 * single direction, clog it for a while (messages are held, not lost, as
 * FoundationDB's `clogPair`), or give it its own delay, loss and bandwidth.
 */
import { faultDurationMaxMs } from "./constants.js";
import type { Kernel } from "./kernel.js";
import { type Link, type LinkModel, mergeLinkModel } from "./network/link.js";
import { msToUsCeil } from "./time.js";
import { checkDurationMs } from "./validate.js";

export class LinkControl {
  readonly #kernel: Kernel<unknown>;
  readonly #link: Link;

  /** @internal Obtained from `Simulation.link(from, to)`. */
  constructor(kernel: Kernel<unknown>, link: Link) {
    this.#kernel = kernel;
    this.#link = link;
  }

  get model(): LinkModel {
    return this.#link.model;
  }

  get isCut(): boolean {
    return this.#link.cut;
  }

  get isClogged(): boolean {
    return this.#link.clogUntilUs > this.#kernel.nowUs;
  }

  /** Messages sent and not yet delivered or dropped (including those held by a clog). */
  get inFlight(): number {
    return this.#link.inFlight;
  }

  /** Loses every message on this direction from now on, including those in flight when they arrive. */
  cut(): this {
    this.#kernel.cutLink(this.#link, true);
    return this;
  }

  restore(): this {
    this.#kernel.cutLink(this.#link, false);
    return this;
  }

  /** Holds every message arriving in the next `durationMs`; they are delivered, in order, when the clog ends. */
  clog(durationMs: number): this {
    checkDurationMs("LinkControl.clog", durationMs, faultDurationMaxMs);
    this.#kernel.clog(this.#link, msToUsCeil(durationMs));
    return this;
  }

  unclog(): this {
    this.#kernel.unclog(this.#link);
    return this;
  }

  /** Changes this link's model (fields not given keep their value). */
  configure(patch: Partial<LinkModel>): this {
    this.#link.configure(mergeLinkModel("LinkControl.configure", this.#link.model, patch));
    return this;
  }
}
