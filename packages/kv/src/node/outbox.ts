/**
 * Durable before visible: what a node has to say waits for the disk.
 *
 * Each input's storage changes become one batch; each output the input
 * produced is held until every batch issued up to and including that one is
 * durable, and then released in the order it was produced. When an input
 * changed nothing on disk, its outputs wait only for earlier batches (an
 * acknowledgement of a write already merged must not overtake that write's
 * sync). This is the group-commit shape of TigerBeetle and of every
 * database's WAL: the driver may sync many batches with one fsync and
 * report them in order.
 *
 * Messages a node addresses to itself (a coordinator that is also a
 * replica) go through the same gate and come back through `takeLocal`, so
 * the local replica's acknowledgement counts only once it is durable.
 *
 * Two kinds of output need less (kv-node.ts, "Early fan-out"): a
 * coordinator's fan-out of a fresh write, and the answer to a write whose
 * quorum of durable copies is met (`send` and `reply` with `early`). What they carry
 * is safe to say before this node's own batches are durable, so they wait
 * only for the batch that started the node and leave ahead of the outputs
 * held for later batches: the coordinator's sync and its replicas' run at
 * the same time, and an acknowledgement does not wait for the syncs of other
 * clients' writes that happened to be issued before its quorum came in.
 */
import { assert, describeValue } from "@skew/env";
import type { Timestamp } from "@skew/hlc";
import { outputsPendingMax } from "../constants.js";
import type { RequestId } from "../coordinator/reply-to.js";
import type { PeerMessage } from "../messages.js";
import type { ClientReply } from "../requests.js";
import type { StorageOp, WriteBatch } from "./storage.js";

/** What a take answers when there is nothing to take. */
const none: readonly never[] = Object.freeze([]);

/** A peer message before it is sent: the HLC timestamp is read when it leaves. */
export type PeerPayload = PeerMessage extends infer M ? (M extends PeerMessage ? Omit<M, "ts"> : never) : never;

type Output =
  | { readonly kind: "message"; readonly to: string; readonly payload: PeerPayload }
  | { readonly kind: "reply"; readonly requestId: RequestId; readonly reply: ClientReply };

export class Outbox {
  readonly #self: string;
  readonly #stamp: () => Timestamp;
  #ops: StorageOp[] = [];
  #staged: Output[] = [];
  readonly #held: { readonly afterBatch: number; readonly output: Output }[] = [];
  #heldHead = 0;
  #issued = 0;
  #durable = 0;
  #writes: WriteBatch[] = [];
  #messages: { to: string; message: PeerMessage }[] = [];
  #replies: { requestId: RequestId; reply: ClientReply }[] = [];
  #local: PeerPayload[] = [];
  /** The batch that started the node (the first synced one); early outputs wait for it alone. */
  #startBatch = 0;
  #heldEarly: Output[] = [];

  constructor(ownId: string, stamp: () => Timestamp) {
    this.#self = ownId;
    this.#stamp = stamp;
  }

  write(op: StorageOp): void {
    this.#ops.push(op);
  }

  /** `early`: waits only for the node's start batch, not for the batches before it (see above). */
  send(to: string, payload: PeerPayload, early = false): void {
    this.#stage({ kind: "message", to, payload }, early);
  }

  /** `early`: as for `send`. */
  reply(requestId: RequestId, reply: ClientReply, early = false): void {
    this.#stage({ kind: "reply", requestId, reply }, early);
  }

  #stage(output: Output, early: boolean): void {
    if (!early) {
      this.#staged.push(output);
      return;
    }
    assert(this.#startBatch > 0, "an early output before the node's start batch");
    this.#heldEarly.push(output);
  }

  /** Ends the current input: its changes become a batch (`sync`: see `WriteBatch.sync`), its outputs queue behind it. */
  seal(sync = false): void {
    if (this.#ops.length > 0) {
      this.#issued++;
      this.#writes.push(
        sync ? { batchId: this.#issued, ops: this.#ops, sync: true } : { batchId: this.#issued, ops: this.#ops },
      );
      this.#ops = [];
      if (sync && this.#startBatch === 0) this.#startBatch = this.#issued;
    }
    for (const output of this.#staged) this.#held.push({ afterBatch: this.#issued, output });
    this.#staged = [];
    assert(
      this.#held.length - this.#heldHead + this.#heldEarly.length <= outputsPendingMax,
      "outputs pile up: is the driver syncing?",
    );
    this.#release();
  }

  durable(batchId: number): void {
    if (batchId !== this.#durable + 1 || batchId > this.#issued) {
      throw new RangeError(
        `handleDurable: expected batch ${this.#durable + 1} (issued ${this.#issued}), got ${describeValue(batchId)}`,
      );
    }
    this.#durable = batchId;
    this.#release();
  }

  /** Batch ids issued and made durable so far. */
  get issued(): number {
    return this.#issued;
  }

  get durableUpTo(): number {
    return this.#durable;
  }

  // The takes hand over the list and start a new one, but only when there is something in it: the driver asks for
  // each after every input, and most of the time it is empty (one shared empty list, read-only, is answered then).

  takeWrites(): readonly WriteBatch[] {
    const out = this.#writes;
    if (out.length === 0) return none;
    this.#writes = [];
    return out;
  }

  takeMessages(): readonly { to: string; message: PeerMessage }[] {
    const out = this.#messages;
    if (out.length === 0) return none;
    this.#messages = [];
    return out;
  }

  takeReplies(): readonly { requestId: RequestId; reply: ClientReply }[] {
    const out = this.#replies;
    if (out.length === 0) return none;
    this.#replies = [];
    return out;
  }

  takeLocal(): readonly PeerPayload[] {
    const out = this.#local;
    if (out.length === 0) return none;
    this.#local = [];
    return out;
  }

  #release(): void {
    if (this.#heldEarly.length > 0 && this.#durable >= this.#startBatch) {
      for (const output of this.#heldEarly) this.#hand(output);
      this.#heldEarly = [];
    }
    const held = this.#held;
    while (this.#heldHead < held.length) {
      const entry = held[this.#heldHead] as (typeof held)[number];
      if (entry.afterBatch > this.#durable) break;
      this.#heldHead++;
      this.#hand(entry.output);
    }
    if (this.#heldHead > 1024 && this.#heldHead * 2 > held.length) {
      held.splice(0, this.#heldHead);
      this.#heldHead = 0;
    }
  }

  #hand(output: Output): void {
    if (output.kind === "reply") this.#replies.push({ requestId: output.requestId, reply: output.reply });
    else if (output.to === this.#self) this.#local.push(output.payload);
    else this.#messages.push({ to: output.to, message: { ...output.payload, ts: this.#stamp() } as PeerMessage });
  }
}
