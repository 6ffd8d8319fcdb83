/**
 * The clock faults a scenario can inflict on one node
 * (../../../shared/CHAPTER.txt 3.2): a fixed offset, oscillator drift, NTP's
 * two kinds of correction (a step, which can go backward, and a slew, which
 * changes the clock's speed until the error is absorbed), a strobing clock
 * whose offset flips back and forth (Jepsen's `strobe-time` nemesis), and a
 * leap second (the kernel repeats a second by stepping back 1000 ms).
 * Steps and slews touch only the wall clock; the monotonic clock never goes
 * backward and only shares the drift.
 */
import { describeValue, type MonotonicClock, type WallClock } from "@skew/env";
import {
  clockOffsetMaxMs,
  driftPpmMax,
  faultDurationMaxMs,
  slewPpmDefault,
  slewPpmMax,
  strobeFlipsMax,
} from "./constants.js";
import type { Kernel } from "./kernel.js";
import type { NodeHost } from "./node.js";
import { msToUsCeil } from "./time.js";
import { checkDurationMs, checkFiniteMs } from "./validate.js";

export class ClockControl {
  readonly #kernel: Kernel<unknown>;
  readonly #node: NodeHost<unknown>;

  /** @internal Obtained from `Simulation.clock(id)`. */
  constructor(kernel: Kernel<unknown>, node: NodeHost<unknown>) {
    this.#kernel = kernel;
    this.#node = node;
  }

  /** The node's wall clock, as its processes see it. */
  get wall(): WallClock {
    return this.#node.clock.wall;
  }

  get monotonic(): MonotonicClock {
    return this.#node.clock.monotonic;
  }

  /** How far the wall clock is ahead of true time (negative: behind), in ms. */
  get offsetMs(): number {
    return this.#node.clock.offsetMs;
  }

  get driftPpm(): number {
    return this.#node.clock.driftPpm;
  }

  /** Sets the wall clock's offset from true time (one step to get there): `skew(+4000)` runs the node 4 s ahead. */
  skew(offsetMs: number): this {
    checkFiniteMs("ClockControl.skew", offsetMs, clockOffsetMaxMs);
    return this.#step(offsetMs - this.offsetMs, "skew");
  }

  /** Steps the wall clock by `deltaMs` at once, as NTP does when it is too far off; negative goes backward. */
  step(deltaMs: number): this {
    checkFiniteMs("ClockControl.step", deltaMs, clockOffsetMaxMs);
    return this.#step(deltaMs, "step");
  }

  /** Sets the oscillator's error in parts per million (positive runs fast); both clocks follow it. */
  drift(ppm: number): this {
    checkFiniteMs("ClockControl.drift", ppm, driftPpmMax);
    this.#node.clock.setDrift(ppm);
    this.#kernel.record("fault", this.#node.index, -1, `drift ${ppm}ppm`);
    return this;
  }

  /**
   * Corrects the wall clock by `deltaMs` gradually, running it `ratePpm` fast
   * (or slow) until the correction is absorbed: NTP's slew. Never backward.
   * A new slew replaces one in progress.
   */
  slew(deltaMs: number, ratePpm: number = slewPpmDefault): this {
    checkFiniteMs("ClockControl.slew", deltaMs, clockOffsetMaxMs);
    if (typeof ratePpm !== "number" || !(ratePpm > 0 && ratePpm <= slewPpmMax)) {
      throw new RangeError(`ClockControl.slew: ratePpm must be in (0, ${slewPpmMax}], got ${describeValue(ratePpm)}`);
    }
    const durationMs = Math.abs(deltaMs) / (ratePpm / 1e6);
    checkDurationMs("ClockControl.slew (|deltaMs| / ratePpm)", durationMs, faultDurationMaxMs);
    const node = this.#node;
    const generation = ++node.clockGeneration;
    node.clock.setSlew(Math.sign(deltaMs) * ratePpm);
    this.#kernel.record("fault", node.index, -1, `slew ${deltaMs}ms at ${ratePpm}ppm`);
    this.#kernel.at(this.#kernel.nowUs + Math.round(durationMs * 1000), () => {
      if (node.clockGeneration === generation) node.clock.setSlew(0);
    });
    return this;
  }

  /**
   * Flips the wall clock between `+amplitudeMs` and `-amplitudeMs` around its
   * current offset every `periodMs`, for `durationMs`, then puts it back.
   */
  strobe(amplitudeMs: number, periodMs: number, durationMs: number): this {
    checkFiniteMs("ClockControl.strobe (amplitudeMs)", amplitudeMs, clockOffsetMaxMs);
    checkDurationMs("ClockControl.strobe (durationMs)", durationMs, faultDurationMaxMs);
    if (typeof periodMs !== "number" || !(periodMs > 0 && periodMs <= faultDurationMaxMs)) {
      throw new RangeError(
        `ClockControl.strobe: periodMs must be in (0, ${faultDurationMaxMs}], got ${describeValue(periodMs)}`,
      );
    }
    const flips = Math.floor(durationMs / periodMs);
    if (flips > strobeFlipsMax) {
      throw new RangeError(`ClockControl.strobe: ${flips} flips exceed strobeFlipsMax (${strobeFlipsMax})`);
    }
    const periodUs = msToUsCeil(periodMs);
    const startUs = this.#kernel.nowUs;
    this.#step(amplitudeMs, "strobe");
    for (let flip = 1; flip <= flips; flip++) {
      // Odd flips go to -amplitude, even ones back to +amplitude; the last one restores the offset.
      const sign = flip % 2 === 1 ? -1 : 1;
      const delta = flip === flips ? sign * amplitudeMs : sign * 2 * amplitudeMs;
      this.#kernel.at(startUs + flip * periodUs, () => this.#step(delta, "strobe"));
    }
    if (flips === 0) this.#kernel.at(startUs + msToUsCeil(durationMs), () => this.#step(-amplitudeMs, "strobe"));
    return this;
  }

  /** In `inMs`, repeats a second: the wall clock steps back 1000 ms, as a kernel inserting a leap second does. */
  leapSecond(inMs = 0): this {
    checkDurationMs("ClockControl.leapSecond", inMs, faultDurationMaxMs);
    this.#kernel.at(this.#kernel.nowUs + msToUsCeil(inMs), () => this.#step(-1000, "leap second"));
    return this;
  }

  #step(deltaMs: number, why: string): this {
    this.#node.clock.step(deltaMs);
    this.#kernel.record("fault", this.#node.index, -1, `${why} ${deltaMs >= 0 ? "+" : ""}${deltaMs}ms`);
    return this;
  }
}
