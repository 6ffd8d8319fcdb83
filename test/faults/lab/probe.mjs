/**
 * Small network probes the lab's tests run inside a node's namespace (plain
 * JavaScript, node built-ins only, so they start without a loader). Each
 * prints one JSON line with what it saw, so the test asserts on facts.
 *
 *   echo <address> <port>                       TCP echo server; prints {"ready":true}
 *   reach <timeoutMs> <address:port>...          a TCP connect to each: [{ target, ok, ms | code }]
 *   hold <address> <port> <timeoutMs>           connects, writes a byte, waits: { connected, outcome: code | "end" | "TIMEOUT" }
 *   rtt <address> <port> <rounds>                round trips of a 5-byte message: { rttsMs }
 *   stream <address> <port> <chunks> <gapMs>     numbered chunks written with gaps, echoed: { sent, received }
 *   bulk <address> <port> <bytes>                that many random bytes echoed back: { sentHash, receivedHash, bytes }
 *   udp-count <address> <port>                   counts datagrams "d" until one "stop": { count }; prints {"ready":true}
 *   udp-send <address> <port> <count> <gapMs>    sends datagrams "d": { sent }
 */
import { createHash, randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { connect, createServer } from "node:net";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";

const [mode, ...args] = process.argv.slice(2);
const print = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);

function open(host, port) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(port) });
    socket.setNoDelay(true);
    socket.once("connect", () => resolve(socket));
    socket.once("error", reject);
  });
}

async function reach(timeoutMs, targets) {
  const results = await Promise.all(
    targets.map(
      (target) =>
        new Promise((resolve) => {
          const [host, port] = target.split(":");
          const started = performance.now();
          const socket = connect({ host, port: Number(port) });
          const timer = setTimeout(() => {
            socket.destroy();
            resolve({ target, ok: false, code: "TIMEOUT" });
          }, Number(timeoutMs));
          socket.once("connect", () => {
            clearTimeout(timer);
            socket.destroy();
            resolve({ target, ok: true, ms: performance.now() - started });
          });
          socket.once("error", (error) => {
            clearTimeout(timer);
            resolve({ target, ok: false, code: error.code });
          });
        }),
    ),
  );
  print(results);
}

function hold(host, port, timeoutMs) {
  let connected = false;
  const socket = connect({ host, port: Number(port) });
  const finish = (outcome) => {
    clearTimeout(timer);
    socket.destroy();
    print({ connected, outcome });
  };
  const timer = setTimeout(() => finish("TIMEOUT"), Number(timeoutMs));
  socket.once("connect", () => {
    connected = true;
    socket.write("x");
  });
  socket.on("data", () => {});
  socket.once("end", () => finish("end"));
  socket.once("error", (error) => finish(error.code));
}

async function rtt(host, port, rounds) {
  const socket = await open(host, port);
  const rttsMs = [];
  for (let i = 0; i < Number(rounds); i++) {
    const started = performance.now();
    const echoed = new Promise((resolve) => {
      let bytes = 0;
      const onData = (chunk) => {
        bytes += chunk.length;
        if (bytes >= 5) {
          socket.off("data", onData);
          resolve();
        }
      };
      socket.on("data", onData);
    });
    socket.write("ping\n");
    await echoed;
    rttsMs.push(performance.now() - started);
  }
  socket.destroy();
  print({ rttsMs });
}

async function stream(host, port, chunks, gapMs) {
  const socket = await open(host, port);
  let sent = "";
  let received = "";
  socket.setEncoding("utf8");
  socket.on("data", (text) => {
    received += text;
  });
  for (let i = 0; i < Number(chunks); i++) {
    const chunk = `${i},`;
    sent += chunk;
    socket.write(chunk);
    await sleep(Number(gapMs));
  }
  const deadline = performance.now() + 10_000;
  while (received.length < sent.length && performance.now() < deadline) await sleep(10);
  socket.destroy();
  print({ sent, received });
}

async function bulk(host, port, bytes) {
  const socket = await open(host, port);
  const data = randomBytes(Number(bytes));
  const hash = createHash("sha256");
  let received = 0;
  const done = new Promise((resolve) => {
    socket.on("data", (chunk) => {
      hash.update(chunk);
      received += chunk.length;
      if (received >= data.length) resolve();
    });
  });
  socket.write(data);
  await done;
  socket.destroy();
  print({
    sentHash: createHash("sha256").update(data).digest("hex"),
    receivedHash: hash.digest("hex"),
    bytes: received,
  });
}

function udpCount(host, port) {
  const socket = createSocket("udp4");
  let count = 0;
  socket.on("message", (message) => {
    if (message.toString() === "stop") {
      print({ count });
      socket.close();
    } else count++;
  });
  socket.bind(Number(port), host, () => print({ ready: true }));
}

async function udpSend(host, port, count, gapMs) {
  const socket = createSocket("udp4");
  let sent = 0;
  for (let i = 0; i < Number(count); i++) {
    await new Promise((resolve) => socket.send("d", Number(port), host, resolve));
    sent++;
    await sleep(Number(gapMs));
  }
  socket.close();
  print({ sent });
}

function echo(host, port) {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on("error", () => socket.destroy());
    socket.pipe(socket);
  });
  server.listen(Number(port), host, () => print({ ready: true }));
}

const [a = "", b = "", c = "", d = ""] = args;
switch (mode) {
  case "echo":
    echo(a, b);
    break;
  case "reach":
    await reach(a, args.slice(1));
    break;
  case "hold":
    hold(a, b, c);
    break;
  case "rtt":
    await rtt(a, b, c);
    break;
  case "stream":
    await stream(a, b, c, d);
    break;
  case "bulk":
    await bulk(a, b, c);
    break;
  case "udp-count":
    udpCount(a, b);
    break;
  case "udp-send":
    await udpSend(a, b, c, d);
    break;
  default:
    console.error(`unknown probe ${mode}`);
    process.exit(2);
}
