/**
 * Replica-to-replica messages over HTTP: one undici `Pool` of keep-alive
 * connections per peer, messages batched per peer (everything queued in one
 * turn of the event loop goes in one request, up to `batchMessagesMax`), at
 * most `requestsInFlightPerPeer` requests in flight per peer, each body a
 * signed, checksummed msgpack envelope (peer/request.ts).
 *
 * Delivery is best effort, as the network the core was proved on: a
 * request that fails (peer down, refused, timed out) loses its messages and
 * is counted; the core's timeouts, read repair, hints and anti-entropy are
 * what recover, exactly as in the simulator. A peer that answers 401/403 is
 * misconfigured (another cluster secret): logged, at most once a minute.
 * The queue per peer is bounded (`queuedMessagesMaxPerPeer`): past it, the
 * oldest messages are dropped (a peer that is down should not eat memory).
 */
import type { PeerMessage } from "@skew/kv";
import { Pool } from "undici";
import type { PeerSender } from "./driver.js";
import { type PeerAuth, sealPeerRequest } from "./peer/index.js";

/** Messages in one request at most. */
export const batchMessagesMax = 256;
/** Requests in flight to one peer at most (each on its own keep-alive connection). */
export const requestsInFlightPerPeer = 2;
/** Messages queued for one peer at most; the oldest are dropped past it. */
export const queuedMessagesMaxPerPeer = 100_000;
/** How long a request to a peer may take, headers and body, ms. */
export const peerRequestTimeoutMs = 10_000;
/** How often an authentication refusal is logged at most, per peer, ms. */
const authLogIntervalMs = 60_000;

export interface TransportStats {
  requestsSent: number;
  requestsFailed: number;
  messagesSent: number;
  messagesDropped: number;
}

export interface TransportLogger {
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

interface Peer {
  readonly id: string;
  readonly pool: Pool;
  queue: PeerMessage[];
  inFlight: number;
  scheduled: boolean;
  authLoggedAtMs: number;
}

export class HttpPeerTransport implements PeerSender {
  readonly stats: TransportStats = { requestsSent: 0, requestsFailed: 0, messagesSent: 0, messagesDropped: 0 };
  readonly #auth: PeerAuth;
  readonly #peers = new Map<string, Peer>();
  readonly #log: TransportLogger;
  #closed = false;

  /** `peers`: each other member's base URL (`http://host:port`). */
  constructor(options: { auth: PeerAuth; peers: ReadonlyMap<string, string>; log: TransportLogger }) {
    this.#auth = options.auth;
    this.#log = options.log;
    for (const [id, url] of options.peers) {
      if (id === options.auth.self) continue;
      const pool = new Pool(url, {
        connections: requestsInFlightPerPeer,
        headersTimeout: peerRequestTimeoutMs,
        bodyTimeout: peerRequestTimeoutMs,
        keepAliveTimeout: 30_000,
      });
      this.#peers.set(id, { id, pool, queue: [], inFlight: 0, scheduled: false, authLoggedAtMs: 0 });
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

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#peers.values()].map((peer) => peer.pool.close().catch(() => undefined)));
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
    while (!this.#closed && peer.queue.length > 0 && peer.inFlight < requestsInFlightPerPeer) {
      const batch = peer.queue.splice(0, batchMessagesMax);
      peer.inFlight++;
      void this.#post(peer, batch).finally(() => {
        peer.inFlight--;
        if (peer.queue.length > 0) this.#schedule(peer);
      });
    }
  }

  async #post(peer: Peer, messages: PeerMessage[]): Promise<void> {
    const sealed = sealPeerRequest(this.#auth, peer.id, messages, Date.now());
    this.stats.requestsSent++;
    try {
      const response = await peer.pool.request({
        method: sealed.method,
        path: sealed.path,
        headers: sealed.headers,
        body: sealed.body,
      });
      const { statusCode } = response;
      if (statusCode >= 200 && statusCode < 300) {
        await response.body.dump();
        this.stats.messagesSent += messages.length;
        return;
      }
      const text = await response.body.text().catch(() => "");
      this.stats.requestsFailed++;
      this.stats.messagesDropped += messages.length;
      if (statusCode === 401 || statusCode === 403) {
        const now = Date.now();
        if (now - peer.authLoggedAtMs >= authLogIntervalMs) {
          peer.authLoggedAtMs = now;
          this.#log.error({ peer: peer.id, statusCode, body: text.slice(0, 200) }, "peer refused our credentials");
        }
      } else this.#log.warn({ peer: peer.id, statusCode, body: text.slice(0, 200) }, "peer refused messages");
    } catch {
      // Down, unreachable or timed out: the core's timeouts and repairs recover, as on a lossy network.
      this.stats.requestsFailed++;
      this.stats.messagesDropped += messages.length;
    }
  }
}
