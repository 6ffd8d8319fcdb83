/**
 * What a time source tells a node: an interval that holds true time, and the
 * instant of the node's own monotonic clock at which it held. Carrying the
 * monotonic instant (rather than a wall-clock reading) is what lets a sample
 * taken a while ago still be used: it is carried forward at the drift rate,
 * as the clock's own interval is, and no wall-clock step can corrupt it.
 *
 * `roundTripSample` derives one from a request and its response, the way
 * Cristian's algorithm (1989) and NTP's on-wire exchange bound a remote
 * reading: the source read its clock at some instant between the request
 * leaving and the response arriving, so when the response arrives true time
 * is at least the source's reading (less its own error) and at most that
 * reading plus the whole round trip (plus its error, and the drift of the
 * local clock that timed the round trip).
 */
import { checkDrift, checkFinite, checkSourceName } from "./check.js";
import { defaultMaxDriftPpm } from "./constants.js";
import { driftRates, roundedDown, roundedUp } from "./interval.js";

export interface TimeSample {
  /** Which source said it: a server name, a GPS receiver. Unique within one sync. */
  readonly source: string;
  /** This node's monotonic reading (ms) at which the interval held. */
  readonly monotonicMs: number;
  /** True time was no earlier than this at `monotonicMs`, in ms since the Unix epoch. */
  readonly earliest: number;
  /** True time was no later than this at `monotonicMs`, in ms since the Unix epoch. */
  readonly latest: number;
}

export interface RoundTrip {
  readonly source: string;
  /** This node's monotonic reading (ms) when the request left. */
  readonly sentAtMs: number;
  /** This node's monotonic reading (ms) when the response arrived. */
  readonly receivedAtMs: number;
  /** The time the source read from its clock while answering, in ms since the Unix epoch. */
  readonly sourceTimeMs: number;
  /**
   * How far that reading may be from true time: the source's own error bound
   * (for an NTP server, its root dispersion plus half its root delay).
   */
  readonly sourceErrorMs: number;
}

/** The sample a round trip proves, for a local clock whose rate is off by at most `maxDriftPpm`. */
export function roundTripSample(roundTrip: RoundTrip, maxDriftPpm: number = defaultMaxDriftPpm): TimeSample {
  const { source, sentAtMs, receivedAtMs, sourceTimeMs, sourceErrorMs } = roundTrip;
  checkSourceName("roundTripSample", source);
  checkFinite("roundTripSample: sentAtMs", sentAtMs);
  checkFinite("roundTripSample: receivedAtMs", receivedAtMs);
  checkFinite("roundTripSample: sourceTimeMs", sourceTimeMs);
  checkFinite("roundTripSample: sourceErrorMs", sourceErrorMs);
  if (sourceErrorMs < 0) throw new RangeError(`roundTripSample: sourceErrorMs must be >= 0, got ${sourceErrorMs}`);
  if (receivedAtMs < sentAtMs) {
    throw new RangeError(
      `roundTripSample: the response arrived (${receivedAtMs}) before the request left (${sentAtMs})`,
    );
  }
  checkDrift("roundTripSample", maxDriftPpm);
  const roundTripMs = receivedAtMs - sentAtMs;
  return {
    source,
    monotonicMs: receivedAtMs,
    earliest: roundedDown(sourceTimeMs, -sourceErrorMs),
    latest: roundedUp(sourceTimeMs, sourceErrorMs + roundTripMs * driftRates(maxDriftPpm).fastest),
  };
}

/** Checks one sample handed to `sync`, taken no later than `nowMs` on the same monotonic clock. */
export function checkSample(sample: TimeSample, index: number, nowMs: number): void {
  if (typeof sample !== "object" || sample === null) throw new TypeError(`sync: sample ${index} is not an object`);
  checkSourceName(`sync: sample ${index}`, sample.source);
  checkFinite(`sync: sample ${index} monotonicMs`, sample.monotonicMs);
  checkFinite(`sync: sample ${index} earliest`, sample.earliest);
  checkFinite(`sync: sample ${index} latest`, sample.latest);
  if (sample.earliest > sample.latest) {
    throw new RangeError(
      `sync: sample ${index} (${sample.source}) must have earliest <= latest, got [${String(sample.earliest)}, ${String(sample.latest)}]`,
    );
  }
  if (sample.monotonicMs > nowMs) {
    throw new RangeError(
      `sync: sample ${index} (${sample.source}) was taken at monotonic ${sample.monotonicMs}, after now (${nowMs}); samples must be timed on this clock's monotonic clock`,
    );
  }
}
