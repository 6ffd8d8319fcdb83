/**
 * A leader election in miniature, for the asymmetric-fault scenario
 * (../asymmetric-fault.ts): the part of Raft the chapter's story needs. The
 * leader heartbeats; followers acknowledge each heartbeat and watch the
 * leader with a phi accrual detector (@skew/failure-detector); a follower
 * that suspects its leader declares it dead (and sends it nothing more),
 * waits a random delay, and stands for the next term; a node votes once per
 * term, and only when it too has given up on its leader; a candidate with a
 * majority of votes leads.
 *
 * `checkQuorum` is the remedy under test (Raft's check quorum, a leader
 * lease): a leader steps down once no heartbeat it sent within
 * `leaderLeaseMs` has been acknowledged by a majority. Without it, a leader
 * leads until it hears of a newer term, which a node declared dead never
 * does.
 *
 * Every node narrates what it decides into the scenario's timeline, and
 * reports what the scenario measures (`Observed`), in true time.
 */
import { PhiAccrualDetector } from "@skew/failure-detector";
import type { NodeContext } from "@skew/sim";
import { durationText, msText, type Timeline } from "../narration.js";

/** The leader heartbeats this often. */
export const heartbeatIntervalMs = 100;
/** Followers forgive this much silence beyond the mean interval (two lost heartbeats) before phi climbs. */
const acceptablePauseMs = 200;
/** The floor under the detector's standard deviation: a tenth of the heartbeat period, as its README advises. */
const minStdDeviationMs = 10;
/**
 * With the remedy, the leader steps down once no heartbeat it sent within
 * this long has been acknowledged by a majority. It must be shorter than
 * the least silence after which a follower can suspect the leader:
 * heartbeat interval + acceptable pause + 5.2 x min std deviation = 352 ms
 * at phi 8, less one check interval.
 */
export const leaderLeaseMs = 300;
/** Every node checks its timers (detector, lease, election) this often. */
const checkIntervalMs = 10;
/** A follower that suspects the leader stands for election after a random delay up to this (Raft's randomized timeout). */
const electionJitterMaxMs = 150;
/** A candidate that has no majority after this long tries again with the next term. */
const electionTimeoutMs = 300;
/** Writes the old leader handles after the fault that are narrated one by one; the rest are counted. */
export const writesNarrated = 3;

/**
 * Heartbeats a leader remembers, to count their acknowledgements: an ack of
 * an older one could not extend the lease anyway (64 x 100 ms is far past it).
 */
const heartbeatsRememberedMax = 64;

export const members: readonly string[] = ["n1", "n2", "n3", "n4", "n5"];
const majority = Math.floor(members.length / 2) + 1;

export type Message =
  | { readonly kind: "heartbeat"; readonly term: number; readonly seq: number }
  | { readonly kind: "ack"; readonly term: number; readonly seq: number }
  | { readonly kind: "vote-request"; readonly term: number }
  | { readonly kind: "vote"; readonly term: number }
  | { readonly kind: "write"; readonly n: number }
  | { readonly kind: "write-reply"; readonly n: number; readonly accepted: boolean };

/** What the scenario learns as it runs, in true time. */
export interface Observed {
  faultAtMs: number;
  /** When each follower declared n1 dead. */
  readonly declaredDeadAtMs: Map<string, number>;
  newLeader: string;
  newLeaderAtMs: number;
  oldLeaderSteppedDownAtMs: number;
  /** Client writes n1 handled after the first follower declared it dead, and those it accepted as leader after a new leader was elected. */
  handledAfterDeclaredDead: number;
  acceptedAfterNewLeader: number;
}

export class Member {
  readonly #ctx: NodeContext<Message>;
  readonly #timeline: Timeline;
  readonly #observed: Observed;
  readonly #checkQuorum: boolean;
  readonly #trueNowMs: () => number;
  term = 1;
  role: "leader" | "follower" | "candidate";
  #leader = "n1";
  #detector = Member.#newDetector();
  /** Nodes this node has declared dead: it sends them nothing more. */
  readonly #dead = new Set<string>();
  #votedIn = 0;
  #votes = new Set<string>();
  #standAtMs = Number.POSITIVE_INFINITY;
  // Leader state: heartbeats sent (seq -> send time and ackers), and the send time of the last one a majority acked.
  #seq = 0;
  readonly #sent = new Map<number, { readonly atMs: number; readonly ackers: Set<string> }>();
  #majorityAckedSentAtMs: number;
  #writesHandled = 0;

  constructor(
    ctx: NodeContext<Message>,
    timeline: Timeline,
    observed: Observed,
    checkQuorum: boolean,
    trueNowMs: () => number,
  ) {
    this.#ctx = ctx;
    this.#timeline = timeline;
    this.#observed = observed;
    this.#checkQuorum = checkQuorum;
    this.#trueNowMs = trueNowMs;
    this.role = ctx.id === "n1" ? "leader" : "follower";
    this.#majorityAckedSentAtMs = ctx.env.monotonic.now();
  }

  static #newDetector(): PhiAccrualDetector {
    return new PhiAccrualDetector({
      firstHeartbeatEstimateMs: heartbeatIntervalMs,
      acceptablePauseMs,
      minStdDeviationMs,
    });
  }

  get #now(): number {
    return this.#ctx.env.monotonic.now();
  }

  onStart(): void {
    this.#check();
    if (this.role === "leader") this.#heartbeat();
  }

  onMessage(from: string, message: Message): void {
    switch (message.kind) {
      case "heartbeat":
        if (message.term < this.term) return;
        if (message.term > this.term || this.#leader !== from) this.#follow(from, message.term);
        this.#detector.heartbeat(this.#now);
        this.#ctx.send(from, { kind: "ack", term: message.term, seq: message.seq });
        return;
      case "ack":
        this.#onAck(from, message.term, message.seq);
        return;
      case "vote-request":
        this.#onVoteRequest(from, message.term);
        return;
      case "vote":
        this.#onVote(from, message.term);
        return;
      case "write":
        this.#onWrite(from, message.n);
        return;
      case "write-reply":
        return;
    }
  }

  #heartbeat(): void {
    if (this.role !== "leader") return;
    const seq = ++this.#seq;
    this.#sent.set(seq, { atMs: this.#now, ackers: new Set() });
    this.#sent.delete(seq - heartbeatsRememberedMax);
    for (const peer of this.#ctx.peers) {
      if (members.includes(peer) && !this.#dead.has(peer))
        this.#ctx.send(peer, { kind: "heartbeat", term: this.term, seq });
    }
    this.#ctx.env.timers.schedule(heartbeatIntervalMs, () => this.#heartbeat());
  }

  #onAck(from: string, term: number, seq: number): void {
    const sent = this.#sent.get(seq);
    if (this.role !== "leader" || term !== this.term || sent === undefined) return;
    sent.ackers.add(from);
    // The leader counts itself: a majority is itself and majority - 1 others.
    if (sent.ackers.size + 1 >= majority)
      this.#majorityAckedSentAtMs = Math.max(this.#majorityAckedSentAtMs, sent.atMs);
  }

  /** Every check interval: the follower's detector, the candidate's deadline, the leader's lease. */
  #check(): void {
    const now = this.#now;
    const watching = this.role === "follower" && this.#leader !== "" && !this.#dead.has(this.#leader);
    if (watching && !this.#detector.isAvailable(now)) {
      const silenceMs = now - (this.#detector.lastHeartbeatMs ?? now);
      this.#dead.add(this.#leader);
      if (this.#leader === "n1") this.#observed.declaredDeadAtMs.set(this.#ctx.id, this.#trueNowMs());
      this.#timeline.clock(
        this.#ctx.id,
        `declares ${this.#leader} dead: phi = ${this.#detector.phi(now).toFixed(1)} after ${durationText(silenceMs)} without a heartbeat`,
      );
      this.#standAtMs = now + this.#ctx.env.random.int(0, electionJitterMaxMs);
    }
    if (this.role !== "leader" && now >= this.#standAtMs) this.#stand();
    if (this.role === "leader" && this.#checkQuorum && now - this.#majorityAckedSentAtMs > leaderLeaseMs) {
      // A follower that knows no leader waits to hear from one rather than stand itself: cut off, it could not win.
      this.role = "follower";
      this.#leader = "";
      if (this.#ctx.id === "n1") this.#observed.oldLeaderSteppedDownAtMs = this.#trueNowMs();
      this.#timeline.decide(
        this.#ctx.id,
        `steps down: no majority has acknowledged a heartbeat it sent in the last ${msText(leaderLeaseMs, { digits: 0 })}, ` +
          "so it may be cut off, whatever it receives",
      );
    }
    this.#ctx.env.timers.schedule(checkIntervalMs, () => this.#check());
  }

  #stand(): void {
    this.term++;
    this.role = "candidate";
    this.#votedIn = this.term;
    this.#votes = new Set([this.#ctx.id]);
    this.#standAtMs = this.#now + electionTimeoutMs;
    this.#timeline.decide(this.#ctx.id, `stands for leader of term ${this.term}, votes for itself`);
    for (const peer of members) {
      if (peer !== this.#ctx.id && !this.#dead.has(peer))
        this.#ctx.send(peer, { kind: "vote-request", term: this.term });
    }
  }

  #onVoteRequest(from: string, term: number): void {
    // A node votes once per term, and only once it too has given up on its leader (Raft's leader stickiness).
    const leaderAlive = this.role === "leader" || (!this.#dead.has(this.#leader) && this.#leader !== "");
    if (term <= this.#votedIn || term < this.term || leaderAlive) return;
    this.term = term;
    this.#votedIn = term;
    if (this.role === "candidate") this.role = "follower";
    this.#timeline.decide(this.#ctx.id, `votes for ${from} in term ${term}`);
    this.#ctx.send(from, { kind: "vote", term });
  }

  #onVote(from: string, term: number): void {
    if (this.role !== "candidate" || term !== this.term) return;
    this.#votes.add(from);
    if (this.#votes.size < majority) return;
    this.role = "leader";
    this.#leader = this.#ctx.id;
    this.#standAtMs = Number.POSITIVE_INFINITY;
    this.#majorityAckedSentAtMs = this.#now;
    if (this.#observed.newLeader === "") {
      this.#observed.newLeader = this.#ctx.id;
      this.#observed.newLeaderAtMs = this.#trueNowMs();
    }
    this.#timeline.decide(
      this.#ctx.id,
      `is leader of term ${term}, with votes from ${[...this.#votes].sort().join(", ")}`,
    );
    this.#heartbeat();
  }

  #follow(leader: string, term: number): void {
    this.term = term;
    this.role = "follower";
    this.#leader = leader;
    this.#standAtMs = Number.POSITIVE_INFINITY;
    this.#detector = Member.#newDetector();
  }

  #onWrite(from: string, n: number): void {
    const accepted = this.role === "leader";
    const observed = this.#observed;
    if (this.#ctx.id === "n1" && observed.declaredDeadAtMs.size > 0) {
      observed.handledAfterDeclaredDead++;
      if (accepted && observed.newLeader !== "") observed.acceptedAfterNewLeader++;
      if (++this.#writesHandled <= writesNarrated) {
        this.#timeline.decide(
          "n1",
          accepted
            ? `accepts write #${n} as leader of term ${this.term} ("I'm not dead!"); its reply is lost`
            : `refuses write #${n}: it is not the leader; its refusal is lost too`,
        );
      }
    }
    this.#ctx.send(from, { kind: "write-reply", n, accepted });
  }
}
