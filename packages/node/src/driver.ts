/**
 * The driver of one `KvNode` on a real machine: the smallest thing that
 * turns the core's decisions into I/O, and nothing more. It mirrors the
 * simulator's host (packages/jepsen/src/sim/cluster.ts) with real parts:
 *
 * - inputs: a client request (`request`, a promise of the reply), a batch
 *   of peer messages (`deliver`), the core's timer (`nextWakeMs`, one
 *   `setTimeout` at a time), TrueTime syncs;
 * - after every input, `pump`: write batches go to the store (group commit:
 *   the store coalesces every batch handed to it while a write is in flight
 *   into one synced level batch), and `handleDurable` is called as each
 *   completes, in order, which releases the replies and messages the core
 *   held behind them; messages go to the transport (which batches them per
 *   peer); replies resolve their promises.
 *
 * The HLC's upper bound. The clock persists a new bound (through the
 * store's `enqueueMeta`) before it issues a timestamp past the old one, and
 * the core sends a fresh write's stamp without waiting for its own batches
 * (kv-node.ts, "Early fan-out"). So while the store has a bound that is not
 * durable yet (`metaPending`), peer messages wait for it (`flush`): no other
 * node ever holds a timestamp past this node's durable bound, and a
 * restarted node never issues one at or below it. That happens about once
 * per bound window (the HLC's, 250 ms by default), for one level write.
 *
 * A failed durable write stops the node (`failed`): the core has told
 * nobody about the batch, but it holds it in memory as done, so continuing
 * would serve data that may not be on disk. The process should exit and be
 * restarted on its data directory (the CLI does).
 *
 * Graceful close: stop taking requests, wait for the in-flight ones (each
 * ends by its own deadline at most), close the core (its last batch marks
 * the run as closed cleanly, so the next start keeps the dot epoch), wait
 * for the store, stop the timers.
 */
import type { MonotonicClock, TimerHandle, Timers } from "@skew/env";
import { type ClientReply, KvNode, type KvNodeOptions, type PeerMessage, type WriteBatch } from "@skew/kv";

/** Where the driver sends peer messages (transport.ts). */
export interface PeerSender {
  send(to: string, message: PeerMessage): void;
}

/** What the driver needs of the store (storage/level-store.ts). */
export interface DurableStore {
  submit(batch: WriteBatch): Promise<void>;
  /** Whether a metadata put (the HLC's bound) is not durable yet; peer messages wait while it is. */
  readonly metaPending: boolean;
  /** Resolves once everything handed to the store before it is durable. */
  flush(): Promise<void>;
}

export interface DriverOptions {
  readonly node: KvNodeOptions;
  readonly store: DurableStore;
  readonly peers: PeerSender;
  readonly monotonic: MonotonicClock;
  readonly timers: Timers;
  /** Told once if a durable write fails (the node is then stopped). */
  readonly onFatal?: (error: unknown) => void;
  /** Told once when a recovery the node started with ends (`KvNode.partitionsRecovering` reaches 0), after how long. */
  readonly onRecovered?: (afterMs: number) => void;
}

/** A failure the driver itself answers with (the core never saw the request). */
export type DriverFailure = Extract<ClientReply, { ok: false }>;

export class NodeDriver {
  readonly node: KvNode;
  readonly #store: DurableStore;
  readonly #peers: PeerSender;
  readonly #monotonic: MonotonicClock;
  readonly #timers: Timers;
  readonly #onFatal: ((error: unknown) => void) | undefined;
  readonly #onRecovered: ((afterMs: number) => void) | undefined;
  /** When the node started recovering, while it is. */
  #recoveringSinceMs: number | undefined;
  readonly #pending = new Map<number, (reply: ClientReply) => void>();
  /** Peer messages waiting for the HLC's bound to be durable (see above), in the order the core gave them. */
  #waitingForBound: { readonly to: string; readonly message: PeerMessage }[] = [];
  #requests = 0;
  #timer: TimerHandle | undefined;
  #timerAtMs: number | undefined;
  #closing = false;
  #failed: unknown;
  #durableChain: Promise<void> = Promise.resolve();

  constructor(options: DriverOptions) {
    this.node = new KvNode(options.node);
    this.#store = options.store;
    this.#peers = options.peers;
    this.#monotonic = options.monotonic;
    this.#timers = options.timers;
    this.#onFatal = options.onFatal;
    this.#onRecovered = options.onRecovered;
    if (this.node.partitionsRecovering > 0) this.#recoveringSinceMs = this.#monotonic.now();
    this.#pump();
  }

  /** Requests waiting for their reply. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /** Whether a durable write failed (the node stopped). */
  get failed(): boolean {
    return this.#failed !== undefined;
  }

  /** Hands a client request (validated by the core) to the node; resolves with its reply. */
  request(request: unknown): Promise<ClientReply> {
    if (this.#closing || this.#failed !== undefined) {
      const why = this.#failed === undefined ? "the node is shutting down" : "the node stopped after a storage failure";
      return Promise.resolve({ ok: false, code: "UNAVAILABLE", definite: true, message: `${why}; nothing was done` });
    }
    const requestId = ++this.#requests;
    const reply = new Promise<ClientReply>((resolve) => this.#pending.set(requestId, resolve));
    this.node.handleClientRequest(requestId, request, this.#monotonic.now());
    this.#pump();
    return reply;
  }

  /** Peer messages from `from`, each checked by the core (a malformed one is counted and dropped). */
  deliver(from: string, messages: readonly unknown[]): void {
    if (this.#failed !== undefined || this.node.closed) return;
    const now = this.#monotonic.now();
    for (const message of messages) this.node.handlePeerMessage(from, message, now);
    this.#pump();
  }

  /** Ticks the node now (after a TrueTime sync: commit waits may be over). */
  poke(): void {
    if (this.#failed !== undefined || this.node.closed) return;
    this.node.tick(this.#monotonic.now());
    this.#pump();
  }

  /** Stops taking requests and waits for those in flight and every write handed to the store. */
  async close(): Promise<void> {
    this.#closing = true;
    while (this.#pending.size > 0 && this.#failed === undefined) {
      await new Promise<void>((resolve) => this.#timers.schedule(5, resolve));
    }
    if (this.#failed === undefined && !this.node.closed) {
      this.node.close();
      this.#pump();
    }
    await this.#durableChain.catch(() => undefined);
    if (this.#timer !== undefined) this.#timers.cancel(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    this.#timer = undefined;
    this.#timerAtMs = undefined;
    if (this.#failed !== undefined || this.node.closed) return;
    this.node.tick(this.#monotonic.now());
    this.#pump();
  }

  #pump(): void {
    if (this.#failed !== undefined) return;
    for (const batch of this.node.pollWrites()) {
      const written = this.#store.submit(batch);
      // Batches complete in the order they were handed over; handleDurable must see them in that order.
      this.#durableChain = this.#durableChain.then(
        () => written,
        () => written,
      );
      written.then(
        () => {
          if (this.#failed !== undefined) return;
          this.node.handleDurable(batch.batchId, this.#monotonic.now());
          this.#pump();
        },
        (error: unknown) => this.#fail(error),
      );
    }
    // The core handles what it says to itself (the coordinator to its own replica): only other nodes appear here.
    for (const { to, message } of this.node.pollMessages()) this.#sendPeer(to, message);
    for (const { requestId, reply } of this.node.pollReplies()) {
      const resolve = this.#pending.get(requestId as number);
      if (resolve === undefined) continue;
      this.#pending.delete(requestId as number);
      resolve(reply);
    }
    if (this.#recoveringSinceMs !== undefined && this.node.partitionsRecovering === 0) {
      const afterMs = this.#monotonic.now() - this.#recoveringSinceMs;
      this.#recoveringSinceMs = undefined;
      this.#onRecovered?.(afterMs);
    }
    const wake = this.node.nextWakeMs();
    if (wake === this.#timerAtMs) return;
    if (this.#timer !== undefined) this.#timers.cancel(this.#timer);
    this.#timer = undefined;
    this.#timerAtMs = wake;
    if (wake !== undefined) {
      this.#timer = this.#timers.schedule(Math.max(0, wake - this.#monotonic.now()), () => this.#tick());
    }
  }

  #sendPeer(to: string, message: PeerMessage): void {
    if (this.#waitingForBound.length === 0 && !this.#store.metaPending) {
      this.#peers.send(to, message);
      return;
    }
    if (this.#waitingForBound.push({ to, message }) === 1) this.#awaitBound();
  }

  /** Sends the held messages once no bound is pending (a new one may come while the store writes the last). */
  #awaitBound(): void {
    this.#store.flush().then(
      () => {
        if (this.#failed !== undefined) return;
        if (this.#store.metaPending) {
          this.#awaitBound();
          return;
        }
        const held = this.#waitingForBound;
        this.#waitingForBound = [];
        for (const { to, message } of held) this.#peers.send(to, message);
      },
      (error: unknown) => this.#fail(error),
    );
  }

  #fail(error: unknown): void {
    if (this.#failed !== undefined) return;
    this.#failed = error;
    if (this.#timer !== undefined) this.#timers.cancel(this.#timer);
    this.#timer = undefined;
    const reply: DriverFailure = {
      ok: false,
      code: "UNAVAILABLE",
      definite: false,
      message: "the node stopped after a storage failure; the write may or may not be durable",
    };
    for (const resolve of this.#pending.values()) resolve(reply);
    this.#pending.clear();
    this.#onFatal?.(error);
  }
}
