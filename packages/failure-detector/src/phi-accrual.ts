/**
 * The φ accrual failure detector for one peer (Hayashibara, Défago, Yared and
 * Katayama, SRDS 2004), with Akka's production refinements: a floor under the
 * standard deviation, an acceptable pause added to the expected interval, a
 * bootstrap for the first heartbeat, and intervals that end in a suspicion
 * kept out of the statistics.
 *
 * Instead of answering "dead or alive" after a fixed timeout, it answers "how
 * suspicious is this silence" on a scale (φ) that adapts to the heartbeat
 * inter-arrival times it has observed: on a steady network a late heartbeat
 * is suspicious sooner, on a jittery one later (the chapter's "adaptive
 * timeout", 2.5). The caller picks a threshold, that is a risk of a false
 * suspicion, instead of a duration.
 *
 * Each interval between heartbeats is a sample in a sliding window
 * (`window.ts`); φ is computed from the window's mean and standard deviation
 * (`phi.ts`). Both `heartbeat` and `phi` are O(1).
 */
import { checkFinite, checkInteger, checkNonNegative, checkPositive, checkTime } from "./check.js";
import {
  acceptablePauseMsDefault,
  firstHeartbeatEstimateMsDefault,
  firstHeartbeatSpreadRatio,
  minStdDeviationMsDefault,
  thresholdPhiDefault,
  thresholdPhiMin,
  windowSamplesLimit,
  windowSamplesMaxDefault,
  windowSamplesMin,
} from "./constants.js";
import type { FailureDetector } from "./detector.js";
import { logitOfPhi, phiOfSilence, standardScoreAtZ } from "./phi.js";
import { IntervalWindow } from "./window.js";

export interface PhiAccrualOptions {
  /** φ at and above which the peer is suspected; > log10(2). Default 8 (Akka's). */
  readonly thresholdPhi?: number;
  /** Inter-arrival times kept; in [2, 65536]. Default 1000 (Akka's, Cassandra's). */
  readonly windowSamplesMax?: number;
  /** Floor under the observed standard deviation, in ms; > 0. Default 100 (Akka's). */
  readonly minStdDeviationMs?: number;
  /** Silence beyond the mean interval that is not yet an anomaly, in ms; >= 0. Default 3000 (Akka's). */
  readonly acceptablePauseMs?: number;
  /** The interval assumed before any is observed: the heartbeat period, in ms; > 0. Default 1000. */
  readonly firstHeartbeatEstimateMs?: number;
}

/** What the window holds now. */
export interface IntervalStats {
  /** Mean inter-arrival time in the window, ms (the acceptable pause not added). */
  readonly meanMs: number;
  /** Observed standard deviation in the window, ms (the floor not applied). */
  readonly stdDeviationMs: number;
  /** Samples in the window, the two bootstrap samples included until they are evicted. */
  readonly samples: number;
}

export class PhiAccrualDetector implements FailureDetector {
  readonly thresholdPhi: number;
  readonly windowSamplesMax: number;
  readonly minStdDeviationMs: number;
  readonly acceptablePauseMs: number;
  readonly firstHeartbeatEstimateMs: number;
  readonly #window: IntervalWindow;
  /** How many standard deviations beyond the expected interval φ reaches the threshold. */
  readonly #thresholdScore: number;
  /** NaN until the first heartbeat: a double from the start, so that storing a time never allocates. */
  #lastHeartbeatMs = Number.NaN;

  constructor(options: PhiAccrualOptions = {}) {
    if (typeof options !== "object" || options === null) throw new TypeError("PhiAccrualDetector: expected options");
    const where = "PhiAccrualDetector";
    const threshold = options.thresholdPhi ?? thresholdPhiDefault;
    checkFinite(where, "thresholdPhi", threshold);
    if (!(threshold > thresholdPhiMin)) {
      throw new RangeError(
        `${where}: thresholdPhi must be > log10(2) = ${thresholdPhiMin}, or a peer is suspected as it is heard from; got ${threshold}`,
      );
    }
    const windowSamplesMax = options.windowSamplesMax ?? windowSamplesMaxDefault;
    checkInteger(where, "windowSamplesMax", windowSamplesMax, windowSamplesMin, windowSamplesLimit);
    const minStdDeviationMs = options.minStdDeviationMs ?? minStdDeviationMsDefault;
    checkPositive(where, "minStdDeviationMs", minStdDeviationMs);
    const acceptablePauseMs = options.acceptablePauseMs ?? acceptablePauseMsDefault;
    checkNonNegative(where, "acceptablePauseMs", acceptablePauseMs);
    const firstHeartbeatEstimateMs = options.firstHeartbeatEstimateMs ?? firstHeartbeatEstimateMsDefault;
    checkPositive(where, "firstHeartbeatEstimateMs", firstHeartbeatEstimateMs);

    this.thresholdPhi = threshold;
    this.windowSamplesMax = windowSamplesMax;
    this.minStdDeviationMs = minStdDeviationMs;
    this.acceptablePauseMs = acceptablePauseMs;
    this.firstHeartbeatEstimateMs = firstHeartbeatEstimateMs;
    this.#window = new IntervalWindow(windowSamplesMax);
    this.#thresholdScore = standardScoreAtZ(logitOfPhi(threshold));
  }

  get isMonitoring(): boolean {
    return !Number.isNaN(this.#lastHeartbeatMs);
  }

  get lastHeartbeatMs(): number | undefined {
    return Number.isNaN(this.#lastHeartbeatMs) ? undefined : this.#lastHeartbeatMs;
  }

  /** The window's statistics; before the first heartbeat, those of the bootstrap it will start with. */
  get stats(): IntervalStats {
    if (this.#window.count === 0) {
      const spread = this.firstHeartbeatEstimateMs * firstHeartbeatSpreadRatio;
      return { meanMs: this.firstHeartbeatEstimateMs, stdDeviationMs: spread, samples: 0 };
    }
    return {
      meanMs: this.#window.mean,
      stdDeviationMs: Math.sqrt(this.#window.variance),
      samples: this.#window.count,
    };
  }

  /**
   * Records a heartbeat that arrived at `nowMs`. The interval since the last
   * one joins the window, unless the peer was already suspected when it
   * arrived: such an interval measures an outage, not the network, and would
   * teach the detector to tolerate the next one (Akka's rule). The first
   * heartbeat seeds the window with two samples at the estimate -+ a quarter
   * of it, so that a peer which sends one heartbeat and dies is still
   * suspected.
   */
  heartbeat(nowMs: number): void {
    checkTime("PhiAccrualDetector.heartbeat", nowMs, this.#lastHeartbeatMs);
    const last = this.#lastHeartbeatMs;
    if (Number.isNaN(last)) {
      const spread = this.firstHeartbeatEstimateMs * firstHeartbeatSpreadRatio;
      this.#window.add(this.firstHeartbeatEstimateMs - spread);
      this.#window.add(this.firstHeartbeatEstimateMs + spread);
    } else if (nowMs < this.#suspicionAt(last)) {
      this.#window.add(nowMs - last);
    }
    this.#lastHeartbeatMs = nowMs;
  }

  /**
   * The suspicion level at `nowMs`: -log10 of the probability that a live peer
   * would stay silent this long, at most log10(2) right after a heartbeat,
   * non-decreasing until the next one. 0 before the first heartbeat.
   */
  phi(nowMs: number): number {
    checkTime("PhiAccrualDetector.phi", nowMs, this.#lastHeartbeatMs);
    const last = this.#lastHeartbeatMs;
    return Number.isNaN(last) ? 0 : this.#phiAfter(nowMs - last);
  }

  /**
   * True while φ is below the threshold (and before the first heartbeat).
   * Computed without φ: the silence is compared with the silence at which φ
   * reaches the threshold, mean + pause + k·σ, where k depends on the
   * threshold alone and is solved for once, in the constructor. It is the same
   * test, since φ only grows with the silence, at the cost of a few
   * multiplications instead of an exp and a log (the two may disagree only
   * within a few parts in 10^15 of the boundary).
   */
  isAvailable(nowMs: number): boolean {
    checkTime("PhiAccrualDetector.isAvailable", nowMs, this.#lastHeartbeatMs);
    return !(nowMs >= this.#suspicionAt(this.#lastHeartbeatMs));
  }

  /**
   * When φ reaches the threshold if no heartbeat arrives first: the last
   * heartbeat plus mean + acceptable pause + about 5.2 standard deviations at
   * threshold 8. Exact up to rounding: φ there is the threshold within a few
   * parts in 10^15.
   */
  suspicionAtMs(): number | undefined {
    const last = this.#lastHeartbeatMs;
    return Number.isNaN(last) ? undefined : this.#suspicionAt(last);
  }

  /** NaN before the first heartbeat, so that every comparison with it is false. */
  #suspicionAt(lastMs: number): number {
    return lastMs + this.#expectedMs() + this.#thresholdScore * this.#stdDeviationMs();
  }

  #phiAfter(silenceMs: number): number {
    return phiOfSilence(silenceMs, this.#expectedMs(), this.#stdDeviationMs());
  }

  /** The interval φ measures a silence against: the observed mean plus the pause we agreed to forgive. */
  #expectedMs(): number {
    return this.#window.mean + this.acceptablePauseMs;
  }

  #stdDeviationMs(): number {
    return Math.max(Math.sqrt(this.#window.variance), this.minStdDeviationMs);
  }
}
