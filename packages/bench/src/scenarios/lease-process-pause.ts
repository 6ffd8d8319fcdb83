/**
 * A lease broken by a process pause (the chapter, 3.4 "Process Pauses", and
 * its figure in 4.2): client 1 holds a lease from a lock service, checks
 * that it is still valid, and is about to write to storage when its
 * process stops, a stop-the-world GC, for 40 s. The 30 s lease expires
 * meanwhile; client 2 acquires it and writes. Client 1 resumes with no idea
 * that time has passed and finishes its write: two clients wrote under "the"
 * lease, and the zombie's stale write overwrote the new holder's.
 *
 * The remedy is the chapter's fencing token (4.3): the lock service hands
 * out a number that grows with every grant (33, then 34), every write
 * carries its holder's token, and the storage refuses a token lower than
 * the highest it has seen. The zombie cannot be prevented (no code can
 * notice a pause it is in the middle of); it can be fenced off.
 *
 * Four simulated processes: the lock service, the storage service, client 1
 * and client 2. The pause is the simulator's (`pause`: the process handles
 * nothing, its timers fire late, its clocks keep running).
 */
import { type NodeContext, Simulation } from "@skew/sim";
import { durationText, Timeline } from "./narration.js";
import type { Scenario, ScenarioOptions, ScenarioResult, ScenarioRun } from "./scenario.js";
import { checkSeed, simulationSeed } from "./seeds.js";

/** The lease the lock service grants (the chapter's figure: 30 seconds). */
const leaseMs = 30_000;
/** Client 1's GC pause is drawn in this range: past the lease (as the chapter's 40 s is) and within client 2's, which starts as client 1's ends. */
const pauseMinMs = 35_000;
const pauseMaxMs = 50_000;
/** How often client 2 asks for the lease while it is held. */
const retryMs = 2_000;
/** The first fencing token the lock service hands out (the chapter's example starts at 33). */
const firstToken = 33;
/** How long after its grant client 1 checks its lease and starts its write (the pause strikes right after the check). */
const workStartsAfterMs = 1_000;
/** Client 1 refuses to start work with less than this left on its lease (the chapter's code wants 10 s). */
const leaseMarginMs = 10_000;
/** How long the run goes on after the zombie's write, for the last replies to land. */
const settleMs = 1_000;
/** Links between processes: a datacenter's, 0.5 ms at least, 2 ms on average. */
const link = { delay: { kind: "exponential" as const, minMs: 0.5, meanMs: 2 } };

type Message =
  | { readonly kind: "acquire" }
  | { readonly kind: "granted"; readonly token: number; readonly leaseMs: number }
  | { readonly kind: "refused"; readonly holder: string; readonly remainingMs: number }
  | { readonly kind: "write"; readonly data: string; readonly token: number }
  | { readonly kind: "written" }
  | { readonly kind: "rejected"; readonly token: number; readonly highest: number };

export type LeasePauseWithoutFacts = {
  readonly leaseMs: number;
  readonly pauseMs: number;
  /** How long after the lease ran out (on the lock service's clock) the zombie wrote. */
  readonly zombieWroteAfterExpiryMs: number;
  readonly secondClientAcquired: boolean;
  readonly zombieWriteAccepted: boolean;
  /** The storage ends up holding the zombie's data: client 2's write, made under a valid lease, is gone. */
  readonly newHolderWriteOverwritten: boolean;
};

export type LeasePauseWithFacts = {
  readonly leaseMs: number;
  readonly pauseMs: number;
  readonly zombieToken: number;
  readonly newHolderToken: number;
  readonly zombieWriteAccepted: boolean;
  readonly zombieWriteRejected: boolean;
  readonly newHolderWriteKept: boolean;
};

interface Played {
  readonly timeline: Timeline;
  readonly pauseMs: number;
  readonly expiredAtMs: number;
  readonly zombieWroteAtMs: number;
  readonly secondAcquired: boolean;
  readonly zombieAccepted: boolean;
  readonly zombieRejected: boolean;
  readonly finalData: string;
  readonly traceHash: string;
}

function play(seed: number, fencing: boolean): Played {
  const sim = new Simulation<Message>({ seed: simulationSeed(seed), link });
  const timeline = new Timeline(() => sim.nowMs);
  const pauseMs = sim.random.int(pauseMinMs, pauseMaxMs);
  let expiredAtMs = Number.NaN;
  let zombieWroteAtMs = Number.NaN;
  let secondAcquired = false;
  let zombieAccepted = false;
  let zombieRejected = false;
  let finalData = "";

  // The lock service: one holder at a time, until the lease runs out on its own clock.
  sim.addNode("lock", (ctx: NodeContext<Message>) => {
    let holder = "";
    let expiresAtMs = Number.NEGATIVE_INFINITY;
    let nextToken = firstToken;
    let refusalsNarrated = 0;
    return {
      onMessage: (from, message) => {
        if (message.kind !== "acquire") return;
        const now = ctx.env.monotonic.now();
        if (holder !== "" && holder !== from && now < expiresAtMs) {
          if (refusalsNarrated++ === 0) {
            timeline.decide(
              "lock",
              `refuses ${from}: ${holder} holds the lease for ${durationText(expiresAtMs - now)} more`,
            );
          }
          ctx.send(from, { kind: "refused", holder, remainingMs: expiresAtMs - now });
          return;
        }
        if (holder !== "" && holder !== from) {
          timeline.decide("lock", `${holder}'s lease ran out ${durationText(now - expiresAtMs)} ago`);
        }
        holder = from;
        expiresAtMs = now + leaseMs;
        if (from === "client-1") expiredAtMs = sim.nowMs + leaseMs;
        const token = nextToken++;
        timeline.decide(
          "lock",
          `grants ${from} the lease for ${leaseMs / 1000} s${fencing ? `, fencing token ${token}` : ""}`,
        );
        ctx.send(from, { kind: "granted", token, leaseMs });
      },
    };
  });

  // The storage service: one file; with fencing, it remembers the highest token and refuses lower ones.
  sim.addNode("storage", (ctx: NodeContext<Message>) => {
    let highestToken = 0;
    return {
      onMessage: (from, message) => {
        if (message.kind !== "write") return;
        if (fencing && message.token < highestToken) {
          timeline.decide("storage", `rejects ${from}'s write: token ${message.token} < ${highestToken}, already seen`);
          if (from === "client-1") zombieRejected = true;
          ctx.send(from, { kind: "rejected", token: message.token, highest: highestToken });
          return;
        }
        highestToken = Math.max(highestToken, message.token);
        const replaced = finalData === "" ? "" : ` (replacing "${finalData}")`;
        finalData = message.data;
        timeline.decide(
          "storage",
          `writes "${message.data}"${fencing ? ` under token ${message.token}` : ""}${replaced}`,
        );
        if (from === "client-1") zombieAccepted = true;
        ctx.send(from, { kind: "written" });
      },
    };
  });

  // Client 1: acquires the lease, checks it, and starts a write; the GC pause strikes between the check and the write.
  sim.addNode("client-1", (ctx: NodeContext<Message>) => {
    let leaseEndsAtMs = Number.NEGATIVE_INFINITY;
    let token = 0;
    let askedAtMs = 0;
    const work = () => {
      const remainingMs = leaseEndsAtMs - ctx.env.monotonic.now();
      if (remainingMs < leaseMarginMs) return;
      timeline.clock("client-1", `lease valid for ${durationText(remainingMs)} more: looks good, starts its write`);
      ctx.env.timers.schedule(1, () => {
        // Resumed: the process has no way to know how long it was gone, so it goes on with the write.
        zombieWroteAtMs = sim.nowMs;
        timeline.note("client-1", "resumes: to its code, no time has passed since the check");
        const data = "written by client 1";
        timeline.send("client-1", "storage", `write "${data}"${fencing ? ` with token ${token}` : ""}`);
        ctx.send("storage", { kind: "write", data, token });
      });
      timeline.fault(`client-1's process pauses for ${durationText(pauseMs)} (a stop-the-world GC)`);
      sim.node("client-1").pause(pauseMs);
    };
    return {
      onStart: () => {
        askedAtMs = ctx.env.monotonic.now();
        timeline.send("client-1", "lock", "acquire the lease");
        ctx.send("lock", { kind: "acquire" });
      },
      onMessage: (from, message) => {
        if (message.kind === "granted") {
          token = message.token;
          // Counted from when it asked, on its own monotonic clock: the lease cannot have started before that.
          leaseEndsAtMs = askedAtMs + message.leaseMs;
          timeline.receive("client-1", from, `lease granted${fencing ? `, token ${token}` : ""}`);
          ctx.env.timers.schedule(workStartsAfterMs, work);
        } else if (message.kind === "written") {
          timeline.receive("client-1", from, "written");
        } else if (message.kind === "rejected") {
          timeline.receive(
            "client-1",
            from,
            `rejected: token ${message.token} is stale (${message.highest} seen); it has lost the lease`,
          );
        }
      },
    };
  });

  // Client 2: asks for the lease until it gets it, then writes.
  sim.addNode("client-2", (ctx: NodeContext<Message>) => {
    const ask = () => ctx.send("lock", { kind: "acquire" });
    let asks = 0;
    return {
      onStart: () => {
        ctx.env.timers.schedule(retryMs, ask);
      },
      onMessage: (from, message) => {
        if (message.kind === "refused") {
          if (asks++ === 0) timeline.receive("client-2", from, `refused; asks again every ${retryMs / 1000} s`);
          ctx.env.timers.schedule(retryMs, ask);
        } else if (message.kind === "granted") {
          secondAcquired = true;
          timeline.receive("client-2", from, `lease granted${fencing ? `, token ${message.token}` : ""}`);
          const data = "written by client 2";
          timeline.send("client-2", "storage", `write "${data}"${fencing ? ` with token ${message.token}` : ""}`);
          ctx.send("storage", { kind: "write", data, token: message.token });
        } else if (message.kind === "written") {
          timeline.receive("client-2", from, "written");
        }
      },
    };
  });

  sim.run({ until: () => !Number.isNaN(zombieWroteAtMs), forMs: pauseMaxMs + leaseMs });
  sim.run({ forMs: settleMs });
  timeline.note("storage", `the file holds "${finalData}"`);
  return {
    timeline,
    pauseMs,
    expiredAtMs,
    zombieWroteAtMs,
    secondAcquired,
    zombieAccepted,
    zombieRejected,
    finalData,
    traceHash: sim.traceHash,
  };
}

async function run(options: ScenarioOptions): Promise<ScenarioResult<LeasePauseWithoutFacts, LeasePauseWithFacts>> {
  const seed = checkSeed(options.seed);
  const without = play(seed, false);
  const fenced = play(seed, true);
  const withoutRemedy: ScenarioRun<LeasePauseWithoutFacts> = {
    label: "a lease with a timeout, and nothing else",
    timeline: without.timeline.entries(),
    verdict:
      `client 1 wrote ${durationText(without.zombieWroteAtMs - without.expiredAtMs)} ` +
      `after its lease ran out, and the storage took it: "${without.finalData}" replaced client 2's write, made under a valid lease.`,
    facts: {
      leaseMs,
      pauseMs: without.pauseMs,
      zombieWroteAfterExpiryMs: without.zombieWroteAtMs - without.expiredAtMs,
      secondClientAcquired: without.secondAcquired,
      zombieWriteAccepted: without.zombieAccepted,
      newHolderWriteOverwritten: without.finalData === "written by client 1",
    },
    traceHash: without.traceHash,
  };
  const withRemedy: ScenarioRun<LeasePauseWithFacts> = {
    label: "fencing tokens, checked by the storage",
    timeline: fenced.timeline.entries(),
    verdict: `the zombie's write, under token ${firstToken}, was rejected by the storage, which had seen ${firstToken + 1}: the file holds "${fenced.finalData}".`,
    facts: {
      leaseMs,
      pauseMs: fenced.pauseMs,
      zombieToken: firstToken,
      newHolderToken: firstToken + 1,
      zombieWriteAccepted: fenced.zombieAccepted,
      zombieWriteRejected: fenced.zombieRejected,
      newHolderWriteKept: fenced.finalData === "written by client 2",
    },
    traceHash: fenced.traceHash,
  };
  return {
    name: leaseProcessPause.name,
    section: leaseProcessPause.section,
    sectionTitle: leaseProcessPause.sectionTitle,
    summary: leaseProcessPause.summary,
    seed,
    withoutRemedy,
    withRemedy,
    lesson:
      "A process cannot notice a pause it is in: between checking a lease and acting on it, any amount of time may " +
      "pass. The lease cannot keep a zombie from acting; the resource it writes to can refuse it, by the fencing " +
      "token that grows with every grant.",
  };
}

export const leaseProcessPause: Scenario<LeasePauseWithoutFacts, LeasePauseWithFacts> = {
  name: "lease-process-pause",
  section: "3.4",
  sectionTitle: "Process Pauses",
  summary: "a GC pause outlasts a 30 s lease, another client takes it, the zombie writes; fencing stops it",
  run,
};
