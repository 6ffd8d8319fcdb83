/**
 * The chapter's trade-off (2.4, 2.5, 3.4), played out on @skew/sim: a peer
 * heartbeats every second to a monitor over a jittery network (exponential
 * delays, 1 ms at least, 20 ms on average). The monitor judges it with three
 * detectors side by side, checking every 10 ms as a replica's tick would:
 *
 * - `fixed 2.5 s`: a fixed timeout tuned to detect a crash fast (two and a
 *   half heartbeat periods: one lost heartbeat and jitter tolerated);
 * - `fixed 5 s`: a fixed timeout tuned long enough to ride out a 3 s pause;
 * - `phi`: the φ accrual detector as the README tunes it for this period
 *   (Akka's defaults: threshold 8, acceptable pause 3 s, min σ 100 ms).
 *
 * After a minute of normal traffic, the peer either pauses for 3 s (a
 * stop-the-world GC: alive, silent, then heartbeating again) or crashes, at a
 * phase within the heartbeat period drawn from the seed. The assertions are
 * on what happened: who declared the peer dead, and when, in virtual time.
 */
import { type FailureDetector, FixedTimeoutDetector, PhiAccrualDetector } from "@skew/failure-detector";
import { runSeeds, Simulation } from "@skew/sim";
import { afterAll, describe, expect, test } from "vitest";

const heartbeatPeriodMs = 1_000;
const tickMs = 10;
const warmUpMs = 60_000;
const pauseMs = 3_000;
const seedCount = 25;

type Judge = "fixed 2.5 s" | "fixed 5 s" | "phi";
const judges: readonly Judge[] = ["fixed 2.5 s", "fixed 5 s", "phi"];

function detectorsFor(): Record<Judge, FailureDetector> {
  return {
    "fixed 2.5 s": new FixedTimeoutDetector({ timeoutMs: 2_500 }),
    "fixed 5 s": new FixedTimeoutDetector({ timeoutMs: 5_000 }),
    phi: new PhiAccrualDetector({
      thresholdPhi: 8,
      acceptablePauseMs: 3_000,
      minStdDeviationMs: 100,
      firstHeartbeatEstimateMs: heartbeatPeriodMs,
    }),
  };
}

interface Outcome {
  /** True time the fault began. */
  readonly faultAtMs: number;
  /** True times at which each judge went from "available" to "suspected". */
  readonly suspicions: Record<Judge, number[]>;
  /** True times at which heartbeats arrived. */
  readonly arrivals: number[];
  /** What phi predicted, at the last heartbeat before the fault, for its suspicion (true time). */
  readonly phiPredictedAtMs: number;
  readonly traceHash: string;
}

function run(seed: number, fault: "pause" | "crash"): Outcome {
  const sim = new Simulation<number>({ seed });
  sim.configureLinks({ delay: { kind: "exponential", minMs: 1, meanMs: 20 } });
  sim.addNode("peer", (ctx) => {
    let sequence = 0;
    const beat = (): void => {
      ctx.send("monitor", sequence++);
      ctx.env.timers.schedule(heartbeatPeriodMs, beat);
    };
    return { onStart: beat, onMessage: () => {} };
  });

  const detectors = detectorsFor();
  const suspicions: Record<Judge, number[]> = { "fixed 2.5 s": [], "fixed 5 s": [], phi: [] };
  const arrivals: number[] = [];
  /** Offset from the monitor's monotonic clock to true time, to report in true time. */
  let trueMinusMonotonic = 0;
  sim.addNode("monitor", (ctx) => {
    const available = new Map<Judge, boolean>(judges.map((judge) => [judge, true]));
    const tick = (): void => {
      const now = ctx.env.monotonic.now();
      trueMinusMonotonic = sim.nowMs - now;
      for (const judge of judges) {
        const up = detectors[judge].isAvailable(now);
        if (available.get(judge) && !up) suspicions[judge].push(sim.nowMs);
        available.set(judge, up);
      }
      ctx.env.timers.schedule(tickMs, tick);
    };
    return {
      onStart: tick,
      onMessage: () => {
        const now = ctx.env.monotonic.now();
        for (const judge of judges) detectors[judge].heartbeat(now);
        arrivals.push(sim.nowMs);
      },
    };
  });

  const faultAtMs = warmUpMs + sim.random.float() * heartbeatPeriodMs;
  let phiPredictedAtMs = Number.NaN;
  sim.after(faultAtMs, () => {
    phiPredictedAtMs = (detectors.phi.suspicionAtMs() ?? Number.NaN) + trueMinusMonotonic;
    if (fault === "pause") sim.node("peer").pause(pauseMs);
    else sim.node("peer").crash();
  });
  sim.run({ forMs: faultAtMs + 15_000 });
  return { faultAtMs, suspicions, arrivals, phiPredictedAtMs, traceHash: sim.traceHash };
}

/** Figures gathered over every seed, printed once at the end. */
const measured = {
  pauseFalseSuspicions: { "fixed 2.5 s": 0, "fixed 5 s": 0, phi: 0 } as Record<Judge, number>,
  crashDetectionMs: { "fixed 2.5 s": [], "fixed 5 s": [], phi: [] } as Record<Judge, number[]>,
  pauseSilenceMs: [] as number[],
};

function summary(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN).toFixed(0);
  return `min ${at(0)} / median ${at(0.5)} / max ${at(1)} ms`;
}

afterAll(() => {
  const lines = judges.map(
    (judge) =>
      `  ${judge.padEnd(12)} paused peer declared dead in ${measured.pauseFalseSuspicions[judge]}/${seedCount} runs; ` +
      `crash detected after ${summary(measured.crashDetectionMs[judge])}`,
  );
  const silence = `  longest silence the pause caused: ${summary(measured.pauseSilenceMs)}`;
  console.log(`heartbeats every 1 s, 3 s GC pause or crash, ${seedCount} seeds:\n${lines.join("\n")}\n${silence}`);
});

describe("fixed timeouts against phi accrual, on a simulated network", () => {
  const pauseName = "a 3 s GC pause: the fast fixed timeout declares the live peer dead, phi does not";
  test(pauseName, async () => {
    await runSeeds({ count: seedCount, env: process.env, test: pauseName }, (seed) => {
      const outcome = run(seed, "pause");
      const resumedAtMs = outcome.faultAtMs + pauseMs;
      // The peer was alive all along: it heartbeats again once the pause is over.
      expect(outcome.arrivals.some((at) => at > resumedAtMs)).toBe(true);
      // Nobody suspected anything during the minute of normal traffic.
      for (const judge of judges) expect(outcome.suspicions[judge].every((at) => at > outcome.faultAtMs)).toBe(true);
      // The fast fixed timeout declared the paused peer dead, during the pause; phi and the slow timeout did not.
      expect(outcome.suspicions["fixed 2.5 s"].length).toBe(1);
      expect(outcome.suspicions["fixed 2.5 s"][0]).toBeLessThan(resumedAtMs + 50);
      expect(outcome.suspicions.phi).toEqual([]);
      expect(outcome.suspicions["fixed 5 s"]).toEqual([]);
      for (const judge of judges) measured.pauseFalseSuspicions[judge] += outcome.suspicions[judge].length;
      const gaps = outcome.arrivals.slice(1).map((at, i) => at - (outcome.arrivals[i] ?? at));
      measured.pauseSilenceMs.push(Math.max(...gaps));
    });
  });

  const crashName = "a crash: the fast fixed timeout detects it first, phi next, the pause-tolerant fixed timeout last";
  test(crashName, async () => {
    await runSeeds({ count: seedCount, env: process.env, test: crashName }, (seed) => {
      const outcome = run(seed, "crash");
      const detectedAfter = (judge: Judge): number => {
        const [first, ...more] = outcome.suspicions[judge];
        expect(first, `${judge} never detected the crash`).toBeDefined();
        expect(more).toEqual([]);
        expect(first).toBeGreaterThan(outcome.faultAtMs);
        return (first ?? Number.NaN) - outcome.faultAtMs;
      };
      const fast = detectedAfter("fixed 2.5 s");
      const phi = detectedAfter("phi");
      const slow = detectedAfter("fixed 5 s");
      expect(fast).toBeLessThan(phi);
      expect(phi).toBeLessThan(slow);
      // phi suspected the peer when it said it would (to the monitor's 10 ms tick).
      const phiAtMs = outcome.faultAtMs + phi;
      expect(phiAtMs).toBeGreaterThanOrEqual(outcome.phiPredictedAtMs);
      expect(phiAtMs).toBeLessThan(outcome.phiPredictedAtMs + tickMs + 1e-3);
      measured.crashDetectionMs["fixed 2.5 s"].push(fast);
      measured.crashDetectionMs.phi.push(phi);
      measured.crashDetectionMs["fixed 5 s"].push(slow);
    });
  });

  test("a seed replays the same run, to the detection times", () => {
    const a = run(7, "crash");
    const b = run(7, "crash");
    expect(b.traceHash).toBe(a.traceHash);
    expect(b.suspicions).toEqual(a.suspicions);
    expect(run(8, "crash").traceHash).not.toBe(a.traceHash);
  });
});
