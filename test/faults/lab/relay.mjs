/**
 * The lab's delay relay: one per node, inside the node's network namespace.
 * There is no netem qdisc on the machines the lab runs on, so latency is
 * added in user space: every other node's connections to this node's port
 * are redirected here by a DNAT rule in the sender's namespace (addresses
 * unchanged, only the port), and this process forwards them to the node,
 * holding each chunk back by the delay configured for the sender's address.
 *
 * Per connection accepted from address S, each chunk read, in either
 * direction, is delivered `meanMs + uniform(-jitterMs, +jitterMs)` later
 * (never negative) and never before the chunk before it, so the byte stream
 * stays in order whatever the jitter. With no delay for S the chunks pass
 * straight through (no timers). The table is looked up per chunk, so a new
 * table applies to open connections at once.
 *
 * Backpressure: a side stops being read while its chunks wait (more than
 * `queuedBytesMax`) or the other side's write buffer is full, so memory is
 * bounded however slow the receiver. A side that ends is ended on the other
 * once its queued chunks are delivered; a side that fails resets the other.
 * If the node does not accept (killed, not started) the sender's connection
 * is reset, much as a refused connect would be.
 *
 * Plain JavaScript with node built-ins only, so it starts without a loader:
 *   node relay.mjs <listen address> <listen port> <target address> <target port>
 * Control, over the IPC channel: `{ seq, delays: [{ from, meanMs, jitterMs }] }`
 * replaces the whole table and is answered `{ ack: seq }`. The relay sends
 * `{ ready: true }` once listening, and exits when the channel disconnects
 * (its parent died), so no relay outlives its lab.
 */
import { createConnection, createServer } from "node:net";
import { performance } from "node:perf_hooks";

/** Bytes waiting in one direction of one connection before its reading side is paused. */
const queuedBytesMax = 1024 * 1024;

const [listenHost, listenPortText, targetHost, targetPortText] = process.argv.slice(2);
const listenPort = Number(listenPortText);
const targetPort = Number(targetPortText);
if (process.send === undefined) {
  console.error("relay.mjs must be started with an IPC channel");
  process.exit(2);
}
if (listenHost === undefined || targetHost === undefined || !(listenPort > 0) || !(targetPort > 0)) {
  console.error("usage: node relay.mjs <listen address> <listen port> <target address> <target port>");
  process.exit(2);
}

/** Sender address -> its delay. */
let delays = new Map();

function delayFor(address) {
  const delay = delays.get(address);
  if (delay === undefined) return 0;
  return Math.max(0, delay.meanMs + (Math.random() * 2 - 1) * delay.jitterMs);
}

/**
 * One direction of a relayed connection: reads `source`, writes `sink`,
 * each chunk held back by the sender's current delay.
 */
function forward(source, sink, address) {
  /** @type {{ chunk: Buffer; dueAt: number }[]} */
  const queue = [];
  let queuedBytes = 0;
  let lastDueAt = 0;
  let timer;
  let ended = false;
  let pausedHere = false;

  const settle = () => {
    if (sink.destroyed) return;
    if (queue.length === 0 && ended) {
      if (!sink.writableEnded) sink.end();
      return;
    }
    const full = queuedBytes > queuedBytesMax || sink.writableNeedDrain;
    if (full && !pausedHere) {
      pausedHere = true;
      source.pause();
    } else if (!full && pausedHere) {
      pausedHere = false;
      source.resume();
    }
  };

  const deliver = () => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && (queue[0]?.dueAt ?? 0) <= now) {
      const next = queue.shift();
      queuedBytes -= next.chunk.length;
      if (!sink.destroyed) sink.write(next.chunk);
    }
    schedule();
    settle();
  };

  const schedule = () => {
    const head = queue[0];
    if (timer !== undefined || head === undefined) return;
    timer = setTimeout(deliver, Math.max(0, head.dueAt - performance.now()));
  };

  source.on("data", (chunk) => {
    if (sink.destroyed) return;
    const delay = delayFor(address);
    const now = performance.now();
    if (delay === 0 && queue.length === 0) {
      lastDueAt = now;
      sink.write(chunk);
    } else {
      const dueAt = Math.max(now + delay, lastDueAt);
      lastDueAt = dueAt;
      queue.push({ chunk, dueAt });
      queuedBytes += chunk.length;
      schedule();
    }
    settle();
  });
  source.on("end", () => {
    ended = true;
    settle();
  });
  sink.on("drain", settle);
  source.on("close", () => {
    if (timer !== undefined && sink.destroyed) clearTimeout(timer);
  });
}

function reset(socket) {
  if (!socket.destroyed) socket.resetAndDestroy();
}

const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (inbound) => {
  const address = inbound.remoteAddress ?? "";
  inbound.setNoDelay(true);
  const outbound = createConnection({ host: targetHost, port: targetPort, allowHalfOpen: true });
  outbound.setNoDelay(true);
  outbound.once("connect", () => {
    forward(inbound, outbound, address);
    forward(outbound, inbound, address);
    inbound.resume();
  });
  // One side failing fails the connection: the other is reset, as the network would.
  inbound.on("error", () => reset(outbound));
  outbound.on("error", () => reset(inbound));
  inbound.on("close", (hadError) => {
    if (hadError) reset(outbound);
  });
  outbound.on("close", (hadError) => {
    if (hadError) reset(inbound);
  });
});

server.on("error", (error) => {
  console.error(`relay on ${listenHost}:${listenPort}: ${error.message}`);
  process.exit(1);
});

server.listen(listenPort, listenHost, () => process.send({ ready: true }));

process.on("message", (message) => {
  if (message === null || typeof message !== "object" || !Array.isArray(message.delays)) return;
  delays = new Map(message.delays.map((d) => [d.from, { meanMs: d.meanMs, jitterMs: d.jitterMs }]));
  process.send({ ack: message.seq });
});

// The parent (the lab) died or let go: nothing may outlive it.
process.on("disconnect", () => process.exit(0));
