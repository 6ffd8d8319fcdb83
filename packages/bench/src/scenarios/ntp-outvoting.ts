/**
 * An NTP client with several servers outvoting a wrong one (the chapter,
 * 4.4 "Weak forms of lying", and 3.2: "NTP server might be wrong"). Four
 * time servers: three are right to within 2 ms, one is misconfigured and
 * seconds off, and believes itself as firmly as the others do (it claims
 * the same 2 ms error). A client whose own clock is off by a second or more
 * synchronizes by the exchange in ./ntp-client.ts, three rounds 64 s apart
 * (NTP's shortest default poll interval), stepping its clock each round.
 *
 * - Without the remedy, the client knows one server, and it is the wrong
 *   one: one server always agrees with itself, so the client follows it and
 *   ends up seconds off.
 * - With the remedy, the client asks all four: the three right ones agree on
 *   an offset range, the wrong one's range holds none of it, so it is
 *   outvoted, and the client's clock ends up within the agreed range of
 *   true time.
 */
import { limits, type NodeContext, Simulation } from "@skew/sim";
import { clockText, durationText, msText, Timeline } from "./narration.js";
import { type NtpSample, sampleOf, selectOffset } from "./ntp-client.js";
import type { Scenario, ScenarioOptions, ScenarioResult, ScenarioRun } from "./scenario.js";
import { checkSeed, simulationSeed } from "./seeds.js";

const servers = ["ntp1", "ntp2", "ntp3", "ntp4"];
/** The right servers are off by at most this (drawn per server), and every server claims it as its error. */
const serverErrorMs = 2;
/** The wrong server is off by a number of ms drawn in this range, either way. */
const wrongByMinMs = 2_000;
const wrongByMaxMs = 10_000;
/** The client's clock starts off by this much at least and at most, either way (drawn). */
const clientOffMinMs = 500;
const clientOffMaxMs = 3_000;
/** The client's oscillator drift, drawn within this many ppm either way. */
const clientDriftPpmMax = 50;
/** Rounds of synchronization, and the poll interval between them (NTP's minpoll, 2^6 s). */
const rounds = 3;
const pollIntervalMs = 64_000;
/** How long a round waits for answers; a server silent by then counts against the majority. */
const roundTimeoutMs = 1_000;
/** A server takes this long, at most, between reading t2 and t3 (drawn). */
const serverProcessingMaxMs = 0.3;
/** Internet paths: 5 ms at least, 15 ms on average, each direction drawn on its own. */
const link = { delay: { kind: "exponential" as const, minMs: 5, meanMs: 15 } };

type Message =
  | { readonly kind: "request"; readonly t1: number }
  | { readonly kind: "response"; readonly t1: number; readonly t2: number; readonly t3: number };

interface Played {
  readonly timeline: Timeline;
  readonly wrongServer: string;
  readonly wrongByMs: number;
  readonly clientErrorBeforeMs: number;
  readonly clientErrorAfterMs: number;
  /** Of the last round. */
  readonly agreeing: readonly string[];
  readonly outvoted: readonly string[];
  readonly agreementHalfWidthMs: number;
  readonly traceHash: string;
}

function play(seed: number, asksAll: boolean): Played {
  const sim = new Simulation<Message>({ seed: simulationSeed(seed), link });
  const timeline = new Timeline(() => sim.nowMs);
  const wrongServer = sim.random.pick(servers);
  const sign = () => (sim.random.chance(0.5) ? 1 : -1);
  const wrongByMs = sign() * sim.random.int(wrongByMinMs, wrongByMaxMs);
  for (const id of servers) {
    const offsetMs = id === wrongServer ? wrongByMs : (sim.random.float() * 2 - 1) * serverErrorMs;
    sim.addNode(
      id,
      (ctx: NodeContext<Message>) => ({
        onMessage: (from, message) => {
          if (message.kind !== "request") return;
          const t2 = ctx.env.wall.now();
          ctx.env.timers.schedule(ctx.env.random.float() * serverProcessingMaxMs, () => {
            ctx.send(from, { kind: "response", t1: message.t1, t2, t3: ctx.env.wall.now() });
          });
        },
      }),
      { clockOffsetMs: offsetMs },
    );
    timeline.note(
      id,
      id === wrongServer
        ? `its clock is ${durationText(Math.abs(wrongByMs))} ${wrongByMs > 0 ? "ahead" : "behind"} (misconfigured), and it claims +-${serverErrorMs} ms like the others`
        : `its clock is ${msText(offsetMs, { signed: true, digits: 2 })} off; it claims +-${serverErrorMs} ms`,
    );
  }

  const clientOffMs = sign() * sim.random.int(clientOffMinMs, clientOffMaxMs);
  const asked = asksAll ? servers : [wrongServer];
  let correctionMs = 0;
  let last: { agreeing: readonly string[]; outvoted: readonly string[]; halfWidthMs: number } = {
    agreeing: [],
    outvoted: [],
    halfWidthMs: Number.NaN,
  };
  let clientNow = () => Number.NaN;
  let errorAtLastStepMs = Number.NaN;
  let roundsDone = 0;
  const trueEpochMs = () => limits.epochMsDefault + sim.nowMs;
  sim.addNode(
    "client",
    (ctx: NodeContext<Message>) => {
      // The client's clock as its applications see it: the oscillator, corrected by every step so far.
      clientNow = () => ctx.env.wall.now() + correctionMs;
      let round = 0;
      let samples: NtpSample[] = [];
      const poll = () => {
        round++;
        samples = [];
        const t1 = clientNow();
        for (const server of asked) {
          if (round === 1) timeline.send("client", server, `request, t1 = ${clockText(t1)}`);
          ctx.send(server, { kind: "request", t1 });
        }
        ctx.env.timers.schedule(roundTimeoutMs, () => select(round));
      };
      const select = (r: number) => {
        const selection = selectOffset(samples, asked.length);
        if (!selection.ok) {
          timeline.decide(
            "client",
            `round ${r}: no majority agrees (${selection.largestAgreement} of ${selection.quorum} needed); keeps its clock`,
          );
        } else {
          const agreeing = [...selection.agreeing].sort();
          const outvoted = [...selection.outvoted].sort();
          const range = `[${msText(selection.lowMs, { digits: 2 })}, ${msText(selection.highMs, { digits: 2 })}]`;
          const who =
            agreeing.length === 1 && asked.length === 1
              ? `${agreeing[0]}, its only server, says the offset is within ${range}`
              : `${agreeing.join(", ")} agree that the offset is within ${range}`;
          const out = outvoted.length > 0 ? `; ${outvoted.join(", ")} outvoted` : "";
          timeline.decide(
            "client",
            `round ${r}: ${who}${out}; steps its clock by ${msText(selection.offsetMs, { signed: true, digits: 2 })}`,
          );
          correctionMs += selection.offsetMs;
          last = { agreeing, outvoted, halfWidthMs: (selection.highMs - selection.lowMs) / 2 };
          errorAtLastStepMs = clientNow() - trueEpochMs();
          timeline.clock("client", `its clock now reads ${clockText(clientNow())}`);
        }
        roundsDone = r;
        if (r < rounds) ctx.env.timers.schedule(pollIntervalMs - roundTimeoutMs, poll);
      };
      return {
        onStart: () => {
          timeline.clock("client", `its clock reads ${clockText(clientNow())}; it asks ${asked.join(", ")}`);
          poll();
        },
        onMessage: (from, message) => {
          if (message.kind !== "response") return;
          const t4 = clientNow();
          const sample = sampleOf(from, { t1: message.t1, t2: message.t2, t3: message.t3, t4 }, serverErrorMs);
          samples.push(sample);
          if (round === 1) {
            timeline.receive(
              "client",
              from,
              `t2 = ${clockText(message.t2)}, t3 = ${clockText(message.t3)}, t4 = ${clockText(t4)}: offset ` +
                `${msText(sample.offsetMs, { signed: true, digits: 2 })}, delay ${msText(sample.delayMs, { digits: 2 })}`,
            );
          }
        },
      };
    },
    { clockOffsetMs: clientOffMs, driftPpm: sim.random.int(-clientDriftPpmMax, clientDriftPpmMax) },
  );
  sim.run({ forMs: 0 });
  const clientErrorBeforeMs = clientNow() - trueEpochMs();
  sim.run({ forMs: rounds * pollIntervalMs, until: () => roundsDone === rounds });
  const clientErrorAfterMs = errorAtLastStepMs;
  timeline.note(
    "client",
    `right after its last step, its clock is ${msText(clientErrorAfterMs, { signed: true, digits: 2 })} off true time`,
  );
  return {
    timeline,
    wrongServer,
    wrongByMs,
    clientErrorBeforeMs,
    clientErrorAfterMs,
    agreeing: last.agreeing,
    outvoted: last.outvoted,
    agreementHalfWidthMs: last.halfWidthMs,
    traceHash: sim.traceHash,
  };
}

export type NtpWithoutFacts = {
  readonly wrongServerOffMs: number;
  readonly clientErrorBeforeMs: number;
  /** How far the client's clock is from true time once synchronized (absolute). */
  readonly clientErrorAfterMs: number;
  /** The client ended up within a few ms of the wrong server's time rather than of true time. */
  readonly followedWrongServer: boolean;
};

export type NtpWithFacts = {
  readonly serversAsked: number;
  readonly serversAgreeing: number;
  readonly wrongServerOutvoted: boolean;
  readonly clientErrorBeforeMs: number;
  readonly clientErrorAfterMs: number;
  /** Half the width of the range the majority agreed on: how far off the client may be, if the majority is right. */
  readonly agreementHalfWidthMs: number;
  /**
   * What the client's error can be at most if the majority is right: the half width, plus what its
   * oscillator may drift between the exchange and the step (one round's wait at most).
   */
  readonly clientErrorBoundMs: number;
};

async function run(options: ScenarioOptions): Promise<ScenarioResult<NtpWithoutFacts, NtpWithFacts>> {
  const seed = checkSeed(options.seed);
  const single = play(seed, false);
  const multi = play(seed, true);
  const followed = Math.abs(single.clientErrorAfterMs - single.wrongByMs) <= single.agreementHalfWidthMs;
  const withoutRemedy: ScenarioRun<NtpWithoutFacts> = {
    label: `one server (${single.wrongServer}, the wrong one)`,
    timeline: single.timeline.entries(),
    verdict:
      `the client followed its only server: its clock ends ${durationText(Math.abs(single.clientErrorAfterMs))} ` +
      `off true time, where ${single.wrongServer} is.`,
    facts: {
      wrongServerOffMs: single.wrongByMs,
      clientErrorBeforeMs: Math.abs(single.clientErrorBeforeMs),
      clientErrorAfterMs: Math.abs(single.clientErrorAfterMs),
      followedWrongServer: followed,
    },
    traceHash: single.traceHash,
  };
  const withRemedy: ScenarioRun<NtpWithFacts> = {
    label: `four servers, a majority must agree (${servers.join(", ")})`,
    timeline: multi.timeline.entries(),
    verdict:
      `${multi.agreeing.join(", ")} agreed and ${multi.outvoted.join(", ") || "nobody"} was outvoted: the client's ` +
      `clock ends ${msText(Math.abs(multi.clientErrorAfterMs), { digits: 2 })} off true time, within the agreed ` +
      `+-${msText(multi.agreementHalfWidthMs, { digits: 2 })}.`,
    facts: {
      serversAsked: servers.length,
      serversAgreeing: multi.agreeing.length,
      wrongServerOutvoted: multi.outvoted.includes(multi.wrongServer),
      clientErrorBeforeMs: Math.abs(multi.clientErrorBeforeMs),
      clientErrorAfterMs: Math.abs(multi.clientErrorAfterMs),
      agreementHalfWidthMs: multi.agreementHalfWidthMs,
      clientErrorBoundMs: multi.agreementHalfWidthMs + (clientDriftPpmMax / 1e6) * roundTimeoutMs,
    },
    traceHash: multi.traceHash,
  };
  return {
    name: ntpOutvoting.name,
    section: ntpOutvoting.section,
    sectionTitle: ntpOutvoting.sectionTitle,
    summary: ntpOutvoting.summary,
    seed,
    withoutRemedy,
    withRemedy,
    lesson:
      "A server that is wrong does not know it, and one server always agrees with itself. Asking several and " +
      "keeping only what a majority agrees on turns a misconfigured outlier into a detected one, as long as most " +
      "servers are right.",
  };
}

export const ntpOutvoting: Scenario<NtpWithoutFacts, NtpWithFacts> = {
  name: "ntp-outvoting",
  section: "4.4",
  sectionTitle: "Byzantine Faults",
  summary: "a time server seconds off: a one-server NTP client follows it, a four-server client outvotes it",
  run,
};
