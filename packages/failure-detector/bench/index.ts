/**
 * What the detectors cost per call, beside the floor of each operation (see
 * shared/BENCHMARKING.md). A heartbeat is a ring-buffer write and a few
 * additions, so it is measured beside a bare write into a Float64Array; φ is
 * an exp and a log1p of a cubic, so it is measured beside those two calls.
 * The registry is measured with 100 peers: a heartbeat (one Map lookup more)
 * and a sweep for the suspected peers, beside a bare Map lookup. Inputs
 * rotate through prepared arrays so that the JIT cannot hoist the work out of
 * the loop; heartbeat times only ever move forward, as a monotonic clock's do.
 *
 *   npm run build && npm run bench [-- --json | --quick | --filter <text>]
 */
import { Random } from "@skew/env";
import { FailureDetectorRegistry, FixedTimeoutDetector, PhiAccrualDetector } from "@skew/failure-detector";
import { runBenchmarks } from "@skew/harness";

/** Inputs per rotation: a power of two, so that `i & mask` picks the next one. */
const inputCount = 1024;
const mask = inputCount - 1;
const random = Random.seeded(2004);

/** Heartbeat intervals around one second, 20 ms of jitter. */
const intervals = Float64Array.from({ length: inputCount }, () => 1000 + (random.float() - 0.5) * 40);
/** Silences from 0 to 6 s: before, around and after the suspicion at ~4.5 s. */
const silences = Float64Array.from({ length: inputCount }, () => random.float() * 6000);

let i = 0;
/**
 * A monotonic clock the benchmark moves by hand. Its reading lives in an
 * object field, which V8 updates in place: a module-level `let` holding a
 * fractional number is boxed afresh on every assignment, which would charge
 * 16 bytes and a few nanoseconds of the benchmark's own to each call.
 */
class BenchClock {
  nowMs = 0.5;
  advance(ms: number): number {
    this.nowMs += ms;
    return this.nowMs;
  }
}
const phiClock = new BenchClock();
const fixedClock = new BenchClock();
const learnedClock = new BenchClock();
const registryClock = new BenchClock();

// heartbeat(): each detector gets its own clock, which only moves forward.
const phiDetector = new PhiAccrualDetector();
const fixedDetector = new FixedTimeoutDetector({ timeoutMs: 2500 });
const ring = new Float64Array(1000);
let ringNext = 0;

// phi(): a detector that has learned a full window, asked about silences after its last heartbeat.
const learned = new PhiAccrualDetector();
for (let k = 0; k < 2000; k++) learned.heartbeat(learnedClock.advance(intervals[k & mask] ?? 1000));

// The registry: 100 peers heartbeating in turn.
const peerCount = 100;
const peers = Array.from({ length: peerCount }, (_, k) => `n${k}`);
const registry = new FailureDetectorRegistry(() => new PhiAccrualDetector());
const lookup = new Map(peers.map((peer) => [peer, { lastMs: 0 }]));
for (let k = 0; k < 2000 * peerCount; k++) registry.heartbeat(peers[k % peerCount] ?? "n0", registryClock.advance(10));
let peerIndex = 0;

await runBenchmarks("@skew/failure-detector", [
  {
    group: "heartbeat()",
    name: "Float64Array ring write",
    role: "floor",
    fn: () => {
      ring[ringNext] = intervals[i++ & mask] ?? 0;
      ringNext = ringNext + 1 === ring.length ? 0 : ringNext + 1;
      return ringNext;
    },
    allocation: true,
  },
  {
    group: "heartbeat()",
    name: "PhiAccrualDetector.heartbeat(now)",
    fn: () => phiDetector.heartbeat(phiClock.advance(intervals[i++ & mask] ?? 1000)),
    allocation: true,
    // A φ at the arrival (is the interval an outage?), the window update: ~10x a bare write, nothing allocated.
    goal: { maxRatio: 15, maxBytesPerOp: 0 },
  },
  {
    group: "heartbeat()",
    name: "FixedTimeoutDetector.heartbeat(now)",
    fn: () => fixedDetector.heartbeat(fixedClock.advance(intervals[i++ & mask] ?? 1000)),
    allocation: true,
    goal: { maxBytesPerOp: 0 },
  },

  {
    group: "phi()",
    name: "Math.log1p(Math.exp(x))",
    role: "floor",
    fn: () => Math.log1p(Math.exp((silences[i++ & mask] ?? 0) / 1000 - 4)),
  },
  {
    group: "phi()",
    name: "PhiAccrualDetector.phi(now)",
    fn: () => learned.phi(learnedClock.nowMs + (silences[i++ & mask] ?? 0)),
    goal: { maxRatio: 2 },
  },
  {
    group: "phi()",
    name: "PhiAccrualDetector.isAvailable(now)",
    fn: () => learned.isAvailable(learnedClock.nowMs + (silences[i++ & mask] ?? 0)),
    allocation: true,
    // No exp, no log: the silence is compared with where phi reaches the threshold.
    goal: { maxRatio: 0.5, maxBytesPerOp: 0 },
  },
  {
    group: "phi()",
    name: "PhiAccrualDetector.suspicionAtMs()",
    fn: () => learned.suspicionAtMs(),
  },

  {
    group: "registry, 100 peers",
    name: "Map.get(peer)",
    role: "floor",
    fn: () => lookup.get(peers[peerIndex++ % peerCount] ?? "n0"),
  },
  {
    group: "registry, 100 peers",
    name: "FailureDetectorRegistry.heartbeat(peer, now)",
    fn: () => registry.heartbeat(peers[peerIndex++ % peerCount] ?? "n0", registryClock.advance(10)),
    allocation: true,
    // The 16 B are the caller's: `now`, a fractional double, is boxed to cross a call V8 does not inline.
    goal: { maxNs: 100, maxBytesPerOp: 16 },
  },
  {
    group: "registry, 100 peers",
    name: "FailureDetectorRegistry.suspected(now)",
    fn: () => registry.suspected(registryClock.nowMs + (silences[i++ & mask] ?? 0)),
    // One isAvailable per peer and the array of the suspected: under 30 ns a peer.
    goal: { maxNs: 3_000 },
  },
]);
