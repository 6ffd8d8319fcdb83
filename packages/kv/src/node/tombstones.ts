/**
 * Removing tombstones without letting deleted data come back.
 *
 * A delete writes a tombstone (a last-write-wins record with no value, or a
 * causal set whose siblings are all tombstones). Keeping tombstones forever
 * costs space; removing one too early lets an older value that some replica,
 * hint or message still carries win again, since against nothing any value
 * wins (Cassandra's zombie rows, Riak's `delete_mode`). The rule here:
 *
 * 1. Only the key's first primary (the first node of its preference list of
 *    the default N) runs removal rounds for it, and only for a tombstone it
 *    has stored for `delayMs` of its monotonic time (a restored one counts
 *    from the restart: the clock of another process means nothing).
 * 2. A round asks EVERY node of the cluster, not only the primaries, what it
 *    holds for the key (the digest of its record, or of the ghost below) and
 *    whether it holds a hint for it. Each answer leaves only after the state
 *    it describes is durable (the outbox's rule).
 * 3. The tombstone T (digest d) is removed only if every node answered within
 *    `tombstoneRoundTimeoutMs`, every primary holds exactly d, every other
 *    node holds d or nothing, and no node holds a hint for the key. A node
 *    that is down, paused or partitioned away answers nothing, so nothing is
 *    removed while it is away: a replica away longer than the delay cannot
 *    resurrect the value, because the tombstone is still everywhere when it
 *    returns (and anti-entropy or read repair gives it T, which absorbs its
 *    value). Asking every node, not only the N primaries, covers what a
 *    request with a larger N or a sloppy write left elsewhere.
 * 4. Then the first primary sends `tombstone-remove (d)` to every node that
 *    holds d and removes its own. A node removes its record only if it still
 *    is d (a newer write since the answer wins over the removal).
 * 5. A node that removed T keeps its ghost (T itself: a stamp or a set of
 *    version vectors over tombstones, no value) durably for
 *    `ghostRetentionMs`. A record that arrives for the key (a late write or
 *    repair, a hint handed off late, an anti-entropy push) is merged into
 *    the ghost first: if the ghost absorbs it (T dominates it), it is
 *    dropped. So in-flight messages cannot resurrect the value either.
 *    Messages older than `ghostRetentionMs` are assumed gone (the
 *    simulator's delays are milliseconds). A causal coordinator writes over
 *    the ghost, so its dot counters continue past T's and a new write is
 *    never mistaken for one T already covers.
 * 6. A node that missed the remove message keeps T (nothing resends it).
 *    Whichever node starts an anti-entropy exchange, the ghost holder tells
 *    it to remove T: as the initiator when the peer's entry is T's digest,
 *    and as the responder when the peer pushes it T (a record equal to the
 *    ghost, which the ghost absorbs) by repair, anti-entropy's or a read's.
 *    A node removing T on that word is in the state the remove message
 *    would have left it in: every node held T or nothing when the round
 *    decided, and it keeps T's ghost. A node without the ghost takes T back,
 *    which is safe: a tombstone spreading deletes nothing live, and the next
 *    round removes it again. So once faults heal, every exchange of the
 *    key's partition between a holder of T and a holder of its ghost ends
 *    with T removed, whatever messages were lost before.
 *
 * Every replica of a key removes the same T, so the Merkle trees, which
 * hold only records, agree again once the removes are through.
 */
import { describeValue } from "@skew/env";
import {
  ghostRetentionMsDefault,
  replicasDefault,
  tombstoneRemovalDelayMsDefault,
  tombstoneRoundsInFlightMax,
  tombstoneRoundTimeoutMs,
} from "../constants.js";
import {
  decodeRecord,
  encodeRecord,
  isTombstone,
  type KvRecord,
  mergeRecords,
  recordDigest,
  recordsEqual,
} from "../record/index.js";
import type { HashRing } from "../ring/index.js";
import { hashKey } from "../ring/index.js";
import type { PeerPayload } from "./outbox.js";
import type { TombstoneQueryMessage, TombstoneRemoveMessage, TombstoneStatusMessage } from "./repair-messages.js";
import { type StorageOp, splitKeyId } from "./storage.js";

/** Where ghosts are stored: `g/<bucket>\0<key>` -> the removed tombstone, encoded and checksummed. */
export const ghostPrefix = "g/";

/** What tombstone removal needs of its node. */
export interface TombstonesHost {
  readonly self: string;
  readonly ring: HashRing;
  /** Monotonic ms a tombstone is stored before a round may remove it (default `tombstoneRemovalDelayMsDefault`). */
  readonly delayMs: number | undefined;
  /** Monotonic ms a ghost drops late versions (default `ghostRetentionMsDefault`). */
  readonly ghostRetentionMs: number | undefined;
  /** Unique across this node's restarts, so a late answer never matches a new round. */
  prefix(): string;
  send(to: string, payload: PeerPayload): void;
  write(op: StorageOp): void;
  record(keyId: string): KvRecord | undefined;
  /** The digest of this replica's record of the key (`recordDigest`, kept beside it), or undefined. */
  digest(keyId: string): number | undefined;
  /** Removes this replica's record of the key (memory, disk, Merkle tree). */
  removeRecord(keyId: string): void;
  /** Whether this node holds a hint (hinted handoff) for the key, for any primary. */
  hinted(keyId: string): boolean;
}

export interface TombstoneStats {
  roundsStarted: number;
  /** Rounds that removed the tombstone, and rounds that did not (a node silent, a newer record, a hint). */
  roundsRemoved: number;
  roundsRefused: number;
  /** Tombstones this node removed (on its own round's decision or at another's request). */
  tombstonesRemoved: number;
  /** Records a ghost absorbed: late versions of a removed key, dropped. */
  recordsDroppedByGhost: number;
  /** Peers told to remove a tombstone they pushed to this node, which had removed it (rule 6). */
  removesToldByGhost: number;
  ghostsExpired: number;
}

interface Candidate {
  readonly digest: number;
  /** When the tombstone was stored, on this process's monotonic clock (undefined: restored, set at the first tick). */
  storedAtMs: number | undefined;
  notBeforeMs: number;
  round: string | undefined;
}

interface Round {
  readonly keyId: string;
  readonly digest: number;
  readonly deadlineMs: number;
  readonly answers: Map<string, { readonly digest: number | null; readonly hinted: boolean }>;
}

interface Ghost {
  readonly record: KvRecord;
  readonly digest: number;
  untilMs: number | undefined;
}

export class Tombstones {
  readonly stats: TombstoneStats = {
    roundsStarted: 0,
    roundsRemoved: 0,
    roundsRefused: 0,
    tombstonesRemoved: 0,
    recordsDroppedByGhost: 0,
    removesToldByGhost: 0,
    ghostsExpired: 0,
  };
  readonly #host: TombstonesHost;
  readonly #delayMs: number;
  readonly #ghostRetentionMs: number;
  /** Tombstones this node is the first primary of, by key id. */
  readonly #candidates = new Map<string, Candidate>();
  readonly #rounds = new Map<string, Round>();
  readonly #ghosts = new Map<string, Ghost>();
  #roundCount = 0;
  #toldCount = 0;
  #wakeMs: number | undefined = 0;
  #nowMs = 0;

  constructor(host: TombstonesHost) {
    this.#host = host;
    this.#delayMs = checkMs("tombstoneRemovalDelayMs", host.delayMs ?? tombstoneRemovalDelayMsDefault);
    this.#ghostRetentionMs = checkMs("ghostRetentionMs", host.ghostRetentionMs ?? ghostRetentionMsDefault);
  }

  /** Tombstones waiting for removal here (this node being their first primary). */
  get pending(): number {
    return this.#candidates.size;
  }

  /** Ghosts held. */
  get ghosts(): number {
    return this.#ghosts.size;
  }

  /** The removed tombstone of `keyId`, while its ghost is kept. */
  ghost(keyId: string): KvRecord | undefined {
    return this.#ghosts.get(keyId)?.record;
  }

  ghostDigest(keyId: string): number | undefined {
    return this.#ghosts.get(keyId)?.digest;
  }

  /** A ghost read back at start (bytes damaged: dropped, as the tombstone it stands for would be). */
  restoreGhost(storageKey: string, bytes: Uint8Array): void {
    const decoded = decodeRecord(bytes);
    if (!decoded.ok) {
      this.#host.write({ kind: "delete", key: storageKey });
      return;
    }
    const keyId = storageKey.slice(ghostPrefix.length);
    this.#ghosts.set(keyId, { record: decoded.value, digest: recordDigest(bytes), untilMs: undefined });
    this.#wakeMs = 0;
  }

  /**
   * This replica's record of `keyId` changed (undefined: it holds none).
   * `nowMs` is undefined at restore.
   */
  recordChanged(keyId: string, record: KvRecord | undefined, encoded: Uint8Array | undefined, nowMs?: number): void {
    if (record === undefined || encoded === undefined || !isTombstone(record) || !this.#isFirstPrimary(keyId)) {
      this.#candidates.delete(keyId);
      return;
    }
    const digest = recordDigest(encoded);
    if (this.#candidates.get(keyId)?.digest === digest) return;
    this.#candidates.set(keyId, { digest, storedAtMs: nowMs, notBeforeMs: 0, round: undefined });
    const dueMs = nowMs === undefined ? 0 : nowMs + this.#delayMs;
    if (this.#wakeMs === undefined || dueMs < this.#wakeMs) this.#wakeMs = dueMs;
  }

  /**
   * What to store of a record arriving for `keyId`: itself, or its join with
   * the key's ghost; undefined when the ghost absorbs it (the removed
   * tombstone dominates it: a late version of deleted data).
   */
  admit(keyId: string, incoming: KvRecord): KvRecord | undefined {
    const ghost = this.#ghosts.get(keyId);
    if (ghost === undefined) return incoming;
    const merged = mergeRecords(ghost.record, incoming);
    if (recordsEqual(merged, ghost.record)) {
      this.stats.recordsDroppedByGhost++;
      return undefined;
    }
    return merged;
  }

  /**
   * A peer pushed `encoded` for `keyId` (a repair) and it changed nothing
   * here. If this node removed that very tombstone (it holds no record and
   * the ghost's digest is the record's), the peer missed the removal: tell
   * it to remove its copy (rule 6), rather than leave the two replicas
   * differing until this node happens to start the exchange.
   */
  repairAbsorbed(from: string, keyId: string, encoded: Uint8Array): void {
    const ghost = this.#ghosts.get(keyId);
    if (ghost === undefined || this.#host.record(keyId) !== undefined || recordDigest(encoded) !== ghost.digest) return;
    const { bucket, key } = splitKeyId(keyId);
    this.stats.removesToldByGhost++;
    const round = `${this.#host.prefix()}.g${++this.#toldCount}`;
    this.#host.send(from, { kind: "tombstone-remove", round, bucket, key, digest: ghost.digest });
  }

  tick(nowMs: number): void {
    this.#nowMs = nowMs;
    let wake: number | undefined;
    const later = (at: number): void => {
      if (wake === undefined || at < wake) wake = at;
    };
    for (const [id, round] of this.#rounds) {
      if (nowMs >= round.deadlineMs) this.#finish(id, round, false);
      else later(round.deadlineMs);
    }
    for (const [keyId, ghost] of this.#ghosts) {
      ghost.untilMs ??= nowMs + this.#ghostRetentionMs;
      if (nowMs < ghost.untilMs) {
        later(ghost.untilMs);
        continue;
      }
      this.#ghosts.delete(keyId);
      this.#host.write({ kind: "delete", key: ghostPrefix + keyId });
      this.stats.ghostsExpired++;
    }
    for (const [keyId, candidate] of this.#candidates) {
      candidate.storedAtMs ??= nowMs;
      if (candidate.round !== undefined) continue;
      const dueMs = Math.max(candidate.storedAtMs + this.#delayMs, candidate.notBeforeMs);
      if (nowMs >= dueMs && this.#rounds.size < tombstoneRoundsInFlightMax) this.#startRound(keyId, candidate, nowMs);
      else later(Math.max(dueMs, nowMs + (nowMs >= dueMs ? tombstoneRoundTimeoutMs : 0)));
    }
    this.#wakeMs = wake;
  }

  nextWakeMs(): number | undefined {
    return this.#wakeMs;
  }

  // ---- the rounds ---------------------------------------------------------------------------------------------

  onQuery(from: string, message: Omit<TombstoneQueryMessage, "ts">): void {
    const keyId = `${message.bucket}\u0000${message.key}`;
    const digest = this.#host.digest(keyId) ?? this.ghostDigest(keyId) ?? null;
    this.#host.send(from, { kind: "tombstone-status", round: message.round, digest, hinted: this.#host.hinted(keyId) });
  }

  onStatus(from: string, message: Omit<TombstoneStatusMessage, "ts">): void {
    const round = this.#rounds.get(message.round);
    if (round === undefined || from === this.#host.self || !this.#host.ring.nodes.includes(from)) return;
    round.answers.set(from, { digest: message.digest, hinted: message.hinted });
    if (round.answers.size === this.#host.ring.nodes.length) this.#finish(message.round, round, true);
  }

  onRemove(message: Omit<TombstoneRemoveMessage, "ts">, nowMs: number): void {
    const keyId = `${message.bucket}\u0000${message.key}`;
    const record = this.#host.record(keyId);
    if (record === undefined || !isTombstone(record)) return;
    const encoded = encodeRecord(record);
    if (recordDigest(encoded) === message.digest) this.#remove(keyId, record, encoded, nowMs);
  }

  #startRound(keyId: string, candidate: Candidate, nowMs: number): void {
    const id = `${this.#host.prefix()}.t${++this.#roundCount}`;
    const round: Round = {
      keyId,
      digest: candidate.digest,
      deadlineMs: nowMs + tombstoneRoundTimeoutMs,
      answers: new Map(),
    };
    candidate.round = id;
    this.#rounds.set(id, round);
    this.stats.roundsStarted++;
    round.answers.set(this.#host.self, { digest: candidate.digest, hinted: this.#host.hinted(keyId) });
    const { bucket, key } = splitKeyId(keyId);
    for (const node of this.#host.ring.nodes) {
      if (node !== this.#host.self) this.#host.send(node, { kind: "tombstone-query", round: id, bucket, key });
    }
    if (round.answers.size === this.#host.ring.nodes.length) this.#finish(id, round, true);
  }

  #finish(id: string, round: Round, complete: boolean): void {
    this.#rounds.delete(id);
    const candidate = this.#candidates.get(round.keyId);
    if (candidate?.round === id) candidate.round = undefined;
    const record = this.#host.record(round.keyId);
    const encoded = record === undefined ? undefined : encodeRecord(record);
    const still = record !== undefined && encoded !== undefined && recordDigest(encoded) === round.digest;
    if (!complete || !still || !this.#confirmed(round)) {
      this.stats.roundsRefused++;
      // Try again one delay later (a node away for long costs a round per delay, not a round per tick).
      if (candidate !== undefined)
        candidate.notBeforeMs = this.#nowMs + Math.max(this.#delayMs, tombstoneRoundTimeoutMs);
      this.#wakeMs = 0;
      return;
    }
    this.stats.roundsRemoved++;
    const { bucket, key } = splitKeyId(round.keyId);
    for (const [node, answer] of round.answers) {
      if (node !== this.#host.self && answer.digest === round.digest) {
        this.#host.send(node, { kind: "tombstone-remove", round: id, bucket, key, digest: round.digest });
      }
    }
    this.#remove(round.keyId, record, encoded, this.#nowMs);
  }

  /** The rule (3): every primary holds exactly the tombstone, every other node it or nothing, nobody a hint. */
  #confirmed(round: Round): boolean {
    const { bucket, key } = splitKeyId(round.keyId);
    const primaries = this.#host.ring.preferenceList(hashKey(bucket, key), replicasDefault);
    for (const node of this.#host.ring.nodes) {
      const answer = round.answers.get(node);
      if (answer === undefined || answer.hinted) return false;
      if (answer.digest !== round.digest && (primaries.includes(node) || answer.digest !== null)) return false;
    }
    return true;
  }

  #remove(keyId: string, record: KvRecord, encoded: Uint8Array, nowMs: number): void {
    this.#host.removeRecord(keyId);
    this.#candidates.delete(keyId);
    this.#ghosts.set(keyId, { record, digest: recordDigest(encoded), untilMs: nowMs + this.#ghostRetentionMs });
    this.#host.write({ kind: "put", key: ghostPrefix + keyId, value: encoded });
    this.stats.tombstonesRemoved++;
    if (this.#wakeMs === undefined || nowMs + this.#ghostRetentionMs < this.#wakeMs) {
      this.#wakeMs = nowMs + this.#ghostRetentionMs;
    }
  }

  #isFirstPrimary(keyId: string): boolean {
    const { bucket, key } = splitKeyId(keyId);
    return this.#host.ring.preferenceList(hashKey(bucket, key), replicasDefault)[0] === this.#host.self;
  }
}

function checkMs(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`KvNode: ${name} must be a non-negative number of ms, got ${describeValue(value)}`);
  }
  return value;
}
