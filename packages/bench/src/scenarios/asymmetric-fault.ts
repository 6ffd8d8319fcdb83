/**
 * The node with an asymmetric fault (the chapter, 4.1 "The Majority
 * Rules"): "a node is able to receive all messages sent to it, but any
 * outgoing messages from that node are dropped [...] Even though that node
 * is working perfectly well and receiving requests, the other nodes cannot
 * hear its responses. After some timeout, the other nodes declare it dead."
 *
 * Five nodes; n1 leads term 1, heartbeats every 100 ms to the others, which
 * acknowledge each heartbeat and watch the leader with a phi accrual
 * detector (@skew/failure-detector). A client keeps sending writes to n1.
 * Then the simulator mutes n1 (`mute`: it still receives, everything it
 * sends is lost). The followers stop hearing it, declare it dead, and elect
 * a new leader among themselves by majority vote.
 *
 * - Without the remedy, n1 judges its health by what it sees: it is
 *   receiving requests and processing them, so it is the leader. It goes on
 *   accepting writes that nobody else will ever see, for as long as the run
 *   lasts, beside the new leader: two leaders.
 * - With the remedy (Raft's "check quorum", a leader lease), a leader counts
 *   only the acknowledgements of its heartbeats: it steps down once no
 *   majority has acknowledged one sent within the last 300 ms. Since a
 *   follower suspects the leader only after at least 352 ms without a
 *   heartbeat (the detector's floor), and an election needs a majority of
 *   suspicious voters, n1 steps down before anyone else can be elected. It
 *   still works (it receives the client's writes) and refuses them.
 *
 * The node cannot trust its own judgement; it can trust a majority's.
 */
import { type NodeContext, Simulation } from "@skew/sim";
import { durationText, Timeline } from "./narration.js";
import type { Scenario, ScenarioOptions, ScenarioResult, ScenarioRun } from "./scenario.js";
import { checkSeed, simulationSeed } from "./seeds.js";
import {
  heartbeatIntervalMs,
  leaderLeaseMs,
  Member,
  type Message,
  members,
  type Observed,
  writesNarrated,
} from "./support/leader-election.js";

/** The client sends n1 a write this often. */
const writeIntervalMs = 50;
/** The fault strikes at a time drawn in this range, once heartbeats have settled. */
const faultMinMs = 1_000;
const faultMaxMs = 1_100;
/** The run goes on this long after the fault. */
const afterFaultMs = 3_000;

interface Played {
  readonly timeline: Timeline;
  readonly observed: Observed;
  readonly endAtMs: number;
  readonly oldLeaderRoleAtEnd: string;
  readonly traceHash: string;
}

function play(seed: number, checkQuorum: boolean): Played {
  const sim = new Simulation<Message>({ seed: simulationSeed(seed) });
  const timeline = new Timeline(() => sim.nowMs);
  const observed: Observed = {
    faultAtMs: Number.NaN,
    declaredDeadAtMs: new Map(),
    newLeader: "",
    newLeaderAtMs: Number.NaN,
    oldLeaderSteppedDownAtMs: Number.NaN,
    handledAfterDeclaredDead: 0,
    acceptedAfterNewLeader: 0,
  };
  const nodes = new Map<string, Member>();
  for (const id of members) {
    sim.addNode(id, (ctx) => {
      const member = new Member(ctx, timeline, observed, checkQuorum, () => sim.nowMs);
      nodes.set(id, member);
      return member;
    });
  }
  sim.addNode("client", (ctx: NodeContext<Message>) => {
    let n = 0;
    const write = () => {
      ctx.send("n1", { kind: "write", n: ++n });
      ctx.env.timers.schedule(writeIntervalMs, write);
    };
    return { onStart: write, onMessage: () => {} };
  });
  timeline.note(
    "n1",
    `leads term 1: heartbeats every ${heartbeatIntervalMs} ms; n2..n5 acknowledge each and watch it with a phi accrual detector`,
  );
  timeline.note("client", `sends n1 a write every ${writeIntervalMs} ms`);
  const faultAtMs = sim.random.int(faultMinMs, faultMaxMs);
  sim.after(faultAtMs, () => {
    observed.faultAtMs = sim.nowMs;
    sim.mute("n1");
    timeline.fault("n1 can still receive everything, but everything it sends is lost (an asymmetric fault)");
  });
  sim.run({ forMs: faultAtMs + afterFaultMs });
  const oldLeader = nodes.get("n1");
  const role = oldLeader?.role ?? "follower";
  const extra = observed.handledAfterDeclaredDead - writesNarrated;
  timeline.note(
    "n1",
    `${role === "leader" ? `still believes it leads term ${oldLeader?.term}` : "is a follower"}; handled ` +
      `${observed.handledAfterDeclaredDead} writes since it was declared dead${extra > 0 ? ` (${extra} not narrated)` : ""}, ` +
      `accepting ${observed.acceptedAfterNewLeader} of them after ${observed.newLeader || "another node"} became leader`,
  );
  return { timeline, observed, endAtMs: sim.nowMs, oldLeaderRoleAtEnd: role, traceHash: sim.traceHash };
}

export type AsymmetricFaultFacts = {
  /** Followers that declared n1 dead (of 4). */
  readonly declaredDeadBy: number;
  readonly newLeaderElected: boolean;
  /** n1 handled client writes after it was declared dead: it was working all along. */
  readonly oldLeaderStillWorking: boolean;
  readonly oldLeaderStillLeaderAtEnd: boolean;
  readonly oldLeaderSteppedDownBeforeNewLeader: boolean;
  /** True time during which n1 and the new leader both acted as leader. */
  readonly twoLeadersMs: number;
  readonly writesAcceptedByOldLeaderAfterNewLeader: number;
};

function factsOf(played: Played): AsymmetricFaultFacts {
  const { observed, endAtMs } = played;
  const stepDownAtMs = Number.isNaN(observed.oldLeaderSteppedDownAtMs) ? endAtMs : observed.oldLeaderSteppedDownAtMs;
  const elected = observed.newLeader !== "";
  return {
    declaredDeadBy: observed.declaredDeadAtMs.size,
    newLeaderElected: elected,
    oldLeaderStillWorking: observed.handledAfterDeclaredDead > 0,
    oldLeaderStillLeaderAtEnd: played.oldLeaderRoleAtEnd === "leader",
    oldLeaderSteppedDownBeforeNewLeader: elected && stepDownAtMs < observed.newLeaderAtMs,
    twoLeadersMs: elected ? Math.max(0, stepDownAtMs - observed.newLeaderAtMs) : 0,
    writesAcceptedByOldLeaderAfterNewLeader: observed.acceptedAfterNewLeader,
  };
}

async function run(options: ScenarioOptions): Promise<ScenarioResult<AsymmetricFaultFacts, AsymmetricFaultFacts>> {
  const seed = checkSeed(options.seed);
  const without = play(seed, false);
  const remedy = play(seed, true);
  const withoutFacts = factsOf(without);
  const remedyFacts = factsOf(remedy);
  const withoutRemedy: ScenarioRun<AsymmetricFaultFacts> = {
    label: "the leader trusts its own judgement: it receives requests, so it leads",
    timeline: without.timeline.entries(),
    verdict:
      `n1 was declared dead by ${withoutFacts.declaredDeadBy} nodes while it kept working; ${without.observed.newLeader} ` +
      `was elected, and for ${durationText(withoutFacts.twoLeadersMs)} there were two leaders: n1 accepted ` +
      `${withoutFacts.writesAcceptedByOldLeaderAfterNewLeader} writes nobody else will ever see.`,
    facts: withoutFacts,
    traceHash: without.traceHash,
  };
  const stepDownAfterFaultMs = remedy.observed.oldLeaderSteppedDownAtMs - remedy.observed.faultAtMs;
  const electedAfterFaultMs = remedy.observed.newLeaderAtMs - remedy.observed.faultAtMs;
  const withRemedy: ScenarioRun<AsymmetricFaultFacts> = {
    label: `check quorum: the leader steps down without a majority's acknowledgements for ${leaderLeaseMs} ms`,
    timeline: remedy.timeline.entries(),
    verdict:
      `n1 stepped down ${durationText(stepDownAfterFaultMs)} after the fault, before ${remedy.observed.newLeader} was ` +
      `elected (${durationText(electedAfterFaultMs)} after it): never two leaders; n1 still received writes, and refused them.`,
    facts: remedyFacts,
    traceHash: remedy.traceHash,
  };
  return {
    name: asymmetricFault.name,
    section: asymmetricFault.section,
    sectionTitle: asymmetricFault.sectionTitle,
    summary: asymmetricFault.summary,
    seed,
    withoutRemedy,
    withRemedy,
    lesson:
      "Receiving messages proves nothing about being heard. A node cut off in one direction is declared dead while " +
      "it works, and if it trusts its own judgement it acts as a leader beside the new one. A node that counts a " +
      "majority's acknowledgements instead gives way before the others can replace it.",
  };
}

export const asymmetricFault: Scenario<AsymmetricFaultFacts, AsymmetricFaultFacts> = {
  name: "asymmetric-fault",
  section: "4.1",
  sectionTitle: "The Majority Rules",
  summary: "a leader that can receive but not send is declared dead while working; check quorum demotes it",
  run,
};
