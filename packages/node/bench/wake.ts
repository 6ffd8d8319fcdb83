/**
 * What waking a process costs on this machine, the platform's share of a
 * quorum put's events (bench/cpu.ts): two Node processes answer each other
 * 100-byte messages over loopback TCP, with one message in flight (each one
 * finds the other process asleep and wakes it) beside eight in flight (a
 * wake-up carries several), and the CPU time each process spent per
 * message is read from `process.cpuUsage()`. Nothing of Skew runs here: it
 * is the floor under any design that wakes a process per event.
 *
 *   npm run bench:wake -w @skew/node [-- --json | --quick]
 */
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { parseBenchArgs } from "@skew/harness";

const messageBytes = 100;
/** Messages in flight per row: one (every message a wake-up) and eight (the floor: wake-ups shared). */
const inFlightLevels = [1, 8] as const;

interface Row {
  readonly inFlight: number;
  readonly messages: number;
  readonly wallUsPerMessage: number;
  readonly senderCpuUsPerMessage: number;
  readonly echoCpuUsPerMessage: number;
}

/** The echo process: answers every byte it reads, and its CPU time when asked over IPC. */
function echo(): void {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on("data", (data) => socket.write(data));
  });
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    process.send?.({ port: typeof address === "object" && address !== null ? address.port : 0 });
  });
  process.on("message", () => {
    const usage = process.cpuUsage();
    process.send?.({ cpuUs: usage.user + usage.system });
  });
  process.on("disconnect", () => process.exit(0));
}

async function ask<T>(child: ChildProcess, question: unknown): Promise<T> {
  const answer = once(child, "message") as Promise<[T]>;
  if (question !== undefined) child.send(question as object);
  return (await answer)[0];
}

/** Sends `messages` messages over `socket`, keeping `inFlight` of them unanswered; resolves when all came back. */
function pingPong(socket: Socket, messages: number, inFlight: number): Promise<void> {
  const message = Buffer.alloc(messageBytes, 1);
  let sent = 0;
  let answered = 0;
  let pendingBytes = 0;
  return new Promise((resolve) => {
    const onData = (data: Buffer): void => {
      pendingBytes += data.byteLength;
      while (pendingBytes >= messageBytes) {
        pendingBytes -= messageBytes;
        answered++;
        if (sent < messages) {
          socket.write(message);
          sent++;
        } else if (answered === messages) {
          socket.off("data", onData);
          resolve();
        }
      }
    };
    socket.on("data", onData);
    for (; sent < inFlight; sent++) socket.write(message);
  });
}

async function main(messages: number): Promise<Row[]> {
  const child = fork(fileURLToPath(import.meta.url), ["echo"], { execArgv: process.execArgv });
  try {
    const { port } = await ask<{ port: number }>(child, undefined);
    const socket = connect(port, "127.0.0.1");
    socket.setNoDelay(true);
    await once(socket, "connect");
    await pingPong(socket, Math.min(messages, 2_000), 1); // warm-up: both sides' code compiled, buffers allocated
    const rows: Row[] = [];
    for (const inFlight of inFlightLevels) {
      const echoBefore = (await ask<{ cpuUs: number }>(child, "cpu")).cpuUs;
      const senderBefore = process.cpuUsage();
      const startNs = process.hrtime.bigint();
      await pingPong(socket, messages, inFlight);
      const wallUs = Number(process.hrtime.bigint() - startNs) / 1_000;
      const sender = process.cpuUsage(senderBefore);
      const echoAfter = (await ask<{ cpuUs: number }>(child, "cpu")).cpuUs;
      rows.push({
        inFlight,
        messages,
        wallUsPerMessage: wallUs / messages,
        senderCpuUsPerMessage: (sender.user + sender.system) / messages,
        echoCpuUsPerMessage: (echoAfter - echoBefore) / messages,
      });
    }
    socket.destroy();
    return rows;
  } finally {
    child.disconnect();
  }
}

function report(rows: readonly Row[], json: boolean): void {
  const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? "unknown", node: process.version };
  const cpuOf = (row: Row): number => row.senderCpuUsPerMessage + row.echoCpuUsPerMessage;
  const floor = rows.find((r) => r.inFlight === Math.max(...inFlightLevels)) as Row;
  if (json) {
    for (const row of rows) {
      const role = row === floor ? "floor" : "subject";
      const ratio = row === floor ? null : cpuOf(row) / cpuOf(floor);
      process.stdout.write(
        `${JSON.stringify({ package: "@skew/node", group: "loopback ping-pong, CPU per message", name: `${row.inFlight} in flight`, role, ...row, cpuUsPerMessage: cpuOf(row), ratio, machine })}\n`,
      );
    }
    return;
  }
  const lines = [
    "",
    `loopback ping-pong between two Node processes (${machine.cpus} cores, ${machine.model}, Node ${machine.node}; ${messageBytes}-byte messages, ${rows[0]?.messages ?? 0} per row)`,
    "ratio: CPU per message (both processes) over the floor's, eight in flight.",
    "",
  ];
  for (const row of rows) {
    const ratio = row === floor ? "" : `${(cpuOf(row) / cpuOf(floor)).toFixed(1)}x`;
    lines.push(
      `  ${String(row.inFlight).padStart(2)} in flight  ${row.wallUsPerMessage.toFixed(1).padStart(7)} µs wall a message  ` +
        `CPU a message: sender ${row.senderCpuUsPerMessage.toFixed(1).padStart(5)} µs, echo ${row.echoCpuUsPerMessage.toFixed(1).padStart(5)} µs  ${ratio.padStart(6)}`,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

if (process.argv[2] === "echo") echo();
else {
  const args = parseBenchArgs(process.argv.slice(2));
  report(await main(args.quick ? 2_000 : 20_000), args.json);
}
