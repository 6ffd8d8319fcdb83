/**
 * A fixed timeout against the phi accrual failure detector (the chapter,
 * 2.5 "Timeouts and Unbounded Delays"): "Short timeouts: detect faults
 * faster, but risk false positives. Long timeouts: fewer false positives,
 * but delay fault detection." And: "Systems can use adaptive timeouts that
 * learn from observed response times: the Phi Accrual failure detector."
 *
 * A peer heartbeats every 100 ms to a monitor, which checks every 10 ms.
 * For 20 s the network is quiet (about 1 ms a message); then it turns
 * jittery (exponential delays, 50 ms on average, as a congested network's
 * queues make them) for 30 s; then the peer crashes. The same heartbeats
 * (same seed) are judged twice:
 *
 * - without the remedy, by fixed timeouts: 200 ms (two heartbeat periods,
 *   which never fires on the quiet network) and 1 s (ten periods);
 * - with it, by @skew/failure-detector's phi accrual detector, tuned as its
 *   README says for a 100 ms period (threshold 8, acceptable pause 3
 *   periods, a floor under sigma of a tenth of one).
 *
 * The 200 ms timeout, right for the quiet network, declares the live peer
 * dead again and again once the network turns jittery; the 1 s timeout
 * never does, and is slow to see the crash. Phi learns the jitter: its
 * suspicion threshold, a silence it computes from the inter-arrival times it
 * has seen, grows with it, so it raises no false suspicion, and it still
 * detects the crash sooner than the long timeout.
 */
import { type FailureDetector, FixedTimeoutDetector, PhiAccrualDetector } from "@skew/failure-detector";
import { type DelayModel, type NodeContext, Simulation } from "@skew/sim";
import { durationText, msText, Timeline } from "./narration.js";
import type { Scenario, ScenarioOptions, ScenarioResult, ScenarioRun } from "./scenario.js";
import { checkSeed, simulationSeed } from "./seeds.js";

const heartbeatIntervalMs = 100;
/** The monitor asks its detectors this often, as a replica's tick would. */
const checkIntervalMs = 10;
const quietMs = 20_000;
const jitteryMs = 30_000;
/** After the crash the run goes on this long: any detector worth the name has seen it by then. */
const afterCrashMs = 5_000;
/** The quiet network: a datacenter link, 0.5 ms at least, 1 ms on average (the simulator's default). */
const quietDelayMeanMs = 1;
const quietDelay: DelayModel = { kind: "exponential", minMs: 0.5, meanMs: quietDelayMeanMs };
/** The jittery network: 1 ms at least, 50 ms on average, an exponential tail. */
const jitteryDelayMeanMs = 50;
const jitteryDelay: DelayModel = { kind: "exponential", minMs: 1, meanMs: jitteryDelayMeanMs };
/** The fixed timeouts: the one that suits the quiet network, and a cautious one. */
const shortTimeoutMs = 2 * heartbeatIntervalMs;
const longTimeoutMs = 10 * heartbeatIntervalMs;
/** Phi, tuned for the heartbeat period as @skew/failure-detector's README says (Akka's defaults, scaled). */
const phiOptions = {
  thresholdPhi: 8,
  firstHeartbeatEstimateMs: heartbeatIntervalMs,
  acceptablePauseMs: 3 * heartbeatIntervalMs,
  minStdDeviationMs: heartbeatIntervalMs / 10,
} as const;
/** False suspicions narrated one by one per detector; the rest are counted. */
const suspicionsNarrated = 3;

interface Judge {
  readonly name: string;
  readonly detector: FailureDetector;
  /** Transitions from available to suspected while the peer was alive, per phase. */
  falseQuiet: number;
  falseJittery: number;
  /** True time of the first suspicion after the crash. */
  detectedAtMs: number;
}

interface Played {
  readonly timeline: Timeline;
  readonly judges: readonly Judge[];
  readonly crashAtMs: number;
  /** Phi's suspicion threshold (as a silence after the last heartbeat) at the end of the quiet phase and at the crash. */
  readonly phiSilenceQuietMs: number;
  readonly phiSilenceJitteryMs: number;
  /** The longest gap between two heartbeat arrivals while the peer was alive. */
  readonly longestGapMs: number;
  readonly traceHash: string;
}

/** The silence after which phi suspects, as the detector has learnt it so far. */
function phiSilenceMs(judges: readonly Judge[]): number {
  const phi = judges.find((judge) => judge.detector instanceof PhiAccrualDetector)?.detector;
  const at = phi?.suspicionAtMs();
  const last = phi?.lastHeartbeatMs;
  return at === undefined || last === undefined ? Number.NaN : at - last;
}

function play(seed: number, judges: readonly Judge[]): Played {
  const sim = new Simulation<number>({ seed: simulationSeed(seed), link: { delay: quietDelay } });
  const timeline = new Timeline(() => sim.nowMs);
  const crashAtMs = quietMs + jitteryMs + sim.random.float() * heartbeatIntervalMs;
  let phase: "quiet" | "jittery" | "crashed" = "quiet";
  let lastArrivalMs = Number.NaN;
  let longestGapMs = 0;
  let arrivals = 0;
  /** Each judge's verdict at the last check: true while it holds the peer alive. */
  const available = judges.map(() => true);

  sim.addNode("peer", (ctx: NodeContext<number>) => {
    let seq = 0;
    const beat = () => {
      ctx.send("monitor", ++seq);
      ctx.env.timers.schedule(heartbeatIntervalMs, beat);
    };
    return { onStart: beat, onMessage: () => {} };
  });

  sim.addNode("monitor", (ctx: NodeContext<number>) => {
    const check = () => {
      const now = ctx.env.monotonic.now();
      judges.forEach((judge, i) => {
        const up = judge.detector.isAvailable(now);
        if (available[i] === true && !up) {
          const silence = durationText(now - (judge.detector.lastHeartbeatMs ?? now));
          if (phase === "crashed") {
            if (Number.isNaN(judge.detectedAtMs)) {
              judge.detectedAtMs = sim.nowMs;
              timeline.decide("monitor", `${judge.name}: declares the peer dead after ${silence} of silence: rightly`);
            }
          } else {
            const count = phase === "quiet" ? ++judge.falseQuiet : ++judge.falseJittery;
            if (judge.falseQuiet + judge.falseJittery <= suspicionsNarrated) {
              timeline.decide(
                "monitor",
                `${judge.name}: declares the peer dead after ${silence} of silence: WRONGLY (#${count})`,
              );
            }
          }
        }
        available[i] = up;
      });
      ctx.env.timers.schedule(checkIntervalMs, check);
    };
    return {
      onStart: check,
      onMessage: (_from, seq) => {
        const now = ctx.env.monotonic.now();
        for (const judge of judges) judge.detector.heartbeat(now);
        if (phase !== "crashed") {
          if (!Number.isNaN(lastArrivalMs)) longestGapMs = Math.max(longestGapMs, sim.nowMs - lastArrivalMs);
          lastArrivalMs = sim.nowMs;
        }
        if (++arrivals <= 2) timeline.receive("monitor", "peer", `heartbeat #${seq}`);
      },
    };
  });

  timeline.note(
    "peer",
    `heartbeats every ${heartbeatIntervalMs} ms; the monitor asks its detectors every ${checkIntervalMs} ms`,
  );
  timeline.fault(`the network is quiet: delays of ${quietDelayMeanMs} ms on average`);
  sim.run({ forMs: quietMs });
  const phiSilenceQuietMs = phiSilenceMs(judges);
  if (!Number.isNaN(phiSilenceQuietMs)) {
    timeline.clock(
      "monitor",
      `phi has learnt the quiet network: it would suspect after ${msText(phiSilenceQuietMs, { digits: 0 })} of silence`,
    );
  }
  phase = "jittery";
  sim.configureLinks({ delay: jitteryDelay });
  timeline.fault(`the network turns jittery: delays of ${jitteryDelayMeanMs} ms on average, with an exponential tail`);
  sim.run({ forMs: crashAtMs - sim.nowMs });
  const phiSilenceJitteryMs = phiSilenceMs(judges);
  if (!Number.isNaN(phiSilenceJitteryMs)) {
    timeline.clock(
      "monitor",
      `phi has learnt the jitter: it would now suspect after ${msText(phiSilenceJitteryMs, { digits: 0 })} of silence`,
    );
  }
  phase = "crashed";
  sim.node("peer").crash();
  timeline.fault("the peer crashes");
  judges.forEach((judge, i) => {
    // A judge that was wrongly suspecting the peer when it crashed happens to be right from that instant.
    if (available[i] === false) {
      judge.detectedAtMs = sim.nowMs;
      timeline.decide("monitor", `${judge.name}: was already suspecting the peer: right, from now on`);
    }
  });
  sim.run({ forMs: afterCrashMs });
  for (const judge of judges) {
    const extra = judge.falseQuiet + judge.falseJittery - suspicionsNarrated;
    if (extra > 0) timeline.note("monitor", `${judge.name}: ${extra} more false suspicions not narrated`);
  }
  return {
    timeline,
    judges,
    crashAtMs,
    phiSilenceQuietMs,
    phiSilenceJitteryMs,
    longestGapMs,
    traceHash: sim.traceHash,
  };
}

function judge(name: string, detector: FailureDetector): Judge {
  return { name, detector, falseQuiet: 0, falseJittery: 0, detectedAtMs: Number.NaN };
}

export type TimeoutWithoutFacts = {
  readonly shortTimeoutMs: number;
  readonly shortFalseSuspicionsQuiet: number;
  readonly shortFalseSuspicionsJittery: number;
  readonly shortCrashDetectedAfterMs: number;
  readonly longTimeoutMs: number;
  readonly longFalseSuspicions: number;
  readonly longCrashDetectedAfterMs: number;
  /** The longest silence a live peer caused: a fixed timeout shorter than this fired at least once. */
  readonly longestGapMs: number;
};

export type TimeoutWithFacts = {
  readonly phiFalseSuspicionsQuiet: number;
  readonly phiFalseSuspicionsJittery: number;
  readonly phiCrashDetectedAfterMs: number;
  /** The silence after which phi suspects, learnt on the quiet network and then on the jittery one. */
  readonly phiSuspectsAfterQuietMs: number;
  readonly phiSuspectsAfterJitteryMs: number;
  readonly longestGapMs: number;
};

async function run(options: ScenarioOptions): Promise<ScenarioResult<TimeoutWithoutFacts, TimeoutWithFacts>> {
  const seed = checkSeed(options.seed);
  const short = judge(`fixed ${shortTimeoutMs} ms`, new FixedTimeoutDetector({ timeoutMs: shortTimeoutMs }));
  const long = judge(`fixed ${longTimeoutMs} ms`, new FixedTimeoutDetector({ timeoutMs: longTimeoutMs }));
  const without = play(seed, [short, long]);
  const phi = judge("phi accrual", new PhiAccrualDetector(phiOptions));
  const adaptive = play(seed, [phi]);
  const after = (j: Judge, crashAtMs: number) => j.detectedAtMs - crashAtMs;
  const withoutRemedy: ScenarioRun<TimeoutWithoutFacts> = {
    label: `fixed timeouts: ${shortTimeoutMs} ms (right for the quiet network) and ${longTimeoutMs} ms`,
    timeline: without.timeline.entries(),
    verdict:
      `the ${shortTimeoutMs} ms timeout declared the live peer dead ${short.falseJittery} times once the network turned ` +
      `jittery (${short.falseQuiet} before) and saw the crash after ${durationText(after(short, without.crashAtMs))}; ` +
      `the ${longTimeoutMs} ms one was never wrong and took ${durationText(after(long, without.crashAtMs))}.`,
    facts: {
      shortTimeoutMs,
      shortFalseSuspicionsQuiet: short.falseQuiet,
      shortFalseSuspicionsJittery: short.falseJittery,
      shortCrashDetectedAfterMs: after(short, without.crashAtMs),
      longTimeoutMs,
      longFalseSuspicions: long.falseQuiet + long.falseJittery,
      longCrashDetectedAfterMs: after(long, without.crashAtMs),
      longestGapMs: without.longestGapMs,
    },
    traceHash: without.traceHash,
  };
  const withRemedy: ScenarioRun<TimeoutWithFacts> = {
    label: "phi accrual (threshold 8, acceptable pause 300 ms): a risk chosen, not a duration",
    timeline: adaptive.timeline.entries(),
    verdict:
      `phi raised ${phi.falseQuiet + phi.falseJittery} false suspicions: it moved its threshold from ` +
      `${durationText(adaptive.phiSilenceQuietMs)} of silence to ${durationText(adaptive.phiSilenceJitteryMs)} as the ` +
      `jitter grew (the longest gap was ${durationText(adaptive.longestGapMs)}), and saw the crash after ` +
      `${durationText(after(phi, adaptive.crashAtMs))}.`,
    facts: {
      phiFalseSuspicionsQuiet: phi.falseQuiet,
      phiFalseSuspicionsJittery: phi.falseJittery,
      phiCrashDetectedAfterMs: after(phi, adaptive.crashAtMs),
      phiSuspectsAfterQuietMs: adaptive.phiSilenceQuietMs,
      phiSuspectsAfterJitteryMs: adaptive.phiSilenceJitteryMs,
      longestGapMs: adaptive.longestGapMs,
    },
    traceHash: adaptive.traceHash,
  };
  return {
    name: timeoutVsPhiAccrual.name,
    section: timeoutVsPhiAccrual.section,
    sectionTitle: timeoutVsPhiAccrual.sectionTitle,
    summary: timeoutVsPhiAccrual.summary,
    seed,
    withoutRemedy,
    withRemedy,
    lesson:
      "No fixed timeout is right for a network whose delays change: one short enough to detect a crash quickly " +
      "declares live nodes dead when the jitter grows, and one long enough never to be wrong is slow. Phi accrual " +
      "measures the delays and suspects at a chosen risk, so its timeout follows the network.",
  };
}

export const timeoutVsPhiAccrual: Scenario<TimeoutWithoutFacts, TimeoutWithFacts> = {
  name: "timeout-vs-phi-accrual",
  section: "2.5",
  sectionTitle: "Timeouts and Unbounded Delays",
  summary: "heartbeats on a network turning jittery: a fixed timeout errs or is slow, phi accrual adapts",
  run,
};
