/**
 * A node's two clocks, derived from true time the way a real machine derives
 * them from a quartz oscillator (../../../shared/CHAPTER.txt, 3.1 and 3.2),
 * and as TigerBeetle's `TimeSim` does for its replicas.
 *
 * Both clocks are piecewise linear in true time. The oscillator runs at
 * `1 + driftPpm / 1e6` of true speed and drives both of them. The wall clock
 * can also be *stepped* (NTP resetting a clock that is too far off, a VM
 * resuming, a leap second: the reading jumps, backward too) and *slewed*
 * (NTP's gentle correction: the rate changes by up to 500 ppm until the
 * offset is absorbed). The monotonic clock is never stepped or slewed, so it
 * never goes backward; it only shares the oscillator's drift, so a node's
 * timeouts run fast or slow with it.
 *
 * Readings are in milliseconds (the `@skew/env` contract); the clock itself
 * does not schedule anything. `ClockControl` (clock-control.ts) turns slews,
 * strobes and leap seconds into events.
 */
import { assert, type MonotonicClock, type WallClock } from "@skew/env";
import { usPerMs } from "./constants.js";

/** The state behind one node's wall and monotonic clocks. True time comes from `nowUs`. */
export class SimClock {
  readonly #nowUs: () => number;
  readonly #epochMs: number;
  #driftPpm = 0;
  #slewPpm = 0;
  // wall(t) = #wallAnchorMs + (t - #wallAnchorUs) * #wallRate / 1000
  #wallAnchorUs: number;
  #wallAnchorMs: number;
  #wallRate = 1;
  // monotonic(t) = #monoAnchorMs + (t - #monoAnchorUs) * #monoRate / 1000
  #monoAnchorUs: number;
  #monoAnchorMs: number;
  #monoRate = 1;
  #monoLastMs = Number.NEGATIVE_INFINITY;

  readonly wall: WallClock;
  readonly monotonic: MonotonicClock;

  constructor(nowUs: () => number, epochMs: number, monotonicOriginMs: number) {
    this.#nowUs = nowUs;
    this.#epochMs = epochMs;
    const t = nowUs();
    this.#wallAnchorUs = t;
    this.#wallAnchorMs = epochMs + t / usPerMs;
    this.#monoAnchorUs = t;
    this.#monoAnchorMs = monotonicOriginMs;
    this.wall = { kind: "wall", now: () => this.wallNow() };
    this.monotonic = { kind: "monotonic", now: () => this.monotonicNow() };
  }

  wallNow(): number {
    return this.#wallAnchorMs + ((this.#nowUs() - this.#wallAnchorUs) * this.#wallRate) / usPerMs;
  }

  monotonicNow(): number {
    const ms = this.#monoAnchorMs + ((this.#nowUs() - this.#monoAnchorUs) * this.#monoRate) / usPerMs;
    assert(ms >= this.#monoLastMs, "a simulated monotonic clock went backward");
    this.#monoLastMs = ms;
    return ms;
  }

  /** Wall reading minus true time: how far ahead (positive) or behind this node's time of day is. */
  get offsetMs(): number {
    return this.wallNow() - (this.#epochMs + this.#nowUs() / usPerMs);
  }

  get driftPpm(): number {
    return this.#driftPpm;
  }

  /** The monotonic clock's speed relative to true time (1 = exact). */
  get monotonicRate(): number {
    return this.#monoRate;
  }

  /** Moves the wall clock by `deltaMs` at once (negative: backward). */
  step(deltaMs: number): void {
    this.#reanchorWall();
    this.#wallAnchorMs += deltaMs;
  }

  /** Sets the oscillator's error; both clocks change speed from now on. */
  setDrift(ppm: number): void {
    this.#reanchorWall();
    this.#reanchorMonotonic();
    this.#driftPpm = ppm;
    this.#applyRates();
  }

  /** Adds `ppm` to the wall clock's speed (NTP's slew) until `setSlew(0)`. */
  setSlew(ppm: number): void {
    this.#reanchorWall();
    this.#slewPpm = ppm;
    this.#applyRates();
  }

  #applyRates(): void {
    this.#wallRate = 1 + (this.#driftPpm + this.#slewPpm) / 1e6;
    this.#monoRate = 1 + this.#driftPpm / 1e6;
    assert(this.#wallRate > 0 && this.#monoRate > 0, "clocks must run forward");
  }

  #reanchorWall(): void {
    const t = this.#nowUs();
    this.#wallAnchorMs = this.wallNow();
    this.#wallAnchorUs = t;
  }

  #reanchorMonotonic(): void {
    const t = this.#nowUs();
    this.#monoAnchorMs = this.monotonicNow();
    this.#monoAnchorUs = t;
  }
}
