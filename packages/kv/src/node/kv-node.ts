/**
 * One node of the leaderless store: replica, coordinator and member at once,
 * as every Dynamo node is (DeCandia et al. 2007; Riak's vnodes and FSMs in
 * one process). It is a deterministic state machine in quinn-proto's shape:
 * it does no I/O, reads no clock of its own, and starts no timer.
 *
 * ```text
 * inputs   handleClientRequest(requestId, request, nowMs)   a client's get/put/delete
 *          handlePeerMessage(from, message, nowMs)          another node's message
 *          handleDurable(batchId, nowMs)                    the driver synced a write batch
 *          tick(nowMs)                                      timers: timeouts, commit waits
 *          close()                                          a clean stop: no input after it
 * outputs  pollWrites()     batches the driver must make durable, in order
 *          pollMessages()   messages to other nodes
 *          pollReplies()    answers to clients
 *          nextWakeMs()     when tick must next be called
 * ```
 *
 * `nowMs` is the node's monotonic time (timeouts); the clocks that stamp
 * writes are handed in at construction (clocks.ts).
 *
 * Durable before visible. Every change to the data becomes a StorageOp in
 * the batch of the input that made it, and every output an input produces
 * (an acknowledgement, a reply, a message carrying a record) waits until
 * every batch issued up to then is durable. So nothing a node says can be
 * undone by its crash: an acknowledged write is on disk at W replicas, and a
 * reply's context names only what this node holds on disk. The driver makes
 * the batches durable in order; group commit (one fsync for many batches)
 * is the driver's to choose.
 *
 * Early fan-out. A coordinator sends a fresh write to its replicas without
 * waiting for any batch but the one that started the node: its own copy
 * and theirs are synced at the same time, not one after the other. What
 * such a message carries is safe to say before this node's copy is durable:
 * - an `lww-wall` or `lww-truetime` stamp needs nothing stored; an HLC
 *   stamp (`lww-hlc`, and a causal sibling's write time) needs the clock's
 *   persisted upper bound durable, which the driver sees to: the clock
 *   persists a new bound before it issues past the old one, and the real
 *   node's driver holds peer messages until it is durable (the simulator's
 *   store syncs it at once);
 * - a causal write's dot is the one exception, handled by the epoch below;
 * - an `lww-lamport` stamp needs the Lamport counter of its own batch, so
 *   its fan-out waits as every other output does.
 *
 * Early acknowledgement. The answer to a write leaves once W replicas said
 * the write is durable with them (this node's own replica counts once its
 * batch is), without waiting for this node's other batches: at load there
 * is nearly always one in flight, for other clients' writes, and an answer
 * held behind it waits a group commit it does not need. What the answer
 * says is safe: W durable copies of the write exist; its stamp is under a
 * durable HLC bound (every replica that acknowledged it received it after
 * the bound was durable, or stored it in a batch submitted after the bound);
 * a causal context's dots are never issued again (below). A node that
 * forwarded a request to a primary passes the primary's answer on the same
 * way: it stored nothing for it.
 *
 * Dots. A causal coordinator writes its dots as `<node id>~<epoch>` (plain
 * `<node id>` at epoch 0). A dot may leave the node before the record that
 * holds it is durable here (early fan-out), and a replica may keep it while
 * this node loses it in a crash; issuing it again would give one dot two
 * values, and a replica holding the first would take the second for a copy
 * and drop it. So every start that did not follow a clean `close()` bumps a
 * durable epoch, as does a stored record found corrupt, and as does every
 * start under relaxed durability (a machine crash may take back batches
 * the node counted durable): Riak gives a vnode a new id after an unclean
 * start for the same reason. Version vectors gain one entry per such
 * event, not per write.
 */
import { assert, describeValue, type Random } from "@skew/env";
import { VectorClock, VectorError } from "@skew/vector";
import {
  heartbeatIntervalMsDefault,
  hintsMaxDefault,
  requestIdCharsMax,
  requestsInFlightMax,
  siblingsMax,
  siblingsWarn,
} from "../constants.js";
import { ReadCoordination } from "../coordinator/read.js";
import type { ReplyTo, RequestId } from "../coordinator/reply-to.js";
import { type Placement, placeRequest, type Target } from "../coordinator/targets.js";
import { WriteCoordination } from "../coordinator/write.js";
import { type Failure, failure } from "../errors.js";
import type { SiblingVersionView, VersionView } from "../history/index.js";
import type { HandoffMessage, HistoryEntry, OperationId, PeerMessage, WriteMessage } from "../messages.js";
import { parsePeerMessage } from "../messages.js";
import { type ConflictMode, isConflictMode, isLww } from "../modes.js";
import {
  type CausalRecord,
  causalWrite,
  contextOf,
  decodeRecord,
  encodeRecord,
  fenceOf,
  type KvRecord,
  type LwwRecord,
  liveValues,
  mergeRecords,
  parseContext,
  recordDigest,
} from "../record/index.js";
import { type Applied, type ApplyOutcome, Replica, type ReplicaEntry } from "../replica/replica.js";
import { type ClientReply, type NormalRequest, parseClientRequest, type WriteReply } from "../requests.js";
import { HashRing, hashKey } from "../ring/index.js";
import { AntiEntropy, type AntiEntropyStats } from "./anti-entropy.js";
import { CausalHistories, CausalReadAtCoordination, causalHistoryPrefix } from "./causal-history.js";
import { type NodeClocks, observeLamport, stampTime } from "./clocks.js";
import { Deadlines } from "./deadlines.js";
import { HintStore, type HintView, hintPrefix } from "./hints.js";
import { HistoryRequests } from "./history-request.js";
import { historyPrefix, LwwHistories, type LwwHistoryOptions } from "./lww-history.js";
import { Membership, type PeerView } from "./membership.js";
import { Outbox, type PeerPayload } from "./outbox.js";
import { ReadAtCoordination } from "./read-at.js";
import { ServedReads } from "./served-reads.js";
import { SnapshotReads, withEveryPrimary } from "./snapshot.js";
import {
  closedKey,
  decodeCount,
  dvvEpochKey,
  encodeCount,
  incarnationKey,
  keyIdOf,
  lamportKey,
  recordPrefix,
  recoveringKey,
  splitKeyId,
  type WriteBatch,
} from "./storage.js";
import { ghostPrefix, type TombstoneStats, Tombstones } from "./tombstones.js";

export interface KvNodeOptions {
  /** This node's id; one of `nodes`. */
  readonly id: string;
  /** Every member of the cluster, this node included; all nodes must be given the same list. */
  readonly nodes: readonly string[];
  /** Q, the ring's partition count (a power of two; default 64). */
  readonly partitions?: number;
  /** The conflict mode of each bucket; a request to a bucket not listed is refused. */
  readonly buckets: Readonly<Record<string, ConflictMode>>;
  readonly clocks: NodeClocks;
  /** What the driver read from storage at start (empty or absent on a first start). */
  readonly stored?: Iterable<readonly [string, Uint8Array]>;
  /**
   * What the driver's store promises of a batch it reports durable
   * (default `"sync"`): on stable storage, or (`"relaxed"`) only handed to
   * the operating system, which a crash of the machine can take back. The
   * node then cannot know at start which of its last writes survived, dots
   * it issued among them, so it starts a new dot epoch at every start (a
   * version vector gains one entry per restart, as after a corrupt record).
   * The batch that starts the node is always synced (`WriteBatch.sync`).
   */
  readonly durability?: "sync" | "relaxed";
  /** How often this node sends every other member a heartbeat, in monotonic ms (default 200). */
  readonly heartbeatIntervalMs?: number;
  /** Hints this node holds at most as a fallback (default 10,000); past it, hinted writes are refused. */
  readonly hintsMax?: number;
  /** How often this node starts an anti-entropy exchange, monotonic ms (default `antiEntropyIntervalMsDefault`). */
  readonly antiEntropyIntervalMs?: number;
  /** How long a tombstone stays at least before a removal round (default `tombstoneRemovalDelayMsDefault`; tombstones.ts). */
  readonly tombstoneRemovalDelayMs?: number;
  /** How long a removed tombstone's ghost drops late versions of the key (default `ghostRetentionMsDefault`). */
  readonly ghostRetentionMs?: number;
  /** Draws anti-entropy's (partition, peer) pairs; round robin without it. */
  readonly random?: Random;
  /** The bounds of the LWW buckets' version history (node/lww-history.ts; defaults: the history's). */
  readonly history?: LwwHistoryOptions;
}

export interface KvNodeStats {
  /** Messages refused because their HLC timestamp was beyond the clock's max offset. */
  messagesRefusedClockOffset: number;
  /** Messages that did not parse, or named an unknown bucket. */
  messagesMalformed: number;
  /** Records that failed their checksum: at restore, and on the wire. */
  recordsCorruptRestored: number;
  recordsCorruptReceived: number;
  /** Writes a replica refused for a lower fencing token. */
  writesFenced: number;
  /** Repairs sent after reads. */
  readRepairsSent: number;
  /** Hinted writes this node stored as a fallback, and refused because it held hintsMax already. */
  hintsStored: number;
  hintsRefusedFull: number;
  /** Handoffs sent (retries included), and hints deleted after the primary acknowledged them. */
  handoffsSent: number;
  hintsDelivered: number;
  /** Stored hints found damaged at restart (dropped: the coordinator's other replicas still hold the write). */
  hintsCorruptRestored: number;
}

type Coordination =
  | WriteCoordination
  | ReadCoordination
  | ReadAtCoordination
  | CausalReadAtCoordination
  | ForwardCoordination;

interface ForwardCoordination {
  readonly kind: "forward";
  readonly replyTo: ReplyTo;
  readonly target: string;
  readonly deadlineMs: number;
}

export class KvNode {
  readonly id: string;
  readonly ring: HashRing;
  readonly stats: KvNodeStats = {
    messagesRefusedClockOffset: 0,
    messagesMalformed: 0,
    recordsCorruptRestored: 0,
    recordsCorruptReceived: 0,
    writesFenced: 0,
    readRepairsSent: 0,
    hintsStored: 0,
    hintsRefusedFull: 0,
    handoffsSent: 0,
    hintsDelivered: 0,
    hintsCorruptRestored: 0,
  };
  readonly #buckets: ReadonlyMap<string, ConflictMode>;
  readonly #clocks: NodeClocks;
  readonly #replica = new Replica();
  readonly #outbox: Outbox;
  readonly #coordinations = new Map<OperationId, Coordination>();
  /** Their deadlines, earliest first (deadlines.ts); `#coordinationSeq` numbers them in the order they started. */
  readonly #deadlines = new Deadlines();
  #coordinationSeq = 0;
  /** Writes whose quorum is met and whose answer waits out a TrueTime commit wait, with their sequence numbers. */
  readonly #commitWaiting = new Map<OperationId, number>();
  readonly #isLive = (op: OperationId): boolean => this.#coordinations.has(op);
  readonly #membership: Membership;
  readonly #hints: HintStore;
  readonly #antiEntropy: AntiEntropy;
  readonly #tombstones: Tombstones;
  readonly #history: LwwHistories;
  readonly #causalHistory: CausalHistories;
  readonly #snapshots: SnapshotReads;
  readonly #historyRequests: HistoryRequests;
  readonly #served: ServedReads;
  readonly #incarnation: number;
  #dvvEpoch: number;
  #closed = false;
  #operations = 0;
  #nowMs = 0;

  constructor(options: KvNodeOptions) {
    if (typeof options !== "object" || options === null) throw new TypeError("KvNode: options are required");
    const { id, nodes, buckets, clocks } = options;
    this.ring = new HashRing(options.partitions === undefined ? { nodes } : { nodes, partitions: options.partitions });
    if (!this.ring.nodes.includes(id)) throw new RangeError(`KvNode: id ${describeValue(id)} is not among the nodes`);
    this.id = id;
    if (typeof buckets !== "object" || buckets === null) throw new TypeError("KvNode: buckets must be an object");
    const modes = new Map<string, ConflictMode>();
    for (const [bucket, mode] of Object.entries(buckets)) {
      if (bucket === "" || bucket.includes("\u0000"))
        throw new RangeError("KvNode: a bucket name is non-empty, no NUL");
      if (!isConflictMode(mode))
        throw new RangeError(`KvNode: bucket ${bucket} has no conflict mode: ${describeValue(mode)}`);
      modes.set(bucket, mode);
    }
    this.#buckets = modes;
    if (clocks?.wall?.kind !== "wall" || clocks.hlc === undefined || clocks.lamport === undefined) {
      throw new TypeError("KvNode: clocks must hold wall, hlc, lamport and truetime");
    }
    if (clocks.truetime === undefined) throw new TypeError("KvNode: clocks must hold wall, hlc, lamport and truetime");
    if (options.durability !== undefined && options.durability !== "sync" && options.durability !== "relaxed") {
      throw new RangeError(`KvNode: durability is "sync" or "relaxed", got ${describeValue(options.durability)}`);
    }
    this.#clocks = clocks;
    this.#outbox = new Outbox(id, () => clocks.hlc.now());
    this.#membership = new Membership(id, this.ring.nodes, options.heartbeatIntervalMs ?? heartbeatIntervalMsDefault);
    this.#hints = new HintStore(options.hintsMax ?? hintsMaxDefault);
    // Repair (anti-entropy.ts, tombstones.ts): modules with narrow hosts; they see the replica only through these.
    const send = (to: string, payload: PeerPayload): void => this.#outbox.send(to, payload);
    const prefix = (): string => String(this.#incarnation);
    this.#antiEntropy = new AntiEntropy({
      self: id,
      ring: this.ring,
      intervalMs: options.antiEntropyIntervalMs,
      random: options.random,
      prefix,
      send,
      suspected: (peer) => this.#membership.isSuspected(peer, this.#nowMs),
      encodedRecord: (keyId) => {
        const record = this.#replica.get(keyId);
        return record === undefined ? undefined : encodeRecord(record);
      },
      digest: (keyId) => this.#replica.digest(keyId),
      ghostDigest: (keyId) => this.#tombstones.ghostDigest(keyId),
      recovered: () => this.#outbox.write({ kind: "delete", key: recoveringKey }),
    });
    this.#tombstones = new Tombstones({
      self: id,
      ring: this.ring,
      delayMs: options.tombstoneRemovalDelayMs,
      ghostRetentionMs: options.ghostRetentionMs,
      prefix,
      send,
      write: (op) => this.#outbox.write(op),
      record: (keyId) => this.#replica.get(keyId),
      digest: (keyId) => this.#replica.digest(keyId),
      removeRecord: (keyId) => {
        const record = this.#replica.get(keyId);
        if (record !== undefined) {
          this.#history.recordRemoved(keyId, record);
          this.#causalHistory.recordRemoved(keyId, record);
        }
        const digest = this.#replica.delete(keyId);
        this.#outbox.write({ kind: "delete", key: recordPrefix + keyId });
        this.#recordChanged(keyId, undefined, undefined, digest);
      },
      hinted: (keyId) => this.#hints.recordsFor(keyId).length > 0,
    });
    this.#history = new LwwHistories(
      modes,
      options.history ?? {},
      (op) => this.#outbox.write(op),
      (keyId) => this.#replica.get(keyId),
    );
    this.#causalHistory = new CausalHistories(
      modes,
      options.history ?? {},
      (op) => this.#outbox.write(op),
      (keyId) => this.#replica.get(keyId),
    );
    this.#snapshots = new SnapshotReads({
      clocks,
      clusterSize: this.ring.nodes.length,
      nowMs: () => this.#nowMs,
      historyMode: (bucket) => this.#buckets.get(bucket),
      preference: (bucket, key, n) => this.ring.preferenceList(hashKey(bucket, key), n),
      isSuspected: (node) => this.#membership.isSuspected(node, this.#nowMs),
      nextOperation: () => this.#nextOperation(),
      sendReadAt: (node, op, bucket, key, at) => this.#outbox.send(node, { kind: "read-at", op, bucket, key, at }),
      answer: (replyTo, reply) => this.#answer(replyTo, reply),
    });
    this.#served = new ServedReads(clocks);
    this.#historyRequests = new HistoryRequests({
      clusterSize: this.ring.nodes.length,
      bucketMode: (bucket) => this.#buckets.get(bucket),
      preference: (bucket, key, n) => this.ring.preferenceList(hashKey(bucket, key), n),
      isSuspected: (node) => this.#membership.isSuspected(node, this.#nowMs),
      nextOperation: () => this.#nextOperation(),
      sendHistoryRead: (node, op, bucket, key) => this.#outbox.send(node, { kind: "history-read", op, bucket, key }),
      answer: (replyTo, reply) => this.#answer(replyTo, reply),
    });
    const meta = this.#restore(options.stored ?? [], options.durability ?? "sync");
    this.#incarnation = meta.incarnation + 1;
    this.#dvvEpoch = meta.dvvEpoch;
    // Nothing leaves this incarnation before its number is on stable storage, whatever the store's durability:
    // operation ids (and, with the epoch restore may have bumped, dots) stay unique across restarts.
    this.#outbox.write({ kind: "put", key: incarnationKey, value: encodeCount(this.#incarnation) });
    this.#outbox.seal(true);
  }

  // ---- inputs -------------------------------------------------------------------------------------------------

  /** A client's request; the answer comes out of `pollReplies` under `requestId`. */
  handleClientRequest(requestId: RequestId, request: unknown, nowMs: number): void {
    checkRequestId(requestId);
    this.#open("handleClientRequest");
    this.#advance(nowMs);
    this.#start({ kind: "client", requestId }, request);
    this.#seal();
  }

  /** A message from `from`. Malformed messages and messages from a clock too far ahead are dropped and counted. */
  handlePeerMessage(from: string, message: unknown, nowMs: number): void {
    if (typeof from !== "string") throw new TypeError("KvNode.handlePeerMessage: from must be a node id");
    this.#open("handlePeerMessage");
    this.#advance(nowMs);
    const parsed = parsePeerMessage(message);
    if (!parsed.ok || !this.ring.nodes.includes(from)) {
      this.stats.messagesMalformed++;
      return;
    }
    // Any message proves its sender alive, even one refused below: its clock being far ahead is news, not silence.
    this.#membership.heard(from, nowMs);
    if (parsed.value.kind === "heartbeat") {
      this.#membership.measureOffset(from, parsed.value.wallMs, this.#clocks.wall.now());
    }
    if (!this.#clocks.hlc.tryReceive(parsed.value.ts, from).ok) {
      this.stats.messagesRefusedClockOffset++;
      return;
    }
    this.#dispatch(from, parsed.value);
    this.#seal();
  }

  /** The driver made batch `batchId` durable. Batches must be reported in the order `pollWrites` gave them. */
  handleDurable(batchId: number, nowMs: number): void {
    this.#advance(nowMs);
    this.#outbox.durable(batchId);
    this.#seal();
  }

  /** Timers: request deadlines, commit waits, heartbeats, hint handoffs. Call at `nextWakeMs()` (earlier or later is harmless). */
  tick(nowMs: number): void {
    this.#open("tick");
    this.#advance(nowMs);
    for (const peer of this.#membership.heartbeatsDue(nowMs)) {
      this.#outbox.send(peer, { kind: "heartbeat", wallMs: this.#clocks.wall.now() });
    }
    this.#handOffHints(nowMs);
    this.#antiEntropy.tick(nowMs);
    this.#tombstones.tick(nowMs);
    this.#history.tick(nowMs, (mode) => this.#historyNow(mode));
    this.#causalHistory.tick(nowMs, this.#clocks.hlc.last);
    this.#snapshots.tick(nowMs);
    this.#historyRequests.tick(nowMs);
    // Deadlines passed and commit waits that may be over, in sequence order (a coordination's number is taken when
    // it starts, a commit wait's when it begins): deterministic, as everything here.
    const due = this.#deadlines.takeDue(nowMs, this.#isLive);
    for (const [op, seq] of this.#commitWaiting) due.push({ seq, op });
    due.sort((a, b) => a.seq - b.seq);
    for (const { op } of due) {
      const coordination = this.#coordinations.get(op);
      if (coordination === undefined) continue; // answered already (a commit wait that also expired: listed twice)
      if (coordination.kind === "write" && coordination.ready !== undefined) this.#settleWrite(op, coordination);
      if (this.#coordinations.has(op) && nowMs >= coordination.deadlineMs) this.#expire(op, coordination);
    }
    for (const op of this.#commitWaiting.keys()) if (!this.#coordinations.has(op)) this.#commitWaiting.delete(op);
    this.#seal();
  }

  /**
   * A clean stop: the node takes no input after it but `handleDurable`, and
   * hands out one last synced batch that marks this run as closed. Once it
   * is durable, every dot the node sent is in a durable record, so the next
   * start keeps the dot epoch (see "Dots"). Drain first: requests still in
   * flight are never answered. A node stopped any other way (a crash, a
   * kill, a close whose batch never became durable) starts a new epoch.
   */
  close(): void {
    this.#open("close");
    this.#closed = true;
    this.#outbox.write({ kind: "put", key: closedKey, value: encodeCount(this.#incarnation) });
    this.#outbox.seal(true);
  }

  /** Whether `close` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  // ---- outputs ------------------------------------------------------------------------------------------------

  pollWrites(): readonly WriteBatch[] {
    return this.#outbox.takeWrites();
  }

  pollMessages(): readonly { readonly to: string; readonly message: PeerMessage }[] {
    return this.#outbox.takeMessages();
  }

  pollReplies(): readonly { readonly requestId: RequestId; readonly reply: ClientReply }[] {
    return this.#outbox.takeReplies();
  }

  /** The monotonic time at which `tick` has work, or undefined when nothing waits on time. */
  nextWakeMs(): number | undefined {
    let wake = earlier(this.#membership.nextWakeMs(this.#nowMs), this.#deadlines.earliest(this.#isLive));
    for (const op of this.#commitWaiting.keys()) {
      const coordination = this.#coordinations.get(op);
      if (coordination?.kind !== "write") continue; // settled since: tick drops it
      wake = earlier(wake, this.#nowMs + this.#commitWaitLeftMs(coordination));
    }
    wake = earlier(wake, this.#antiEntropy.nextWakeMs());
    wake = earlier(wake, this.#tombstones.nextWakeMs());
    wake = earlier(wake, this.#snapshots.nextWakeMs());
    return earlier(wake, this.#historyRequests.nextWakeMs());
  }

  /** Starts tracking a coordination: its deadline joins the queue. Every coordination starts here. */
  #coordinate(op: OperationId, coordination: Coordination): void {
    this.#coordinations.set(op, coordination);
    this.#deadlines.push(coordination.deadlineMs, ++this.#coordinationSeq, op);
    this.#deadlines.compact(this.#coordinations.size, this.#isLive);
  }

  // ---- introspection, for checkers and tests ------------------------------------------------------------------

  /** This replica's copy of a key, as stored (undefined when it holds none). */
  localRecord(bucket: string, key: string): KvRecord | undefined {
    return this.#replica.get(keyIdOf(bucket, key));
  }

  /** The versions of an LWW key this replica's history keeps, oldest first, and its horizon (−∞: nothing dropped). */
  localHistory(bucket: string, key: string): { readonly versions: VersionView[]; readonly horizon: number } {
    const keyId = keyIdOf(bucket, key);
    return { versions: this.#history.history(keyId), horizon: this.#history.horizon(keyId) };
  }

  /** The siblings of a causal key this replica's history keeps, oldest first, and its horizon (−∞: nothing dropped). */
  localSiblingHistory(
    bucket: string,
    key: string,
  ): { readonly siblings: SiblingVersionView[]; readonly horizon: number } {
    const keyId = keyIdOf(bucket, key);
    return { siblings: this.#causalHistory.history(keyId), horizon: this.#causalHistory.horizon(keyId) };
  }

  /** The keys this replica holds a record for. */
  *localKeys(): IterableIterator<{ readonly bucket: string; readonly key: string }> {
    for (const keyId of this.#replica.keyIds()) yield splitKeyId(keyId);
  }

  /**
   * Every other member as this node's failure detector sees it at `nowMs`
   * (default: the time of the last input; never earlier): phi, suspicion,
   * when last heard from, clock offset. Reads only: it changes nothing.
   */
  membership(nowMs: number = this.#nowMs): PeerView[] {
    if (typeof nowMs !== "number" || !(nowMs >= this.#nowMs) || !Number.isFinite(nowMs)) {
      throw new RangeError(
        `KvNode.membership: nowMs must be finite and >= ${this.#nowMs}, got ${describeValue(nowMs)}`,
      );
    }
    return this.#membership.view(nowMs);
  }

  /** The hints this node holds as a fallback, oldest first. */
  *hints(): IterableIterator<HintView> {
    for (const { primary, keyId, record } of this.#hints.entries()) yield { primary, ...splitKeyId(keyId), record };
  }

  /** Requests this node coordinates (or forwarded) that have not finished. */
  get requestsInFlight(): number {
    return this.#coordinations.size;
  }

  /**
   * Partitions whose keys this node's reads do not yet answer as a primary
   * (node/recovery.ts): after a start that may have lost acknowledged writes
   * (unclean, under relaxed durability, or with a corrupt record), until it
   * has taken each back from every other primary. 0 in normal running.
   */
  get partitionsRecovering(): number {
    return this.#antiEntropy.partitionsRecovering;
  }

  /** Which partitions `partitionsRecovering` counts, ascending. */
  recoveringPartitions(): number[] {
    return this.#antiEntropy.recoveringPartitions();
  }

  /** Whether this node is recovering the partition of the key (recovery.ts): its reads of it count as no primary's. */
  #recoveringKey(bucket: string, key: string): boolean {
    return (
      this.#antiEntropy.partitionsRecovering > 0 &&
      this.#antiEntropy.recovering(this.ring.partitionOf(hashKey(bucket, key)))
    );
  }

  /** The id this node's causal writes are dotted with. */
  get dotId(): string {
    return this.#dvvEpoch === 0 ? this.id : `${this.id}~${this.#dvvEpoch}`;
  }

  /** The root of this node's Merkle tree of `partition`, or undefined when it does not replicate it (default N). */
  merkleRoot(partition: number): number | undefined {
    return this.#antiEntropy.root(partition);
  }

  /** The root of every partition this node replicates (default N): equal across a partition's replicas once converged. */
  merkleRoots(): Map<number, number> {
    return new Map(this.#antiEntropy.partitions().map((p) => [p, this.#antiEntropy.root(p) as number]));
  }

  /**
   * For checkers: where this node's anti-entropy state disagrees with its
   * records. `keys`: keys whose digest, kept beside the record, is not the
   * digest of the record's encoding; `partitions`: partitions whose Merkle
   * tree is not the one those digests build (merkle/tree.ts). Both empty in
   * a correct node; O(keys held).
   */
  merkleFaults(): { readonly keys: string[]; readonly partitions: number[] } {
    const keys: string[] = [];
    for (const keyId of this.#replica.keyIds()) {
      const entry = this.#replica.entry(keyId) as ReplicaEntry;
      if (entry.digest !== recordDigest(encodeRecord(entry.record))) keys.push(keyId);
    }
    return { keys, partitions: this.#antiEntropy.partitionsOffRecords(this.#replica.keyIds()) };
  }

  /** Anti-entropy and tombstone removal, for checkers: counters, exchange pairs, tombstones pending, ghosts. */
  repairView(): {
    readonly antiEntropy: Readonly<AntiEntropyStats>;
    readonly tombstones: Readonly<TombstoneStats>;
    readonly exchangePairs: number;
    /** An anti-entropy exchange this node started is in flight. */
    readonly exchanging: boolean;
    readonly tombstonesPending: number;
    readonly ghosts: number;
  } {
    return {
      antiEntropy: { ...this.#antiEntropy.stats },
      exchanging: this.#antiEntropy.exchanging,
      tombstones: { ...this.#tombstones.stats },
      exchangePairs: this.#antiEntropy.pairs,
      tombstonesPending: this.#tombstones.pending,
      ghosts: this.#tombstones.ghosts,
    };
  }

  // ---- coordinating -------------------------------------------------------------------------------------------

  #start(replyTo: ReplyTo, raw: unknown): void {
    const kind = (raw as { kind?: unknown } | null)?.kind;
    if (kind === "snapshot") {
      this.#snapshots.start(replyTo, raw, this.#nowMs); // snapshot.ts: safe time, then one read at `at` per key
      return;
    }
    if (kind === "history") {
      this.#historyRequests.start(replyTo, raw, this.#nowMs); // history-request.ts: each primary's kept versions
      return;
    }
    const parsed = parseClientRequest(raw, this.ring.nodes.length);
    if (!parsed.ok) {
      this.#answer(replyTo, parsed.error);
      return;
    }
    const request = parsed.value;
    const mode = this.#buckets.get(request.bucket);
    if (mode === undefined) {
      this.#answer(replyTo, failure("INVALID_REQUEST", true, "unknown bucket"));
      return;
    }
    if (this.#coordinations.size >= requestsInFlightMax) {
      this.#answer(replyTo, failure("OVERLOADED", true, `${requestsInFlightMax} requests in flight`));
      return;
    }
    const context = parseContext(request.context, mode === "causal");
    if (!context.ok) {
      this.#answer(replyTo, { ok: false, code: "INVALID_REQUEST", definite: true, message: context.error.message });
      return;
    }
    // The client read a version written under a higher token: that token is seen, whatever the replicas know.
    if (context.value !== undefined && request.fence < context.value.fence) {
      const detail = `token ${request.fence} is below ${context.value.fence}, seen in the context; nothing was sent`;
      this.#answer(replyTo, failure("FENCED", true, detail));
      return;
    }
    const hash = hashKey(request.bucket, request.key);
    const preference = this.ring.preferenceList(hash, request.n);
    const primaries = new Set(preference);
    const placement = placeRequest(preference, this.ring.fallbacks(hash, request.n, this.ring.nodes.length), (node) =>
      this.#membership.isSuspected(node, this.#nowMs),
    );
    const unavailable = quorumUnavailable(placement, request);
    const op = this.#nextOperation();
    const deadlineMs = this.#nowMs + request.timeoutMs;

    if (request.kind === "get" && request.at !== undefined) {
      const at = request.at;
      const read = withEveryPrimary(mode, request); // repeatable reads of the past: served-reads.ts
      const start = (): void => this.#startReadAt(op, replyTo, read, at, preference, deadlineMs);
      this.#snapshots.gate(replyTo, mode, at, request.wait ?? false, deadlineMs, start); // safe time: snapshot.ts
      return;
    }

    if (request.kind === "get") {
      if (unavailable !== undefined) {
        this.#answer(replyTo, unavailable);
        return;
      }
      const targets = placement.targets.map((target) => target.node);
      this.#coordinate(op, new ReadCoordination(replyTo, request, targets, primaries, deadlineMs));
      for (const node of targets) {
        this.#outbox.send(node, { kind: "read", op, bucket: request.bucket, key: request.key });
      }
      return;
    }

    if (mode === "causal") {
      if (!primaries.has(this.id)) {
        // The dot must be issued by a replica of the key: hand the write to the first primary not suspected.
        const target = preference.find((node) => !this.#membership.isSuspected(node, this.#nowMs));
        if (target === undefined) {
          this.#answer(replyTo, failure("UNAVAILABLE", true, "every primary is suspected; nothing was sent"));
          return;
        }
        if (replyTo.kind === "peer") {
          this.#answer(replyTo, failure("INVALID_REQUEST", true, "forwarded to a node that is not a primary"));
          return;
        }
        this.#coordinate(op, { kind: "forward", replyTo, target, deadlineMs });
        this.#outbox.send(target, { kind: "forward", op, request: raw });
        return;
      }
      if (unavailable !== undefined) {
        this.#answer(replyTo, unavailable);
        return;
      }
      const clock = context.value?.kind === "causal" ? context.value.clock : VectorClock.empty;
      this.#coordinateCausalWrite(op, replyTo, request, clock, placement, primaries, deadlineMs);
      return;
    }

    assert(isLww(mode), "a bucket is causal or last-write-wins");
    if (unavailable !== undefined) {
      this.#answer(replyTo, unavailable);
      return;
    }
    const seen = context.value?.kind === "lww" ? context.value.time : undefined;
    const stamped = stampTime(this.#clocks, mode, seen);
    if (!stamped.ok) {
      this.#answer(replyTo, stamped.error);
      return;
    }
    const time = stamped.value;
    if (mode === "lww-lamport") {
      this.#outbox.write({ kind: "put", key: lamportKey, value: encodeCount(time) });
    }
    const record: LwwRecord = {
      kind: "lww",
      stamp: { fence: request.fence, time, node: this.id },
      value: request.value,
    };
    const reply: WriteReply = { ok: true, kind: request.kind as "put", context: contextOf(record, false), siblings: 1 };
    const commitWait = mode === "lww-truetime" ? time : undefined;
    const targets = placement.targets.map((target) => target.node);
    this.#coordinate(op, new WriteCoordination(replyTo, request, targets, primaries, deadlineMs, commitWait, reply));
    const bytes = encodeRecord(record);
    // A Lamport stamp is safe to send only once its counter is durable; the others need nothing of this batch.
    const early = mode !== "lww-lamport";
    for (const target of placement.targets) this.#sendWrite(target, op, request, bytes, early);
  }

  /**
   * A write to a replica, or to a fallback with a hint naming the suspected
   * primary it stands in for; `early`: without waiting for this node's
   * batches (see "Early fan-out").
   */
  #sendWrite(target: Target, op: OperationId, request: NormalRequest, record: Uint8Array, early: boolean): void {
    const { bucket, key, fence } = request;
    const write = { kind: "write", op, bucket, key, fence, record } as const;
    this.#outbox.send(target.node, target.hint === undefined ? write : { ...write, hint: target.hint }, early);
  }

  /**
   * A causal write at a primary: the new value is dotted here, against this
   * replica's copy and the client's context (DVVSet `update`), stored, and
   * the resulting set sent to the other replicas, which `sync` it into
   * theirs. The local copy counts as one acknowledgement once durable.
   */
  #coordinateCausalWrite(
    op: OperationId,
    replyTo: ReplyTo,
    request: NormalRequest,
    context: VectorClock,
    placement: Placement,
    primaries: ReadonlySet<string>,
    deadlineMs: number,
  ): void {
    const keyId = keyIdOf(request.bucket, request.key);
    // Over a removed tombstone's ghost, so that the dots continue past those the tombstone covers (tombstones.ts).
    const current = this.#replica.get(keyId) ?? this.#tombstones.ghost(keyId);
    assert(current?.kind !== "lww", "a causal bucket holds causal records");
    const fence = current?.fence ?? 0;
    if (request.fence < fence) {
      this.#answer(replyTo, failure("FENCED", true, `token ${request.fence} is below ${fence}`));
      return;
    }
    // A higher token supersedes the siblings written under lower ones (record.ts), as a stamp's fence does in LWW.
    let record: CausalRecord;
    try {
      // Stamped with this coordinator's HLC: the sibling's write time, for the causal history (causal-history.ts).
      record = causalWrite(current, request.value, context, request.fence, this.dotId, this.#clocks.hlc.now());
    } catch (error) {
      if (!(error instanceof VectorError)) throw error;
      this.#answer(replyTo, failure("INVALID_REQUEST", true, error.message));
      return;
    }
    const { set } = record;
    if (set.size > siblingsMax) {
      this.#answer(
        replyTo,
        failure("SIBLINGS_EXCEEDED", true, `${set.size} siblings; read, resolve and write back with the context`),
      );
      return;
    }
    this.#causalHistory.accept(keyId, current, undefined, record, this.#served);
    const bytes = encodeRecord(record);
    const previous = this.#replica.set(keyId, record, bytes);
    this.#outbox.write({ kind: "put", key: recordPrefix + keyId, value: bytes });
    this.#recordChanged(keyId, record, bytes, previous);
    const base = {
      ok: true,
      kind: request.kind as "put",
      context: contextOf(record, true),
      siblings: set.size,
    } as const;
    const reply: WriteReply = set.size > siblingsWarn ? { ...base, warning: "SIBLINGS_WARN" } : base;
    const targets = placement.targets.map((target) => target.node);
    this.#coordinate(op, new WriteCoordination(replyTo, request, targets, primaries, deadlineMs, undefined, reply));
    for (const target of placement.targets) {
      if (target.node === this.id) this.#outbox.send(target.node, { kind: "write-ack", op, refused: null });
      else this.#sendWrite(target, op, request, bytes, true);
    }
  }

  #settleWrite(op: OperationId, coordination: WriteCoordination): void {
    if (coordination.ready === undefined) {
      if (coordination.quorumMet) coordination.ready = coordination.reply;
      // Refused: wait for every answer (or the deadline, #expire), the only way to know whether anything was stored.
      else if (coordination.unreachable && coordination.allAnswered) {
        this.#refuseWrite(op, coordination, coordination.nothingWritten);
        return;
      } else return;
    }
    if (this.#commitWaitLeftMs(coordination) > 0) {
      this.#commitWaiting.set(op, this.#commitWaiting.get(op) ?? ++this.#coordinationSeq);
      return;
    }
    this.#coordinations.delete(op);
    this.#answer(coordination.replyTo, coordination.ready, true);
  }

  /** The write's quorum is out of reach: `FENCED` if a newer token was among the refusals, else `UNAVAILABLE`. */
  #refuseWrite(op: OperationId, coordination: WriteCoordination, definite: boolean): void {
    this.#coordinations.delete(op);
    const counts = { got: coordination.acked, need: coordination.request.quorum };
    if (coordination.anyFenced) {
      this.#answer(coordination.replyTo, failure("FENCED", definite, "a newer fencing token was seen", counts));
      return;
    }
    this.#answer(coordination.replyTo, failure("UNAVAILABLE", definite, "too many replicas refused the write", counts));
  }

  /** Time left before a TrueTime stamp has certainly passed (0 when it has, or when there is none). */
  #commitWaitLeftMs(coordination: WriteCoordination): number {
    const time = coordination.commitWaitTime;
    if (time === undefined || this.#clocks.truetime.after(time)) return 0;
    const now = this.#clocks.truetime.tryNow();
    // The earliest bound rises at (1 - drift) of local time; a small margin lands the wake just past the stamp.
    return now.ok ? Math.max(time - now.value.earliest, 0) * 1.001 + 0.001 : Number.POSITIVE_INFINITY;
  }

  #settleRead(op: OperationId, coordination: ReadCoordination): void {
    if (!coordination.replied && coordination.allReplied && !coordination.quorumMet) {
      // Possible only with recovering primaries among the replies (coordinator/read.ts).
      coordination.replied = true;
      const { primaryQuorum } = coordination.request;
      const detail = `PR ${primaryQuorum}: too few primaries not recovering replied; a read writes nothing`;
      this.#answer(
        coordination.replyTo,
        failure("UNAVAILABLE", true, detail, { got: coordination.primariesCounted, need: primaryQuorum }),
      );
    }
    if (!coordination.replied && coordination.quorumMet) {
      coordination.replied = true;
      const merged = coordination.merged;
      this.#answer(coordination.replyTo, {
        ok: true,
        kind: "get",
        values: merged === undefined ? [] : liveValues(merged),
        context: contextOf(merged, this.#buckets.get(coordination.request.bucket) === "causal"),
      });
    }
    if (coordination.allReplied) this.#finishRead(op, coordination);
  }

  /** A read at a timestamp (read-at.ts): the preference list's histories, no fallbacks, no read repair. */
  #startReadAt(
    op: OperationId,
    replyTo: ReplyTo,
    request: NormalRequest,
    at: number,
    preference: readonly string[],
    deadlineMs: number,
  ): void {
    if (!this.#history.has(request.bucket) && !this.#causalHistory.has(request.bucket)) {
      this.#answer(replyTo, failure("INVALID_REQUEST", true, "this bucket keeps no history"));
      return;
    }
    const coordination = this.#causalHistory.has(request.bucket)
      ? new CausalReadAtCoordination(replyTo, request, at, preference, deadlineMs)
      : new ReadAtCoordination(replyTo, request, at, preference, deadlineMs);
    const up = preference.filter((node) => !this.#membership.isSuspected(node, this.#nowMs)).length;
    if (up < coordination.need) {
      const counts = { got: up, need: coordination.need };
      this.#answer(replyTo, failure("UNAVAILABLE", true, `${up} primaries unsuspected; nothing was sent`, counts));
      return;
    }
    this.#coordinate(op, coordination);
    for (const node of preference) {
      this.#outbox.send(node, { kind: "read-at", op, bucket: request.bucket, key: request.key, at });
    }
  }

  #settleReadAt(op: OperationId, coordination: ReadAtCoordination | CausalReadAtCoordination): void {
    const outcome = coordination.outcome();
    if (outcome === undefined) return;
    this.#coordinations.delete(op);
    this.#answer(coordination.replyTo, outcome);
  }

  /** What this replica's history keeps of a key, for `history-read`; undefined for an unknown bucket. */
  #historyEntries(
    keyId: string,
    bucket: string,
  ): { readonly horizon: number | null; readonly versions: HistoryEntry[] } | undefined {
    const finite = (horizon: number): number | null => (horizon === Number.NEGATIVE_INFINITY ? null : horizon);
    if (this.#causalHistory.has(bucket)) {
      const versions = this.#causalHistory.history(keyId).map((s) => ({
        at: s.at,
        node: s.replica,
        bytes: s.bytes,
        tombstone: s.tombstone,
        counter: s.counter,
        supersededAt: s.supersededAt ?? null,
      }));
      return { horizon: finite(this.#causalHistory.horizon(keyId)), versions };
    }
    if (!this.#history.has(bucket)) return undefined;
    const versions = this.#history.history(keyId).map((v) => ({ ...v, counter: null, supersededAt: null }));
    return { horizon: finite(this.#history.horizon(keyId)), versions };
  }

  /** The history's "now" in each LWW mode's units, for its age collection (undefined: no reading). */
  #historyNow(mode: ConflictMode): number | undefined {
    switch (mode) {
      case "lww-hlc":
        return this.#clocks.hlc.last; // never behind anything this node stamped or heard, and reading it moves nothing
      case "lww-wall":
        return this.#clocks.wall.now();
      case "lww-truetime": {
        const now = this.#clocks.truetime.tryNow();
        return now.ok ? now.value.earliest : undefined;
      }
      default:
        return undefined;
    }
  }

  #finishRead(op: OperationId, coordination: ReadCoordination): void {
    this.#coordinations.delete(op);
    const merged = coordination.merged;
    const stale = coordination.stale();
    if (merged === undefined || stale.length === 0) return;
    const bytes = encodeRecord(merged);
    const { bucket, key } = coordination.request;
    for (const node of stale) {
      this.stats.readRepairsSent++;
      this.#outbox.send(node, { kind: "repair", bucket, key, record: bytes });
    }
  }

  #expire(op: OperationId, coordination: Coordination): void {
    if (coordination.kind === "read-at" || coordination.kind === "causal-read-at") {
      this.#coordinations.delete(op);
      const counts = { got: coordination.correct, need: coordination.need };
      this.#answer(coordination.replyTo, failure("TIMEOUT", true, "a read writes nothing", counts));
      return;
    }
    if (coordination.kind === "read") {
      if (!coordination.replied) {
        coordination.replied = true;
        const { quorum } = coordination.request;
        this.#answer(
          coordination.replyTo,
          failure("TIMEOUT", true, "a read writes nothing", { got: coordination.replies, need: quorum }),
        );
      }
      this.#finishRead(op, coordination);
      return;
    }
    if (coordination.kind === "write" && coordination.ready === undefined && coordination.unreachable) {
      // Refused, and some target never answered: it may have stored the write.
      this.#refuseWrite(op, coordination, false);
      return;
    }
    this.#coordinations.delete(op);
    if (coordination.kind === "forward") {
      this.#answer(coordination.replyTo, failure("TIMEOUT", false, `forwarded to ${coordination.target}`));
      return;
    }
    this.#answer(
      coordination.replyTo,
      failure("TIMEOUT", false, "the write may have been applied at some replicas", {
        got: coordination.acked,
        need: coordination.request.quorum,
      }),
    );
  }

  /** `early`: a write's answer once its quorum is met, or one passed on from a primary ("Early acknowledgement"). */
  #answer(replyTo: ReplyTo, reply: ClientReply, early = false): void {
    if (replyTo.kind === "client") this.#outbox.reply(replyTo.requestId, reply, early);
    else this.#outbox.send(replyTo.node, { kind: "forward-reply", op: replyTo.op, reply }, early);
  }

  // ---- replicating --------------------------------------------------------------------------------------------

  #dispatch(from: string, message: PeerMessage | PeerPayload): void {
    switch (message.kind) {
      case "write": {
        const record = this.#incoming(message.bucket, message.record);
        if (record === "corrupt") {
          this.#outbox.send(from, { kind: "write-ack", op: message.op, refused: "RECORD_CORRUPT" });
          return;
        }
        if (record === undefined) return;
        const keyId = keyIdOf(message.bucket, message.key);
        if (message.hint !== undefined && message.hint !== this.id) {
          this.#acceptHint(from, message, record);
          return;
        }
        const outcome = this.#merge(keyId, record, message.fence, message.record);
        if (outcome.refused === "FENCED") {
          this.stats.writesFenced++;
          this.#outbox.send(from, { kind: "write-ack", op: message.op, refused: "FENCED" });
          return;
        }
        if (outcome.changed) this.#persist(keyId, outcome);
        this.#outbox.send(from, { kind: "write-ack", op: message.op, refused: null });
        return;
      }
      case "repair": {
        const record = this.#incoming(message.bucket, message.record);
        if (record === "corrupt" || record === undefined) return;
        const keyId = keyIdOf(message.bucket, message.key);
        const outcome = this.#merge(keyId, record, undefined, message.record);
        if (outcome.refused === null && outcome.changed) this.#persist(keyId, outcome);
        else this.#tombstones.repairAbsorbed(from, keyId, message.record); // the sender may have missed a removal
        if (message.pulled === true) this.#antiEntropy.pulledArrived(from, keyId); // a recovery's (recovery.ts)
        return;
      }
      case "read": {
        const keyId = keyIdOf(message.bucket, message.key);
        // A fallback answers with the hints it holds for the key too, so that a sloppy write is readable.
        let record = this.#replica.get(keyId);
        for (const hinted of this.#hints.recordsFor(keyId)) {
          record = record === undefined ? hinted : mergeRecords(record, hinted);
        }
        const bytes = record === undefined ? null : encodeRecord(record);
        const recovering = this.#recoveringKey(message.bucket, message.key);
        this.#outbox.send(
          from,
          recovering
            ? { kind: "read-reply", op: message.op, record: bytes, recovering }
            : { kind: "read-reply", op: message.op, record: bytes },
        );
        return;
      }
      case "read-at": {
        const mode = this.#buckets.get(message.bucket);
        if (this.#recoveringKey(message.bucket, message.key)) {
          // It may have lost versions and supersessions it acknowledged: no answer from it (read-at-quorum.ts).
          const reply = { op: message.op, horizon: null, recovering: true } as const;
          if (mode === "causal") this.#outbox.send(from, { kind: "read-siblings-at-reply", siblings: null, ...reply });
          else this.#outbox.send(from, { kind: "read-at-reply", version: null, ...reply });
          return;
        }
        if (mode !== undefined) this.#served.served(mode, message.at); // before answering: served-reads.ts
        const siblings = this.#causalHistory.siblingsAt(keyIdOf(message.bucket, message.key), message.at);
        if (siblings !== undefined) {
          this.#outbox.send(from, {
            kind: "read-siblings-at-reply",
            op: message.op,
            siblings: siblings.ok ? siblings.value : null,
            horizon: siblings.ok ? null : siblings.error.horizon,
          });
          return;
        }
        const found = this.#history.versionAt(keyIdOf(message.bucket, message.key), message.at);
        if (found === undefined) {
          this.stats.messagesMalformed++; // a bucket without a history: no coordinator of ours asks that
          return;
        }
        const version = found.ok && found.value !== undefined ? found.value : null;
        const horizon = found.ok ? null : found.error.horizon;
        this.#outbox.send(from, { kind: "read-at-reply", op: message.op, version, horizon });
        return;
      }
      case "history-read": {
        const versions = this.#historyEntries(keyIdOf(message.bucket, message.key), message.bucket);
        if (versions === undefined) {
          this.stats.messagesMalformed++; // an unknown bucket: no coordinator of ours asks that
          return;
        }
        this.#outbox.send(from, { kind: "history-reply", op: message.op, ...versions });
        return;
      }
      case "history-reply":
        this.#historyRequests.answer(message.op, from, message.horizon, message.versions);
        return;
      case "read-siblings-at-reply": {
        const coordination = this.#coordinations.get(message.op);
        if (coordination?.kind !== "causal-read-at") {
          // A snapshot's key, or stale.
          this.#snapshots.answerSiblings(
            message.op,
            from,
            message.siblings,
            message.horizon,
            message.recovering === true,
          );
          return;
        }
        coordination.answer(from, message.siblings, message.horizon, message.recovering === true);
        this.#settleReadAt(message.op, coordination);
        return;
      }
      case "read-at-reply": {
        const coordination = this.#coordinations.get(message.op);
        if (coordination?.kind !== "read-at") {
          // A snapshot's key, or stale.
          this.#snapshots.answerVersion(
            message.op,
            from,
            message.version,
            message.horizon,
            message.recovering === true,
          );
          return;
        }
        coordination.answer(from, message.version, message.horizon, message.recovering === true);
        this.#settleReadAt(message.op, coordination);
        return;
      }
      case "read-reply": {
        const coordination = this.#coordinations.get(message.op);
        if (coordination?.kind !== "read") return;
        const record =
          message.record === null ? undefined : this.#incoming(coordination.request.bucket, message.record);
        coordination.reply(from, record === "corrupt" ? undefined : record, message.recovering === true);
        this.#settleRead(message.op, coordination);
        return;
      }
      case "write-ack": {
        const coordination = this.#coordinations.get(message.op);
        if (coordination?.kind !== "write") return;
        if (message.refused === null) coordination.ack(from);
        else if (message.refused === "FENCED") coordination.fence(from);
        else coordination.refuse(from);
        this.#settleWrite(message.op, coordination);
        return;
      }
      case "heartbeat":
        return; // its work (liveness, clock offset) was done as it arrived
      case "handoff":
        this.#receiveHandoff(from, message);
        return;
      case "handoff-ack": {
        const op = this.#hints.acknowledged(message.op, from, message.refused === "RECORD_CORRUPT");
        if (op !== undefined) {
          this.stats.hintsDelivered++;
          this.#outbox.write(op);
        }
        return;
      }
      case "ae-hashes":
        this.#antiEntropy.onHashes(from, message);
        return;
      case "ae-hashes-reply":
        this.#antiEntropy.onHashesReply(from, message, this.#nowMs);
        return;
      case "ae-entries":
        this.#antiEntropy.onEntries(from, message);
        return;
      case "ae-entries-reply":
        this.#antiEntropy.onEntriesReply(from, message);
        return;
      case "ae-pull":
        this.#antiEntropy.onPull(from, message);
        return;
      case "tombstone-query":
        this.#tombstones.onQuery(from, message);
        return;
      case "tombstone-status":
        this.#tombstones.onStatus(from, message);
        return;
      case "tombstone-remove":
        this.#tombstones.onRemove(message, this.#nowMs);
        return;
      case "forward":
        this.#start({ kind: "peer", node: from, op: message.op }, message.request);
        return;
      case "forward-reply": {
        const coordination = this.#coordinations.get(message.op);
        if (coordination?.kind !== "forward" || coordination.target !== from) return;
        if (!isClientReply(message.reply)) {
          this.stats.messagesMalformed++;
          return;
        }
        this.#coordinations.delete(message.op);
        this.#answer(coordination.replyTo, message.reply, true);
        return;
      }
    }
  }

  // ---- hinted handoff (Dynamo 4.6; hints.ts) ------------------------------------------------------------------

  /** A sloppy write reached this node as a fallback: keep it as a hint for `message.hint`, durably, then ack. */
  #acceptHint(from: string, message: Omit<WriteMessage, "ts">, record: KvRecord): void {
    const primary = message.hint as string;
    if (!this.ring.nodes.includes(primary)) {
      this.stats.messagesMalformed++;
      return;
    }
    const outcome = this.#hints.accept(primary, keyIdOf(message.bucket, message.key), record, message.fence);
    if (outcome.refused !== null) {
      if (outcome.refused === "FENCED") this.stats.writesFenced++;
      else this.stats.hintsRefusedFull++;
      this.#outbox.send(from, { kind: "write-ack", op: message.op, refused: outcome.refused });
      return;
    }
    if (outcome.op !== undefined) {
      this.stats.hintsStored++;
      this.#outbox.write(outcome.op);
    }
    this.#outbox.send(from, { kind: "write-ack", op: message.op, refused: null });
  }

  /** Hands off hints to their primaries once they are no longer suspected (tick-driven, paced by hints.ts). */
  #handOffHints(nowMs: number): void {
    if (this.#hints.size === 0) return;
    const deliveries = this.#hints.takeDeliveries(
      nowMs,
      (peer) => this.#membership.isSuspected(peer, nowMs),
      () => this.#nextOperation(),
    );
    for (const { op, primary, keyId, record } of deliveries) {
      this.stats.handoffsSent++;
      const { bucket, key } = splitKeyId(keyId);
      const fence = fenceOf(record);
      this.#outbox.send(primary, { kind: "handoff", op, bucket, key, fence, record: encodeRecord(record) });
    }
  }

  /** A fallback hands this primary a hint: merge it as a write (fencing checked), ack once durable. */
  #receiveHandoff(from: string, message: Omit<HandoffMessage, "ts">): void {
    const record = this.#incoming(message.bucket, message.record);
    if (record === "corrupt") {
      this.#outbox.send(from, { kind: "handoff-ack", op: message.op, refused: "RECORD_CORRUPT" });
      return;
    }
    if (record === undefined) return;
    const keyId = keyIdOf(message.bucket, message.key);
    const outcome = this.#merge(keyId, record, message.fence, message.record);
    if (outcome.refused === "FENCED") {
      this.stats.writesFenced++;
      this.#outbox.send(from, { kind: "handoff-ack", op: message.op, refused: "FENCED" });
      return;
    }
    if (outcome.changed) this.#persist(keyId, outcome);
    this.#outbox.send(from, { kind: "handoff-ack", op: message.op, refused: null });
  }

  /**
   * A record that came in a message, checked before anything trusts it:
   * `"corrupt"` when its checksum fails, undefined when it does not belong to
   * the bucket's family of modes (both counted), else the record, whose
   * stamp the node's clocks have then seen.
   */
  #incoming(bucket: string, bytes: Uint8Array): KvRecord | "corrupt" | undefined {
    const decoded = decodeRecord(bytes);
    if (!decoded.ok) {
      this.stats.recordsCorruptReceived++;
      return "corrupt";
    }
    const mode = this.#buckets.get(bucket);
    if (mode === undefined || !fitsMode(decoded.value, mode)) {
      this.stats.messagesMalformed++;
      return undefined;
    }
    this.#observe(decoded.value, mode);
    return decoded.value;
  }

  /** Clocks move past what they see: a Lamport stamp in a record moves the Lamport clock. */
  #observe(record: KvRecord, mode: ConflictMode): void {
    if (mode === "lww-lamport" && record.kind === "lww") observeLamport(this.#clocks.lamport, record.stamp.time);
  }

  /** Stores the replica's new record, in the bytes the replica gave it (the received ones, when it kept those). */
  #persist(keyId: string, outcome: Applied & { readonly changed: true }): void {
    this.#outbox.write({ kind: "put", key: recordPrefix + keyId, value: outcome.bytes });
    this.#recordChanged(keyId, outcome.record, outcome.bytes, outcome.beforeDigest);
  }

  /**
   * A write (with its token) or a merge (`fence` undefined) into the replica,
   * through the ghost of a removed tombstone first: a late version the ghost
   * absorbs changes nothing (tombstones.ts), as it would have merged into the
   * tombstone itself.
   */
  #merge(keyId: string, incoming: KvRecord, fence: number | undefined, incomingBytes: Uint8Array): ApplyOutcome {
    const admitted = this.#tombstones.admit(keyId, incoming);
    if (admitted === undefined) {
      const ghost = this.#tombstones.ghost(keyId) as KvRecord;
      if (fence !== undefined && fence < fenceOf(ghost)) return { refused: "FENCED", fence: fenceOf(ghost) };
      return { refused: null, changed: false, record: ghost, before: this.#replica.get(keyId) };
    }
    // The received bytes encode the record only if the ghost (if any) left it as it came.
    const bytes = admitted === incoming ? incomingBytes : undefined;
    const outcome =
      fence === undefined
        ? this.#replica.merge(keyId, admitted, bytes)
        : this.#replica.write(keyId, admitted, fence, bytes);
    // The history keeps every accepted version, winner or not: a loser is still the answer before its winner.
    if (outcome.refused === null) {
      this.#history.accept(keyId, incoming, incomingBytes, outcome.before, outcome.changed, this.#served);
    }
    if (outcome.refused === null && outcome.changed) {
      this.#causalHistory.accept(keyId, outcome.before, admitted, outcome.record, this.#served);
    }
    return outcome;
  }

  /**
   * Keeps the Merkle trees and the tombstone tracker in step with the
   * replica: its record of `keyId` is now `record`, encoded in `bytes`
   * (undefined: none), and the digest of the one it replaced was `previous`
   * (`restoring`: no time yet).
   */
  #recordChanged(
    keyId: string,
    record: KvRecord | undefined,
    bytes: Uint8Array | undefined,
    previous: number | undefined,
    restoring = false,
  ): void {
    this.#antiEntropy.recordChanged(keyId, previous, bytes === undefined ? undefined : recordDigest(bytes));
    this.#tombstones.recordChanged(keyId, record, bytes, restoring ? undefined : this.#nowMs);
  }

  // ---- plumbing -----------------------------------------------------------------------------------------------

  #open(input: string): void {
    if (this.#closed) throw new TypeError(`KvNode.${input}: the node is closed`);
  }

  #advance(nowMs: number): void {
    if (typeof nowMs !== "number" || !Number.isFinite(nowMs)) throw new TypeError("KvNode: nowMs must be a number");
    // A monotonic clock never goes back; a driver that feeds an older reading is told, not trusted.
    if (nowMs < this.#nowMs) throw new RangeError(`KvNode: nowMs went back from ${this.#nowMs} to ${nowMs}`);
    this.#nowMs = nowMs;
  }

  /** Closes the current input's batch, then hands out what durability allows, handling messages to itself. */
  #seal(): void {
    this.#outbox.seal();
    // A closed node takes no input, its own messages included: nothing may follow the batch that marks the close.
    if (this.#closed) this.#outbox.takeLocal();
    for (let local = this.#outbox.takeLocal(); local.length > 0; local = this.#outbox.takeLocal()) {
      for (const message of local) this.#dispatch(this.id, message);
      this.#outbox.seal();
    }
  }

  #nextOperation(): OperationId {
    this.#operations++;
    return `${this.#incarnation}.${this.#operations}`;
  }

  #restore(
    stored: Iterable<readonly [string, Uint8Array]>,
    durability: "sync" | "relaxed",
  ): { incarnation: number; dvvEpoch: number } {
    let incarnation = 0;
    let dvvEpoch = 0;
    let closed: number | undefined;
    let corrupt = false;
    const lost = new Set<number>(); // the partitions of the records found corrupt, whatever their bucket
    let lostUnplaced = false; // a corrupt record whose storage key names no bucket and key
    let marked = false; // a recovery that had not ended (recovery.ts)
    for (const [key, value] of stored) {
      if (key === incarnationKey) incarnation = decodeCount(value) ?? 0;
      else if (key === dvvEpochKey) dvvEpoch = decodeCount(value) ?? 0;
      else if (key === closedKey) closed = decodeCount(value);
      else if (key === recoveringKey) marked = true;
      else if (key === lamportKey) {
        const counter = decodeCount(value);
        if (counter !== undefined) observeLamport(this.#clocks.lamport, counter);
      } else if (key.startsWith(hintPrefix)) {
        const fits = (keyId: string, record: KvRecord): boolean => {
          const mode = this.#buckets.get(splitKeyId(keyId).bucket);
          return mode !== undefined && fitsMode(record, mode);
        };
        if (!this.#hints.restore(key, value, fits)) {
          this.stats.hintsCorruptRestored++;
          this.#outbox.write({ kind: "delete", key });
        }
      } else if (key.startsWith(historyPrefix)) {
        this.#history.restore(key, value);
      } else if (key.startsWith(causalHistoryPrefix)) {
        this.#causalHistory.restore(key, value);
      } else if (key.startsWith(ghostPrefix)) {
        this.#tombstones.restoreGhost(key, value);
      } else if (key.startsWith(recordPrefix)) {
        const keyId = key.slice(recordPrefix.length);
        const { bucket, key: keyName } = splitKeyId(keyId);
        const mode = this.#buckets.get(bucket);
        const decoded = decodeRecord(value);
        if (decoded.ok && mode !== undefined && fitsMode(decoded.value, mode)) {
          const previous = this.#replica.set(keyId, decoded.value, value);
          this.#recordChanged(keyId, decoded.value, value, previous, true);
          this.#observe(decoded.value, mode);
        } else {
          // Treated as missing, never served; read repair brings it back. Its dots may live on elsewhere.
          this.stats.recordsCorruptRestored++;
          this.#outbox.write({ kind: "delete", key });
          if (keyId.includes("\u0000")) lost.add(this.ring.partitionOf(hashKey(bucket, keyName)));
          else lostUnplaced = true;
          if (mode === "causal" || mode === undefined) corrupt = true;
        }
      }
    }
    // A causal history stores no entry for a live sibling born at its stamp: its record gives it back, once every
    // entry has (causal-history.ts).
    this.#causalHistory.restoreRecords();
    // The node's last run may have sent dots it did not live to store (early fan-out), unless it closed cleanly;
    // a relaxed store may have come back without its last writes, records holding this node's dots among them.
    const unclean = incarnation > 0 && closed !== incarnation;
    // This node may have forgotten writes it acknowledged: its reads do not count as a primary's until it has
    // taken its partitions back from their other primaries (recovery.ts). A corrupt record costs only its own
    // partition; a relaxed store that may have lost its last batches, or a recovery that had not ended, all.
    if (marked || lostUnplaced || (unclean && durability === "relaxed")) this.#antiEntropy.startRecovery();
    else if (lost.size > 0) this.#antiEntropy.startRecovery(lost);
    if (this.#antiEntropy.partitionsRecovering > 0) {
      if (!marked) this.#outbox.write({ kind: "put", key: recoveringKey, value: encodeCount(incarnation + 1) });
    } else if (marked) this.#outbox.write({ kind: "delete", key: recoveringKey });
    if (corrupt || unclean || durability === "relaxed") {
      dvvEpoch++;
      this.#outbox.write({ kind: "put", key: dvvEpochKey, value: encodeCount(dvvEpoch) });
    }
    // The mark speaks of the run that wrote it: this one must close again to leave its own.
    if (closed !== undefined) this.#outbox.write({ kind: "delete", key: closedKey });
    return { incarnation, dvvEpoch };
  }
}

/**
 * The definite refusal of a request whose quorum the nodes believed alive
 * cannot meet (coordinator/targets.ts), or undefined when it can be tried.
 */
function quorumUnavailable(placement: Placement, request: NormalRequest): Failure | undefined {
  const read = request.kind === "get";
  const strict = { got: placement.primariesUp, need: request.primaryQuorum };
  if (strict.got < strict.need) {
    const detail = `${read ? "PR" : "PW"} ${strict.need}: ${strict.got} primaries unsuspected; nothing was sent`;
    return failure("UNAVAILABLE", true, detail, strict);
  }
  const loose = { got: placement.targetsUp, need: request.quorum };
  if (loose.got < loose.need) {
    const detail = `${read ? "R" : "W"} ${loose.need}: ${loose.got} replicas unsuspected; nothing was sent`;
    return failure("UNAVAILABLE", true, detail, loose);
  }
  return undefined;
}

function fitsMode(record: KvRecord, mode: ConflictMode): boolean {
  return (record.kind === "causal") === (mode === "causal");
}

function checkRequestId(requestId: unknown): void {
  const ok =
    (typeof requestId === "string" && requestId.length <= requestIdCharsMax) ||
    (typeof requestId === "number" && Number.isSafeInteger(requestId));
  if (!ok) throw new TypeError("KvNode.handleClientRequest: requestId must be a string or a safe integer");
}

/** The shape of a reply a primary sent back for a forwarded request (it came off the network). */
function isClientReply(value: unknown): value is ClientReply {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Record<string, unknown>;
  if (r.ok === false) return typeof r.code === "string" && typeof r.definite === "boolean";
  return (
    r.ok === true &&
    (r.kind === "put" || r.kind === "delete") &&
    typeof r.context === "string" &&
    typeof r.siblings === "number"
  );
}

/** The earlier of two wake times, either of which may be absent. */
function earlier(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || (b !== undefined && b < a) ? b : a;
}
