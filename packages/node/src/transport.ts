/**
 * Replica-to-replica messages: one stream per peer (peer/stream.ts), a long
 * `POST /internal/stream` on an undici keep-alive connection whose body is
 * the frames this node writes for that peer. Messages queued in one turn of
 * the event loop go out in one frame (up to `batchMessagesMax`); frames go
 * out as fast as the socket takes them, and while it does not, messages
 * wait in the queue and the next frame carries more of them.
 *
 * Delivery is best effort, as on the network the core was proved on.
 * Messages in a stream that breaks (the peer went down, refused a frame, or
 * the socket stopped taking frames for `streamStallMs`: a partition, a
 * paused process) are lost and counted; the core's timeouts, read repair,
 * hints and anti-entropy recover, exactly as in the simulator. Cutting a
 * stalled stream rather than waiting on it keeps a partition a loss, as the
 * simulator models it, instead of a delivery minutes late. A new stream is
 * opened when there is something to send, after a delay that doubles while
 * streams keep failing young (`reconnectDelayMsMin` to `...Max`). A peer
 * that refuses with 401/403 is misconfigured (another cluster secret):
 * logged, at most once a minute. The queue per peer is bounded
 * (`queuedMessagesMaxPerPeer`): past it, the oldest messages are dropped.
 */
import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import type { PeerMessage } from "@skew/kv";
import { Client } from "undici";
import type { PeerSender } from "./driver.js";
import {
  type FrameEncoder,
  openStream,
  type PeerAuth,
  peerStreamMethod,
  peerStreamPath,
  streamNonceBytes,
} from "./peer/index.js";

/** Messages in one frame at most (within the envelope's `envelopeMessagesMax`). */
export const batchMessagesMax = 256;
/** Messages queued for one peer at most; the oldest are dropped past it. */
export const queuedMessagesMaxPerPeer = 100_000;
/** Bytes of frames written but not yet taken by the socket, per peer, before messages wait in the queue instead. */
export const streamBufferedBytesMax = 4 * 1024 * 1024;
/** How long frames may wait for a socket that takes none before the stream is cut, ms. */
export const streamStallMs = 5_000;
/** A stream that lived less than this failed young: the next one waits longer, ms. */
export const streamHealthyAfterMs = 1_000;
/** The delay before opening a stream again, doubling while they fail young, ms. */
export const reconnectDelayMsMin = 50;
export const reconnectDelayMsMax = 2_000;
/** How long closing waits for a peer to acknowledge the end of our stream before cutting it, ms. */
export const closeGraceMs = 1_000;
/** How often an authentication refusal is logged at most, per peer, ms. */
const authLogIntervalMs = 60_000;

export interface TransportStats {
  streamsOpened: number;
  streamsFailed: number;
  framesSent: number;
  messagesSent: number;
  messagesDropped: number;
}

export interface TransportLogger {
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

/**
 * The body of one stream: frames handed over by the transport, taken by
 * undici as the socket drains (it asks for the next one only after it wrote
 * the last).
 */
class FrameSource implements AsyncIterable<Uint8Array> {
  #frames: Array<{ frame: Uint8Array; messages: number }> = [];
  #bytes = 0;
  #waiting: ((result: IteratorResult<Uint8Array>) => void) | undefined;
  #ended = false;
  /** When undici last asked for a frame (or the stream opened), ms of the real clock. */
  lastTakenAtMs: number;

  constructor(nowMs: number) {
    this.lastTakenAtMs = nowMs;
  }

  get bufferedBytes(): number {
    return this.#bytes;
  }

  /** Messages in frames nobody took: lost if the stream ends now. */
  get bufferedMessages(): number {
    let count = 0;
    for (const entry of this.#frames) count += entry.messages;
    return count;
  }

  push(frame: Uint8Array, messages: number): void {
    if (this.#ended) return;
    const waiting = this.#waiting;
    if (waiting !== undefined) {
      this.#waiting = undefined;
      waiting({ done: false, value: frame });
      return;
    }
    this.#frames.push({ frame, messages });
    this.#bytes += frame.byteLength;
  }

  end(): void {
    this.#ended = true;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: () => {
        this.lastTakenAtMs = Date.now();
        const entry = this.#frames.shift();
        if (entry !== undefined) {
          this.#bytes -= entry.frame.byteLength;
          return Promise.resolve({ done: false, value: entry.frame });
        }
        if (this.#ended) return Promise.resolve({ done: true, value: undefined });
        return new Promise((resolve) => {
          this.#waiting = resolve;
        });
      },
      return: () => {
        this.end();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }
}

interface OutgoingStream {
  readonly encoder: FrameEncoder;
  readonly source: FrameSource;
  readonly abort: AbortController;
  readonly openedAtMs: number;
}

interface Peer {
  readonly id: string;
  readonly client: Client;
  queue: PeerMessage[];
  scheduled: boolean;
  stream: OutgoingStream | undefined;
  /** The timer of the next opening, while one waits. */
  reopen: ReturnType<typeof setTimeout> | undefined;
  reconnectDelayMs: number;
  authLoggedAtMs: number;
}

export class HttpPeerTransport implements PeerSender {
  readonly stats: TransportStats = {
    streamsOpened: 0,
    streamsFailed: 0,
    framesSent: 0,
    messagesSent: 0,
    messagesDropped: 0,
  };
  readonly #auth: PeerAuth;
  readonly #peers = new Map<string, Peer>();
  readonly #log: TransportLogger;
  readonly #ended = new Set<Promise<void>>();
  #closed = false;

  /** `peers`: each other member's base URL (`http://host:port`). */
  constructor(options: { auth: PeerAuth; peers: ReadonlyMap<string, string>; log: TransportLogger }) {
    this.#auth = options.auth;
    this.#log = options.log;
    for (const [id, url] of options.peers) {
      if (id === options.auth.self) continue;
      // A stream holds its connection for as long as it lives: no timeouts on headers or body (stalls are ours to cut).
      const client = new Client(url, { headersTimeout: 0, bodyTimeout: 0, keepAliveTimeout: 30_000 });
      this.#peers.set(id, {
        id,
        client,
        queue: [],
        scheduled: false,
        stream: undefined,
        reopen: undefined,
        reconnectDelayMs: reconnectDelayMsMin,
        authLoggedAtMs: 0,
      });
    }
  }

  send(to: string, message: PeerMessage): void {
    const peer = this.#peers.get(to);
    if (peer === undefined || this.#closed) {
      this.stats.messagesDropped++;
      return;
    }
    peer.queue.push(message);
    if (peer.queue.length > queuedMessagesMaxPerPeer) {
      const over = peer.queue.length - queuedMessagesMaxPerPeer;
      peer.queue.splice(0, over);
      this.stats.messagesDropped += over;
    }
    this.#schedule(peer);
  }

  /** Ends every stream (each peer answers its end), then closes the connections; cuts what takes over `closeGraceMs`. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const peer of this.#peers.values()) {
      if (peer.reopen !== undefined) clearTimeout(peer.reopen);
      peer.reopen = undefined;
      this.stats.messagesDropped += peer.queue.length;
      peer.queue = [];
      peer.stream?.source.end();
    }
    let grace: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<void>((resolve) => {
      grace = setTimeout(resolve, closeGraceMs);
    });
    await Promise.race([Promise.all(this.#ended), timedOut]);
    clearTimeout(grace);
    await Promise.all(
      [...this.#peers.values()].map((peer) => {
        peer.stream?.abort.abort();
        return peer.client.destroy().catch(() => undefined);
      }),
    );
  }

  #schedule(peer: Peer): void {
    if (peer.scheduled) return;
    peer.scheduled = true;
    setImmediate(() => {
      peer.scheduled = false;
      this.#flush(peer);
    });
  }

  #flush(peer: Peer): void {
    if (this.#closed || peer.queue.length === 0) return;
    const stream = peer.stream;
    if (stream === undefined) {
      if (peer.reopen === undefined) this.#open(peer);
      return;
    }
    const nowMs = Date.now();
    const { source } = stream;
    if (source.bufferedBytes > 0 && nowMs - source.lastTakenAtMs > streamStallMs) {
      this.#log.warn({ peer: peer.id, stalledMs: nowMs - source.lastTakenAtMs }, "peer stream stalled; cutting it");
      stream.abort.abort();
      return;
    }
    while (peer.queue.length > 0 && source.bufferedBytes < streamBufferedBytesMax) {
      const batch = peer.queue.splice(0, batchMessagesMax);
      let frame: Uint8Array;
      try {
        frame = stream.encoder.encode(batch, nowMs);
      } catch (error) {
        // A message that is not plain data is a bug in this node, not the peer's: say so, drop it, carry on.
        this.#log.error({ peer: peer.id, err: error }, "could not encode messages for a peer; dropped");
        this.stats.messagesDropped += batch.length;
        continue;
      }
      source.push(frame, batch.length);
      this.stats.framesSent++;
      this.stats.messagesSent += batch.length;
    }
  }

  #open(peer: Peer): void {
    const nowMs = Date.now();
    const { headers, encoder } = openStream(this.#auth, peer.id, randomBytes(streamNonceBytes), nowMs);
    const stream: OutgoingStream = {
      encoder,
      source: new FrameSource(nowMs),
      abort: new AbortController(),
      openedAtMs: nowMs,
    };
    peer.stream = stream;
    this.stats.streamsOpened++;
    const ended = this.#run(peer, stream, headers).finally(() => this.#ended.delete(ended));
    this.#ended.add(ended);
    this.#flush(peer);
  }

  async #run(peer: Peer, stream: OutgoingStream, headers: Record<string, string>): Promise<void> {
    let failed = true;
    try {
      const response = await peer.client.request({
        method: peerStreamMethod,
        path: peerStreamPath,
        headers,
        // undici takes any async iterable as a body (its types list only Readable): frames are written as they come.
        body: stream.source as unknown as Readable,
        signal: stream.abort.signal,
      });
      const { statusCode } = response;
      const text = await response.body.text().catch(() => "");
      if (statusCode >= 200 && statusCode < 300) failed = false;
      else if (statusCode === 401 || statusCode === 403) {
        const now = Date.now();
        if (now - peer.authLoggedAtMs >= authLogIntervalMs) {
          peer.authLoggedAtMs = now;
          this.#log.error({ peer: peer.id, statusCode, body: text.slice(0, 200) }, "peer refused our credentials");
        }
      } else if (!this.#closed) {
        this.#log.warn({ peer: peer.id, statusCode, body: text.slice(0, 200) }, "peer ended our stream");
      }
    } catch {
      // Down, unreachable, reset or cut for a stall: the core's timeouts and repairs recover, as on a lossy network.
    } finally {
      stream.source.end();
      this.stats.messagesDropped += stream.source.bufferedMessages;
      if (failed) this.stats.streamsFailed++;
      if (peer.stream === stream) peer.stream = undefined;
      this.#afterStream(peer, stream, failed);
    }
  }

  #afterStream(peer: Peer, stream: OutgoingStream, failed: boolean): void {
    if (this.#closed) return;
    const livedMs = Date.now() - stream.openedAtMs;
    peer.reconnectDelayMs =
      failed && livedMs < streamHealthyAfterMs
        ? Math.min(reconnectDelayMsMax, peer.reconnectDelayMs * 2)
        : reconnectDelayMsMin;
    peer.reopen = setTimeout(() => {
      peer.reopen = undefined;
      this.#flush(peer);
    }, peer.reconnectDelayMs);
  }
}
