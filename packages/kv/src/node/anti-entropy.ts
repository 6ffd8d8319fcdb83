/**
 * Active anti-entropy (Dynamo, DeCandia et al. 2007, section 4.7; Riak's
 * AAE): each node keeps one Merkle tree per partition it replicates, over
 * (key id -> digest of the stored record), updated incrementally on every
 * change of its replica's copy of a key (restore included). Every
 * `intervalMs` it picks one (partition, peer) pair, round robin over the
 * pairs (or drawn with the `Random` handed in), and walks the two trees over
 * messages: the root, then the children of every node that differs, down to
 * the segments, then the segments' entries. Then it pushes its records of the
 * keys that differ and pulls the peer's: merging is a join, so sending both
 * ways converges whatever else is in flight.
 *
 * Whose keys. The tree of partition p at node A holds the keys placed in p
 * (`hashKey` -> `partitionOf`) when A is in p's preference list of length
 * `replicas`, which is the cluster's default N (`replicasDefault`). Two
 * replicas of p therefore cover the same key set. A request may ask for a
 * larger N; the extra replicas it reaches hold the key outside every tree
 * and are not repaired by anti-entropy (read repair with the same N still
 * reaches them): per-request N above the default is out of its scope.
 *
 * The digest of a record is its CRC-32C, the checksum its encoding already
 * ends with (record/codec.ts): encoding is canonical (equal records, equal
 * bytes), so equal digests mean equal records but for a 2^-32 chance.
 *
 * Loss. The responder keeps no state, so a step unanswered for
 * `antiEntropyStepRetryMs` is simply asked again, and a reply to an earlier
 * step (a duplicate, or the answer to a step asked twice) is ignored: on a
 * link that loses a few percent of messages an exchange of a differing
 * partition, a dozen messages, still completes instead of being abandoned
 * at its first loss (each abandon costs the pair a whole exchange cycle).
 *
 * Bounds. One exchange at a time, never with a peer the failure detector
 * suspects; a step asks for at most
 * `antiEntropyNodesPerStepMax` hashes and follows the first differing nodes
 * only; an exchange repairs at most `antiEntropyKeysPerRoundMax` keys; the
 * rest is found by the next exchange of the same pair. An exchange silent
 * for `antiEntropySessionTimeoutMs` is abandoned (the peer is away).
 *
 * Convergence time. A node replicating P partitions with N - 1 peers each
 * visits every pair within P * (N - 1) intervals; an exchange of a pair
 * makes both sides equal for up to `antiEntropyKeysPerRoundMax` keys. So
 * once faults heal and writes stop, with fewer differing keys than that per
 * pair, every replica of every partition holds the join of all of them after
 * at most two such cycles (the first spreads every replica's records to its
 * peers of the first exchanges, the second the joins), plus an exchange's
 * round trips.
 *
 * Recovery (recovery.ts). A node that may have forgotten writes it
 * acknowledged is given a `Recovery` at start: it then runs the exchanges of
 * the pairs it still needs back to back (`antiEntropyRecoveryIntervalMs`
 * apart; while every peer it needs is suspected it only looks, every
 * `antiEntropyRecoveryPollMs`), besides its normal round, and an
 * exchange that leaves nothing of the peer's out (no bound cut the walk,
 * every pulled record arrived) takes the partition back from that peer.
 */
import { describeValue, type Random } from "@skew/env";
import {
  antiEntropyIntervalMsDefault,
  antiEntropyKeysPerRoundMax,
  antiEntropyLevelsPerStep,
  antiEntropyNodesPerStepMax,
  antiEntropyRecoveryIntervalMs,
  antiEntropyRecoveryPollMs,
  antiEntropySessionTimeoutMs,
  antiEntropyStepRetryMs,
  antiEntropyTreeDepth,
  replicasDefault,
} from "../constants.js";
import { descendantIndexes, differingIndexes, differingKeys, MerkleTree } from "../merkle/index.js";
import type { HashRing } from "../ring/index.js";
import { hashKey } from "../ring/index.js";
import type { PeerPayload } from "./outbox.js";
import { Recovery } from "./recovery.js";
import type {
  AeEntriesMessage,
  AeEntriesReplyMessage,
  AeHashesMessage,
  AeHashesReplyMessage,
  AePullMessage,
} from "./repair-messages.js";
import { splitKeyId } from "./storage.js";

/** What anti-entropy needs of its node. */
export interface AntiEntropyHost {
  readonly self: string;
  readonly ring: HashRing;
  /** Between exchanges, monotonic ms (default `antiEntropyIntervalMsDefault`). */
  readonly intervalMs: number | undefined;
  /** Draws the pair of each exchange; round robin without it. */
  readonly random: Random | undefined;
  /** Unique across this node's restarts (its incarnation), so a late reply never matches a new exchange. */
  prefix(): string;
  send(to: string, payload: PeerPayload): void;
  /** Whether the failure detector suspects `peer`: exchanges skip it rather than wait out a timeout. */
  suspected(peer: string): boolean;
  /** This node's record of a key, encoded (to push), or undefined. */
  encodedRecord(keyId: string): Uint8Array | undefined;
  /** The digest of this node's record of a key (`recordDigest`), or undefined: the trees' entries (merkle/tree.ts). */
  digest(keyId: string): number | undefined;
  /** The digest of the removed tombstone this node keeps a ghost of (tombstones.ts), if any. */
  ghostDigest(keyId: string): number | undefined;
  /** Every partition was taken back from every other primary: the recovery ended. */
  recovered(): void;
}

export interface AntiEntropyStats {
  exchangesStarted: number;
  /** Exchanges that ended with the trees found equal (at the root or below). */
  exchangesEqual: number;
  /** Exchanges that found differing keys and repaired them. */
  exchangesRepaired: number;
  exchangesAbandoned: number;
  /** Steps asked again after `antiEntropyStepRetryMs` without an answer, and replies to earlier steps ignored. */
  stepsRetried: number;
  repliesStale: number;
  /** Records sent to a peer (push), and keys asked of it (pull). */
  keysPushed: number;
  keysPulled: number;
  /** Anti-entropy messages that did not fit the protocol (bad indexes, wrong session). */
  messagesRefused: number;
  /** (partition, peer) pairs a recovering node took back (recovery.ts). */
  pairsTakenBack: number;
}

interface Pair {
  readonly partition: number;
  readonly peer: string;
}

interface Session {
  readonly id: string;
  readonly peer: string;
  readonly partition: number;
  /** The level asked about, and the indexes asked for; `level === -1` once the segments' entries were asked. */
  level: number;
  indexes: readonly number[];
  deadlineMs: number;
  /** The step asked last, and when to ask it again if no answer came. */
  step: PeerPayload;
  retryAtMs: number;
  /** False once a step's bound left differing nodes or keys out of the walk. */
  complete: boolean;
}

export class AntiEntropy {
  readonly stats: AntiEntropyStats = {
    exchangesStarted: 0,
    exchangesEqual: 0,
    exchangesRepaired: 0,
    exchangesAbandoned: 0,
    stepsRetried: 0,
    repliesStale: 0,
    keysPushed: 0,
    keysPulled: 0,
    messagesRefused: 0,
    pairsTakenBack: 0,
  };
  readonly #host: AntiEntropyHost;
  readonly #intervalMs: number;
  /** One tree per partition this node replicates, by partition. */
  readonly #trees = new Map<number, MerkleTree>();
  /** Every (partition, peer) this node exchanges with, in partition then preference order. */
  readonly #pairs: Pair[] = [];
  #cursor = 0;
  #sessions = 0;
  #session: Session | undefined;
  #recovery: Recovery | undefined;
  /** For each pair a complete exchange pulled keys from, the pulled records not yet received. */
  readonly #awaiting = new Map<string, { readonly pair: Pair; readonly keyIds: Set<string> }>();

  /** True while an exchange this node started is in flight (it runs one at a time). */
  get exchanging(): boolean {
    return this.#session !== undefined;
  }
  #nextRoundMs: number;
  /** When a recovering node next looks for a pair its recovery needs. */
  #nextRecoveryMs = 0;

  constructor(host: AntiEntropyHost) {
    this.#host = host;
    const intervalMs = host.intervalMs ?? antiEntropyIntervalMsDefault;
    if (typeof intervalMs !== "number" || !(intervalMs > 0) || !Number.isFinite(intervalMs)) {
      throw new RangeError(
        `KvNode: antiEntropyIntervalMs must be a positive number of ms, got ${describeValue(intervalMs)}`,
      );
    }
    this.#intervalMs = intervalMs;
    for (const partition of host.ring.partitionsOwnedBy(host.self, replicasDefault)) {
      this.#trees.set(
        partition,
        new MerkleTree({ depth: antiEntropyTreeDepth, digestOf: (keyId) => host.digest(keyId) }),
      );
      for (const peer of host.ring.preferenceListOfPartition(partition, replicasDefault)) {
        if (peer !== host.self) this.#pairs.push({ partition, peer });
      }
    }
    this.#nextRoundMs = intervalMs;
  }

  /**
   * Starts a recovery (recovery.ts) of `partitions` (default: every one this
   * node replicates), each from every other primary of it.
   */
  startRecovery(partitions?: ReadonlySet<number>): void {
    const recovery = new Recovery(
      partitions === undefined ? this.#pairs : this.#pairs.filter((pair) => partitions.has(pair.partition)),
    );
    if (recovery.done) return; // no other primaries: nothing to take back
    this.#recovery = recovery;
    this.#nextRecoveryMs = 0;
  }

  /** Whether this node's copies of `partition`'s keys must not count as a primary's yet. */
  recovering(partition: number): boolean {
    return this.#recovery?.recovering(partition) === true;
  }

  /** The partitions not yet taken back from every other primary, ascending (none when not recovering). */
  recoveringPartitions(): number[] {
    return this.#recovery?.partitions() ?? [];
  }

  /** Partitions not yet taken back from every other primary (0 when not recovering). */
  get partitionsRecovering(): number {
    return this.#recovery?.partitionsLeft ?? 0;
  }

  /** A record pulled from `from` arrived and was merged: it may complete the pair's exchange. */
  pulledArrived(from: string, keyId: string): void {
    if (this.#recovery === undefined) return;
    const pairKey = pairKeyOf(this.#partitionOf(keyId), from);
    const awaiting = this.#awaiting.get(pairKey);
    if (awaiting === undefined || !awaiting.keyIds.delete(keyId) || awaiting.keyIds.size > 0) return;
    this.#awaiting.delete(pairKey);
    this.#takenBack(awaiting.pair);
  }

  /** The (partition, peer) pairs exchanged in turn: an exchange cycle is this many intervals. */
  get pairs(): number {
    return this.#pairs.length;
  }

  /** The partitions this node keeps a tree for, ascending. */
  partitions(): number[] {
    return [...this.#trees.keys()];
  }

  /** The root of the tree of `partition`, or undefined when this node does not replicate it. */
  root(partition: number): number | undefined {
    return this.#trees.get(partition)?.root();
  }

  /**
   * For checkers: the partitions whose tree differs (in size or root) from
   * one built afresh from `keyIds` (the keys the replica holds) with the
   * host's digests, ascending. Empty unless a change of the replica missed
   * its tree, or told it a wrong digest.
   */
  partitionsOffRecords(keyIds: Iterable<string>): number[] {
    const digestOf = (keyId: string): number | undefined => this.#host.digest(keyId);
    const fresh = new Map<number, MerkleTree>();
    for (const partition of this.#trees.keys()) {
      fresh.set(partition, new MerkleTree({ depth: antiEntropyTreeDepth, digestOf }));
    }
    for (const keyId of keyIds) fresh.get(this.#partitionOf(keyId))?.change(keyId, undefined, digestOf(keyId));
    const off: number[] = [];
    for (const [partition, tree] of fresh) {
      const kept = this.#trees.get(partition) as MerkleTree;
      if (tree.size !== kept.size || tree.root() !== kept.root()) off.push(partition);
    }
    return off.sort((a, b) => a - b);
  }

  /** This replica's record of `keyId` changed: its digest went from `previous` to `next` (undefined: none). */
  recordChanged(keyId: string, previous: number | undefined, next: number | undefined): void {
    this.#treeOf(keyId)?.change(keyId, previous, next);
  }

  tick(nowMs: number): void {
    const session = this.#session;
    if (session !== undefined && (nowMs >= session.deadlineMs || this.#host.suspected(session.peer))) {
      this.stats.exchangesAbandoned++;
      this.#session = undefined;
    }
    const current = this.#session;
    if (current !== undefined && nowMs >= current.retryAtMs) {
      this.stats.stepsRetried++;
      current.retryAtMs = nowMs + antiEntropyStepRetryMs;
      this.#host.send(current.peer, current.step);
    }
    if (this.#session !== undefined) return;
    let pair: Pair | undefined;
    const recovery = this.#recovery;
    if (recovery !== undefined && nowMs >= this.#nextRecoveryMs) {
      // The pairs a recovery needs, back to back while one is up; while every one's peer is suspected, only a
      // look every `antiEntropyRecoveryPollMs` (nothing is sent: the other pairs keep the normal pace).
      pair = this.#pick((candidate) => recovery.needs(candidate));
      this.#nextRecoveryMs =
        nowMs +
        (pair === undefined ? antiEntropyRecoveryPollMs : Math.min(this.#intervalMs, antiEntropyRecoveryIntervalMs));
    }
    if (pair === undefined) {
      if (nowMs < this.#nextRoundMs) return;
      this.#nextRoundMs = nowMs + this.#intervalMs;
      pair = this.#pick(() => true);
      if (pair === undefined) return;
    }
    this.stats.exchangesStarted++;
    const id = `${this.#host.prefix()}.${++this.#sessions}`;
    const step: PeerPayload = { kind: "ae-hashes", session: id, partition: pair.partition, level: 0, indexes: [0] };
    this.#session = {
      id,
      ...pair,
      level: 0,
      indexes: [0],
      deadlineMs: nowMs + antiEntropySessionTimeoutMs,
      step,
      retryAtMs: nowMs + antiEntropyStepRetryMs,
      complete: true,
    };
    this.#host.send(pair.peer, step);
  }

  nextWakeMs(): number {
    const session = this.#session;
    if (session !== undefined) return Math.min(session.deadlineMs, session.retryAtMs);
    return this.#recovery === undefined ? this.#nextRoundMs : Math.min(this.#nextRoundMs, this.#nextRecoveryMs);
  }

  // ---- the responder ------------------------------------------------------------------------------------------

  /** A peer's step of its walk: our hashes of the nodes it names (null: we keep no tree of that partition). */
  onHashes(from: string, message: Omit<AeHashesMessage, "ts">): void {
    const tree = this.#trees.get(message.partition);
    if (tree === undefined) {
      this.#host.send(from, {
        kind: "ae-hashes-reply",
        session: message.session,
        level: message.level,
        hashes: null,
      });
      return;
    }
    const { level, indexes } = message;
    const width = 2 ** level;
    if (
      level > tree.depth ||
      indexes.length > antiEntropyNodesPerStepMax ||
      !indexes.every((index) => Number.isInteger(index) && index >= 0 && index < width)
    ) {
      this.stats.messagesRefused++;
      return;
    }
    const hashes = tree.hashesAt(level, indexes);
    this.#host.send(from, { kind: "ae-hashes-reply", session: message.session, level, hashes });
  }

  /** A peer found these segments differ: our entries in them. */
  onEntries(from: string, message: Omit<AeEntriesMessage, "ts">): void {
    const tree = this.#trees.get(message.partition);
    const { segments } = message;
    if (
      segments.length > antiEntropyNodesPerStepMax ||
      (tree !== undefined && !segments.every((s) => Number.isInteger(s) && s >= 0 && s < tree.segments))
    ) {
      this.stats.messagesRefused++;
      return;
    }
    const keyIds: string[] = [];
    const digests: number[] = [];
    if (tree !== undefined) {
      for (const segment of segments) {
        for (const [keyId, digest] of tree.segmentEntries(segment)) {
          keyIds.push(keyId);
          digests.push(digest);
        }
      }
    }
    this.#host.send(from, { kind: "ae-entries-reply", session: message.session, keyIds, digests });
  }

  /** A peer asks for our records of keys that differ: sent as repairs, which it merges. */
  onPull(from: string, message: Omit<AePullMessage, "ts">): void {
    if (message.keyIds.length > antiEntropyKeysPerRoundMax) {
      this.stats.messagesRefused++;
      return;
    }
    for (const keyId of message.keyIds) this.#push(from, keyId, true);
  }

  // ---- the initiator ------------------------------------------------------------------------------------------

  onHashesReply(from: string, message: Omit<AeHashesReplyMessage, "ts">, nowMs: number): void {
    const session = this.#session;
    if (session === undefined || session.id !== message.session || session.peer !== from) return;
    if (message.level !== session.level) {
      // The answer to an earlier step (duplicated, or asked twice): that step is done.
      this.stats.repliesStale++;
      return;
    }
    if (message.hashes === null || message.hashes.length !== session.indexes.length) {
      // The peer keeps no tree of this partition (its ring differs), or answered another question.
      this.stats.messagesRefused++;
      this.#session = undefined;
      return;
    }
    const tree = this.#trees.get(session.partition) as MerkleTree;
    const differing = differingIndexes(tree, session.level, session.indexes, message.hashes);
    if (differing.length === 0) {
      // Every node walked is equal now; those not walked were equal a step ago, and a replica's copies only
      // grow by joins: nothing the peer held since this node started is missing, unless a bound cut the walk.
      this.stats.exchangesEqual++;
      this.#session = undefined;
      if (session.complete) this.#takenBack(session);
      return;
    }
    session.deadlineMs = nowMs + antiEntropySessionTimeoutMs;
    session.retryAtMs = nowMs + antiEntropyStepRetryMs;
    if (session.level === tree.depth) {
      const segments = differing.slice(0, antiEntropyNodesPerStepMax);
      if (segments.length < differing.length) session.complete = false;
      session.level = -1;
      session.indexes = segments;
      session.step = { kind: "ae-entries", session: session.id, partition: session.partition, segments };
      this.#host.send(from, session.step);
      return;
    }
    const levels = Math.min(antiEntropyLevelsPerStep, tree.depth - session.level);
    const followed = differing.slice(0, Math.floor(antiEntropyNodesPerStepMax / 2 ** levels));
    if (followed.length < differing.length) session.complete = false;
    session.level += levels;
    session.indexes = descendantIndexes(followed, levels);
    session.step = {
      kind: "ae-hashes",
      session: session.id,
      partition: session.partition,
      level: session.level,
      indexes: session.indexes,
    };
    this.#host.send(from, session.step);
  }

  onEntriesReply(from: string, message: Omit<AeEntriesReplyMessage, "ts">): void {
    const session = this.#session;
    if (session === undefined || session.id !== message.session || session.peer !== from || session.level !== -1) {
      return;
    }
    this.#session = undefined;
    if (message.keyIds.length !== message.digests.length) {
      this.stats.messagesRefused++;
      return;
    }
    const tree = this.#trees.get(session.partition) as MerkleTree;
    const local = new Map<string, number>();
    for (const segment of session.indexes)
      for (const [keyId, digest] of tree.segmentEntries(segment)) local.set(keyId, digest);
    const remote = new Map<string, number>();
    message.keyIds.forEach((keyId, i) => {
      remote.set(keyId, message.digests[i] as number);
    });
    const differing = differingKeys(local, remote);
    const keys = differing.slice(0, antiEntropyKeysPerRoundMax);
    const pull: string[] = [];
    for (const keyId of keys) {
      if (local.has(keyId)) this.#push(from, keyId);
      const theirs = remote.get(keyId);
      if (theirs === undefined) continue;
      if (!local.has(keyId) && this.#host.ghostDigest(keyId) === theirs) {
        // We removed this very tombstone; the peer missed the removal. Tell it, rather than take it back.
        const { bucket, key } = splitKeyId(keyId);
        this.#host.send(from, { kind: "tombstone-remove", round: session.id, bucket, key, digest: theirs });
        continue;
      }
      pull.push(keyId);
    }
    this.stats.keysPulled += pull.length;
    if (pull.length > 0) this.#host.send(from, { kind: "ae-pull", partition: session.partition, keyIds: pull });
    this.stats.exchangesRepaired++;
    if (!session.complete || keys.length < differing.length || this.#recovery?.needs(session) !== true) return;
    if (pull.length === 0) this.#takenBack(session);
    else this.#awaiting.set(pairKeyOf(session.partition, from), { pair: session, keyIds: new Set(pull) });
  }

  /** The next pair `wanted` whose peer is not suspected: round robin, or drawn with the Random; none when none is. */
  #pick(wanted: (pair: Pair) => boolean): Pair | undefined {
    const random = this.#host.random;
    if (random !== undefined) {
      const up = this.#pairs.filter((pair) => wanted(pair) && !this.#host.suspected(pair.peer));
      return up.length === 0 ? undefined : random.pick(up);
    }
    for (let tried = 0; tried < this.#pairs.length; tried++) {
      const pair = this.#pairs[this.#cursor++ % this.#pairs.length] as Pair;
      if (wanted(pair) && !this.#host.suspected(pair.peer)) return pair;
    }
    return undefined;
  }

  #takenBack(pair: Pair): void {
    const recovery = this.#recovery;
    if (recovery === undefined || !recovery.needs(pair)) return;
    this.stats.pairsTakenBack++;
    if (!recovery.takenBack(pair)) return;
    this.#recovery = undefined;
    this.#awaiting.clear();
    this.#host.recovered();
  }

  /** `pulled`: the record answers the peer's pull, which a recovering peer counts (recovery.ts). */
  #push(to: string, keyId: string, pulled = false): void {
    const encoded = this.#host.encodedRecord(keyId);
    if (encoded === undefined || !keyId.includes("\u0000")) return;
    const { bucket, key } = splitKeyId(keyId);
    this.stats.keysPushed++;
    this.#host.send(
      to,
      pulled
        ? { kind: "repair", bucket, key, record: encoded, pulled }
        : { kind: "repair", bucket, key, record: encoded },
    );
  }

  #treeOf(keyId: string): MerkleTree | undefined {
    return this.#trees.get(this.#partitionOf(keyId));
  }

  #partitionOf(keyId: string): number {
    const { bucket, key } = splitKeyId(keyId);
    return this.#host.ring.partitionOf(hashKey(bucket, key));
  }
}

function pairKeyOf(partition: number, peer: string): string {
  return `${partition}\u0000${peer}`;
}
