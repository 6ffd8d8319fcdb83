/**
 * The suspicion level φ of Hayashibara, Défago, Yared and Katayama, "The φ
 * Accrual Failure Detector" (SRDS 2004): given the silence since the last
 * heartbeat and the distribution of inter-arrival times seen so far,
 *
 *     φ(silence) = -log10(1 - F(silence))
 *
 * where F is the CDF of that distribution: φ = 1 means a live peer would have
 * been heard from by now with probability 0.9, φ = 2 with 0.99, φ = 8 with
 * 1 - 10^-8. The scale is the same whatever the network, which is the point:
 * an application picks a risk, not a timeout.
 *
 * F is a normal distribution, as in the paper and in Akka's
 * PhiAccrualFailureDetector. Cassandra's FailureDetector uses an exponential
 * one instead (φ = silence / (mean · ln 10)), because news of a node reaches
 * it through gossip, relayed at random, which looks more like a Poisson
 * process than a metronome; an exponential has a single parameter, so it
 * adapts to the mean interval and ignores the jitter. Our heartbeats go
 * straight from peer to monitor on a period, with jitter around it: the normal
 * is the right model, and its spread is what lets φ tell a jittery network
 * from a dead peer.
 *
 * The normal CDF is Akka's logistic approximation (Bowling, Khasawneh,
 * Kaewkuekool and Cho, "A logistic approximation to the cumulative normal
 * distribution", 2009): F(y) ≈ 1 / (1 + e^-z) with z = y (1.5976 + 0.070566 y²),
 * off by at most 1.4e-4 (at y = ±3.16). Its tail is thinner than the
 * normal's far out, but φ thresholds in use (Akka's 8, Cassandra's 8) were
 * tuned against this very formula. Unlike Akka's two-branch form, φ is
 * computed here as softplus(z) / ln 10, which is the same quantity
 * (1 - F = 1 / (1 + e^z)) but never overflows or underflows to 0 or ∞ for
 * finite z.
 */

/** Cubic coefficient of the logistic approximation. */
const cubic = 0.070566;
/** Linear coefficient of the logistic approximation. */
const linear = 1.5976;
/** From here on softplus(z) and z are the same double. */
const softplusLinearFromZ = 37;

/**
 * φ after `silenceMs` without a heartbeat, when intervals are normal with
 * `meanMs` (the acceptable pause already added) and `stdDeviationMs` (> 0,
 * the floor already applied). Non-decreasing in `silenceMs`; at most log10(2)
 * while `silenceMs <= meanMs`; finite for finite arguments except when the
 * silence is beyond about 10^103 standard deviations.
 */
export function phiOfSilence(silenceMs: number, meanMs: number, stdDeviationMs: number): number {
  const y = (silenceMs - meanMs) / stdDeviationMs;
  const z = y * (linear + cubic * y * y);
  // softplus(z) = ln(1 + e^z). Beyond z = 37, e^-z is below half an ulp of z, so
  // softplus(z) rounds to z itself; below, log1p(exp(z)) is exact to an ulp and,
  // as a composition of two monotone functions, never decreases as z grows
  // (the textbook z + log1p(exp(-z)) can, by an ulp, near z = 0).
  const softplus = z > softplusLinearFromZ ? z : Math.log1p(Math.exp(z));
  return softplus * Math.LOG10E;
}

/**
 * The inverse of `phiOfSilence`: the silence after which φ reaches `phi`
 * (> log10 2), for the same distribution. It answers "how long after the last
 * heartbeat will a peer be suspected", which a driver needs to set its next
 * timer and an operator needs to tune a threshold.
 */
export function silenceAtPhi(phi: number, meanMs: number, stdDeviationMs: number): number {
  return meanMs + standardScoreAtZ(logitOfPhi(phi)) * stdDeviationMs;
}

/** z such that softplus(z) / ln 10 = phi, that is z = ln(10^phi - 1), without overflow. */
export function logitOfPhi(phi: number): number {
  const x = phi * Math.LN10;
  return x + Math.log1p(-Math.exp(-x));
}

/**
 * Solves y (1.5976 + 0.070566 y²) = z for y. The cubic is increasing, so it
 * has one real root: the hyperbolic form of Cardano's formula (stable where
 * the algebraic form cancels), then one Newton step to polish the last bits.
 */
export function standardScoreAtZ(z: number): number {
  const p = linear / cubic;
  const q = -z / cubic;
  const scale = 2 * Math.sqrt(p / 3);
  let y = -scale * Math.sinh(Math.asinh(((3 * q) / (2 * p)) * Math.sqrt(3 / p)) / 3);
  y -= (y * (linear + cubic * y * y) - z) / (linear + 3 * cubic * y * y);
  return y;
}
