/**
 * Every limit and default of @skew/failure-detector, with its unit at the end
 * of its name, checked against the others when the module loads
 * (TigerBeetle's constants.zig).
 *
 * The defaults are Akka Cluster's (`akka.cluster.failure-detector` in its
 * reference.conf), which assume one heartbeat a second: Akka has run them on
 * production clusters for a decade, and a reader who knows Akka can carry
 * their intuition over unchanged.
 */
import { assert } from "@skew/env";

/**
 * Suspicion level at and above which a peer is suspected. phi = 8 means the
 * silence so far would be that long, or longer, with probability 10^-8 if the
 * peer were alive and its heartbeats followed the observed distribution.
 * Akka's default.
 */
export const thresholdPhiDefault = 8;

/**
 * The lowest threshold accepted, exclusive. Right after a heartbeat phi is at
 * most log10(2) (the silence is 0, which is at or below the expected interval,
 * so the normal CDF there is at most 1/2); a threshold at or below it would
 * suspect a peer at the instant it is heard from.
 */
export const thresholdPhiMin = Math.log10(2);

/** Inter-arrival times kept per peer: Akka's and Cassandra's window. */
export const windowSamplesMaxDefault = 1_000;

/** The smallest window: it must hold the two samples a first heartbeat is bootstrapped with. */
export const windowSamplesMin = 2;

/** The largest window accepted: 512 KiB of samples per peer. */
export const windowSamplesLimit = 65_536;

/**
 * Floor under the observed standard deviation. Heartbeats on a quiet network
 * arrive within a millisecond of their period; without a floor phi would
 * climb to the threshold a few milliseconds after a heartbeat is late. Akka's
 * default.
 */
export const minStdDeviationMsDefault = 100;

/**
 * Silence beyond the mean interval that is not yet an anomaly: it shifts the
 * expected arrival later, so a GC pause or a burst of lost heartbeats this
 * long does not raise suspicion. Akka's default (three heartbeats at 1 s).
 */
export const acceptablePauseMsDefault = 3_000;

/**
 * What the interval is taken to be before any has been observed: the window
 * starts with two samples at this value -+ a quarter of it (Akka's bootstrap),
 * so a peer that sends one heartbeat and dies is still suspected. Set it to
 * the heartbeat period.
 */
export const firstHeartbeatEstimateMsDefault = 1_000;

/** The standard deviation of the bootstrap samples, as a fraction of the estimate (Akka's). */
export const firstHeartbeatSpreadRatio = 1 / 4;

/** Peers a registry holds when its options name no other limit. */
export const peersMaxDefault = 1_024;

/** The largest `peersMax` accepted. */
export const peersLimit = 1_048_576;

assert(thresholdPhiDefault > thresholdPhiMin, "the default threshold must not suspect a peer as it is heard from");
assert(
  windowSamplesMin <= windowSamplesMaxDefault && windowSamplesMaxDefault <= windowSamplesLimit,
  "the default window must be within its limits",
);
assert(windowSamplesMin >= 2, "the window must hold both bootstrap samples");
assert(minStdDeviationMsDefault > 0, "a zero standard deviation would make phi jump from 0 to infinity");
assert(
  minStdDeviationMsDefault <= firstHeartbeatEstimateMsDefault * firstHeartbeatSpreadRatio,
  "the floor must not hide the bootstrap's spread, or a first heartbeat would be judged as if the network were known",
);
assert(
  acceptablePauseMsDefault >= 3 * firstHeartbeatEstimateMsDefault,
  "the acceptable pause should allow for a few lost heartbeats (Akka warns below a ratio of 3)",
);
assert(firstHeartbeatSpreadRatio > 0 && firstHeartbeatSpreadRatio < 1, "bootstrap samples must stay positive");
assert(peersMaxDefault >= 1 && peersMaxDefault <= peersLimit, "the default peer limit must be within its limit");
