/**
 * Majority quorums (the chapter, 4.1 "The Majority Rules"): "there can only
 * be one majority in the system—there cannot be two majorities with
 * conflicting decisions at the same time." A majority is "the smallest
 * quorum that prevents split brain": two disjoint groups cannot both hold
 * one.
 *
 * Five nodes are split by a partition into two groups, drawn from the seed
 * (1 | 4 or 2 | 3, in any arrangement). On each side a client asks a node to
 * decide who gets a name that must be unique: "alice" for Ann on one side,
 * for Bob on the other. The node it asks proposes, collects votes (each
 * node votes for the first proposal it hears, and only once), and decides
 * when its votes reach its quorum.
 *
 * - Without the remedy, a proposer counts the nodes it can reach (those that
 *   answer a ping) and asks a majority of those: each side decides with its
 *   local members, so both sides decide, differently. Split brain.
 * - With majority quorums of the whole cluster (3 of 5), only the side with
 *   three or more nodes can decide; the other cannot, and says so. After the
 *   partition heals, nothing contradicts the one decision.
 */
import { type NodeContext, Simulation } from "@skew/sim";
import { Timeline } from "./narration.js";
import type { Scenario, ScenarioOptions, ScenarioResult, ScenarioRun } from "./scenario.js";
import { checkSeed, simulationSeed } from "./seeds.js";

/** A proposer waits this long for pings and votes: links take about 1 ms, so only the cut-off stay silent. */
const answerWaitMs = 50;
/** The partition is in place this long before the clients ask. */
const partitionSettleMs = 10;
/** The run goes on this long after both clients asked. */
const runForMs = 500;

const members = ["n1", "n2", "n3", "n4", "n5"];
const clusterMajority = Math.floor(members.length / 2) + 1;

type Message =
  | { readonly kind: "ping" }
  | { readonly kind: "pong" }
  | { readonly kind: "propose"; readonly value: string }
  | { readonly kind: "vote"; readonly value: string };

type Quorum = "reachable-majority" | "cluster-majority";

interface Side {
  readonly group: readonly string[];
  readonly proposer: string;
  readonly value: string;
  decided: boolean;
}

class Voter {
  readonly #ctx: NodeContext<Message>;
  readonly #timeline: Timeline;
  readonly #quorum: Quorum;
  readonly #onDecided: (value: string) => void;
  #votedFor = "";
  #reachable = new Set<string>();
  #votes = 0;
  #proposing = "";

  constructor(ctx: NodeContext<Message>, timeline: Timeline, quorum: Quorum, onDecided: (value: string) => void) {
    this.#ctx = ctx;
    this.#timeline = timeline;
    this.#quorum = quorum;
    this.#onDecided = onDecided;
  }

  onMessage(from: string, message: Message): void {
    switch (message.kind) {
      case "ping":
        this.#ctx.send(from, { kind: "pong" });
        return;
      case "pong":
        this.#reachable.add(from);
        return;
      case "propose":
        if (from === "client") {
          this.#propose(message.value);
          return;
        }
        // One vote per node, for the first proposal it hears.
        if (this.#votedFor === "") {
          this.#votedFor = message.value;
          this.#timeline.decide(this.#ctx.id, `votes for "${message.value}" (${from}'s proposal)`);
          this.#ctx.send(from, { kind: "vote", value: message.value });
        }
        return;
      case "vote":
        if (message.value === this.#proposing) this.#votes++;
        return;
    }
  }

  #propose(value: string): void {
    this.#proposing = value;
    const others = this.#ctx.peers.filter((peer) => members.includes(peer));
    // Ask who is there, then ask them all for a vote; count what came back after the wait.
    for (const peer of others) this.#ctx.send(peer, { kind: "ping" });
    this.#ctx.env.timers.schedule(answerWaitMs, () => {
      const reachable = this.#reachable.size + 1;
      const quorum = this.#quorum === "cluster-majority" ? clusterMajority : Math.floor(reachable / 2) + 1;
      this.#timeline.note(
        this.#ctx.id,
        `${reachable} of ${members.length} nodes are reachable (itself, and those that answered its ping): its quorum is ${quorum}` +
          (this.#quorum === "cluster-majority" ? ` (a majority of all ${members.length})` : " (a majority of those)"),
      );
      this.#votedFor = this.#votedFor === "" ? value : this.#votedFor;
      if (this.#votedFor === value) this.#votes++;
      for (const peer of others) this.#ctx.send(peer, { kind: "propose", value });
      this.#ctx.env.timers.schedule(answerWaitMs, () => {
        if (this.#votes >= quorum) {
          this.#timeline.decide(
            this.#ctx.id,
            `DECIDES "${value}": ${votesText(this.#votes)} (its own included), quorum ${quorum}`,
          );
          this.#onDecided(value);
        } else {
          this.#timeline.decide(
            this.#ctx.id,
            `cannot decide: ${votesText(this.#votes)} of the ${quorum} needed; it tells its client to retry later`,
          );
        }
      });
    });
  }
}

function votesText(votes: number): string {
  return `${votes} vote${votes === 1 ? "" : "s"}`;
}

interface Played {
  readonly timeline: Timeline;
  readonly sides: readonly Side[];
  readonly traceHash: string;
}

function play(seed: number, quorum: Quorum): Played {
  const sim = new Simulation<Message>({ seed: simulationSeed(seed) });
  const timeline = new Timeline(() => sim.nowMs);
  // The split: a group of 1 or 2, the rest on the other side; each side's proposer drawn from its group.
  const shuffled = sim.random.shuffle(members);
  const smallSize = sim.random.int(1, 2);
  const groups = [shuffled.slice(0, smallSize).sort(), shuffled.slice(smallSize).sort()];
  const sides: Side[] = groups.map((group, i) => ({
    group,
    proposer: sim.random.pick(group),
    value: i === 0 ? "alice -> Ann" : "alice -> Bob",
    decided: false,
  }));
  for (const id of members) {
    sim.addNode(
      id,
      (ctx) =>
        new Voter(ctx, timeline, quorum, (value) => {
          for (const side of sides) if (side.value === value) side.decided = true;
        }),
    );
  }
  sim.addNode("client", (ctx: NodeContext<Message>) => ({
    onStart: () => {
      ctx.env.timers.schedule(partitionSettleMs, () => {
        for (const side of sides) {
          timeline.send("client", side.proposer, `decide "${side.value}"`);
          ctx.send(side.proposer, { kind: "propose", value: side.value });
        }
      });
    },
    onMessage: () => {},
  }));
  const [left = [], right = []] = groups;
  // Only the nodes are cut in two: the client stands for one client on each side.
  sim.partition(left, right);
  timeline.fault(`a partition splits the cluster: {${left.join(", ")}} | {${right.join(", ")}}`);
  sim.run({ forMs: partitionSettleMs + runForMs });
  const decided = sides.filter((side) => side.decided);
  timeline.note(
    "sim",
    decided.length === 2
      ? `both sides decided, differently: "${decided[0]?.value}" and "${decided[1]?.value}"`
      : decided.length === 1
        ? `one side decided "${decided[0]?.value}"; the other could not`
        : "no side decided",
  );
  return { timeline, sides, traceHash: sim.traceHash };
}

export type MajorityQuorumsFacts = {
  /** Nodes on the smaller side of the partition (1 or 2 of 5). */
  readonly smallerSideNodes: number;
  readonly largerSideNodes: number;
  readonly smallerSideDecided: boolean;
  readonly largerSideDecided: boolean;
  readonly sidesThatDecided: number;
  /** Two different decisions on a name that must be unique: split brain. */
  readonly conflictingDecisions: boolean;
};

function factsOf(played: Played): MajorityQuorumsFacts {
  const [small, large] = played.sides;
  const decided = played.sides.filter((side) => side.decided);
  return {
    smallerSideNodes: small?.group.length ?? 0,
    largerSideNodes: large?.group.length ?? 0,
    smallerSideDecided: small?.decided ?? false,
    largerSideDecided: large?.decided ?? false,
    sidesThatDecided: decided.length,
    conflictingDecisions: new Set(decided.map((side) => side.value)).size > 1,
  };
}

async function run(options: ScenarioOptions): Promise<ScenarioResult<MajorityQuorumsFacts, MajorityQuorumsFacts>> {
  const seed = checkSeed(options.seed);
  const without = play(seed, "reachable-majority");
  const majority = play(seed, "cluster-majority");
  const withoutFacts = factsOf(without);
  const majorityFacts = factsOf(majority);
  const split = `${withoutFacts.smallerSideNodes} | ${withoutFacts.largerSideNodes}`;
  const withoutRemedy: ScenarioRun<MajorityQuorumsFacts> = {
    label: "each side decides with a majority of the nodes it can reach",
    timeline: without.timeline.entries(),
    verdict: withoutFacts.conflictingDecisions
      ? `split ${split}: both sides decided, differently; two owners for one unique name.`
      : `split ${split}: ${withoutFacts.sidesThatDecided} side(s) decided.`,
    facts: withoutFacts,
    traceHash: without.traceHash,
  };
  const withRemedy: ScenarioRun<MajorityQuorumsFacts> = {
    label: `majority quorums: ${clusterMajority} of ${members.length}, whoever answers`,
    timeline: majority.timeline.entries(),
    verdict:
      `split ${split}: only the side of ${majorityFacts.largerSideNodes} decided; the side of ` +
      `${majorityFacts.smallerSideNodes} could not reach ${clusterMajority} votes, so it decided nothing rather than something wrong.`,
    facts: majorityFacts,
    traceHash: majority.traceHash,
  };
  return {
    name: majorityQuorums.name,
    section: majorityQuorums.section,
    sectionTitle: majorityQuorums.sectionTitle,
    summary: majorityQuorums.summary,
    seed,
    withoutRemedy,
    withRemedy,
    lesson:
      "A quorum counted among the nodes a side can see lets every side of a partition decide. A quorum of a " +
      "majority of all the nodes cannot be met twice by disjoint groups: at most one side decides, and the " +
      "minority waits (less available, never contradicted).",
  };
}

export const majorityQuorums: Scenario<MajorityQuorumsFacts, MajorityQuorumsFacts> = {
  name: "majority-quorums",
  section: "4.1",
  sectionTitle: "The Majority Rules",
  summary: "a partition splits five nodes: local quorums let both sides decide, majorities only one",
  run,
};
