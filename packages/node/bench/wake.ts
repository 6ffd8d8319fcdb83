/**
 * What waking a process costs on this machine, the platform's share of a
 * quorum put's events (bench/cpu.ts): two Node processes answer each other
 * 100-byte messages over loopback TCP, with one message in flight (each one
 * finds the other process asleep and wakes it) beside eight in flight (a
 * wake-up carries several), and the CPU time each process spent per
 * message is read from `process.cpuUsage()`. Nothing of Skew runs here: it
 * is the floor under any design that wakes a process per event.
 *
 * Two more rows say where the cost lies. The one-in-flight ping-pong again
 * with both processes held on one core (`taskset`, when the machine has it
 * and more than one core): a wake-up that crosses cores against one that
 * does not. And one process alone that does a small piece of work and then
 * sleeps 1 ms (`Atomics.wait`: a real block in the kernel, no event loop,
 * no socket), beside the same work without the sleep: what sleeping and
 * being woken costs the sleeper in CPU, with no other process involved.
 * The header names the kernel's idle driver and its guest halt-polling
 * limit where the kernel has them (a virtual machine whose idle vCPUs
 * poll before they halt wakes far faster).
 *
 *   npm run bench:wake -w @skew/node [-- --json | --quick]
 */
import { type ChildProcess, execFileSync, fork } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { parseBenchArgs } from "@skew/harness";

const messageBytes = 100;
/** Messages in flight per row: one (every message a wake-up) and eight (the floor: wake-ups shared). */
const inFlightLevels = [1, 8] as const;

/** Where the two processes may run: wherever the kernel puts them, or both on core 0. */
type Placement = "any core" | "one core";

interface Row {
  readonly inFlight: number;
  readonly placement: Placement;
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

/** Holds every thread of `pids` on core 0; false when `taskset` is missing or refuses (then the row is left out). */
function holdOnOneCore(pids: readonly number[]): boolean {
  try {
    for (const pid of pids) execFileSync("taskset", ["-a", "-p", "-c", "0", String(pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

async function pingPongRows(messages: number): Promise<Row[]> {
  const child = fork(fileURLToPath(import.meta.url), ["echo"], { execArgv: process.execArgv });
  try {
    const { port } = await ask<{ port: number }>(child, undefined);
    const socket = connect(port, "127.0.0.1");
    socket.setNoDelay(true);
    await once(socket, "connect");
    await pingPong(socket, Math.min(messages, 2_000), 1); // warm-up: both sides' code compiled, buffers allocated
    const measure = async (inFlight: number, placement: Placement): Promise<Row> => {
      const echoBefore = (await ask<{ cpuUs: number }>(child, "cpu")).cpuUs;
      const senderBefore = process.cpuUsage();
      const startNs = process.hrtime.bigint();
      await pingPong(socket, messages, inFlight);
      const wallUs = Number(process.hrtime.bigint() - startNs) / 1_000;
      const sender = process.cpuUsage(senderBefore);
      const echoAfter = (await ask<{ cpuUs: number }>(child, "cpu")).cpuUs;
      return {
        inFlight,
        placement,
        messages,
        wallUsPerMessage: wallUs / messages,
        senderCpuUsPerMessage: (sender.user + sender.system) / messages,
        echoCpuUsPerMessage: (echoAfter - echoBefore) / messages,
      };
    };
    const rows: Row[] = [];
    for (const inFlight of inFlightLevels) rows.push(await measure(inFlight, "any core"));
    // Last: the two processes stay held on core 0 until they exit.
    if (cpus().length > 1 && child.pid !== undefined && holdOnOneCore([process.pid, child.pid])) {
      rows.splice(1, 0, await measure(1, "one core"));
    }
    socket.destroy();
    return rows;
  } finally {
    child.disconnect();
  }
}

/** CPU per unit of a small piece of work, alone and followed each time by a 1 ms sleep. */
interface SleepRow {
  readonly units: number;
  readonly sleepMs: number;
  readonly workCpuUs: number;
  readonly sleepingCpuUs: number;
}

function sleepRow(units: number): SleepRow {
  const sleepMs = 1;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  let sink = 0;
  const cpuPerUnit = (count: number, sleep: boolean): number => {
    const before = process.cpuUsage();
    for (let i = 0; i < count; i++) {
      sink += JSON.stringify({ i, at: [i, i + 1], name: `unit ${i}` }).length;
      // A real block in the kernel: nothing else wakes this thread before the time is up.
      if (sleep) Atomics.wait(cell, 0, 0, sleepMs);
    }
    const used = process.cpuUsage(before);
    return (used.user + used.system) / count;
  };
  cpuPerUnit(units * 10, false); // warm-up: the work compiled
  const workCpuUs = cpuPerUnit(units * 100, false);
  const sleepingCpuUs = cpuPerUnit(units, true);
  if (sink < 0) throw new Error("unreachable: keeps the work from being optimized away");
  return { units, sleepMs, workCpuUs, sleepingCpuUs };
}

/** The kernel's idle driver and guest halt-polling limit, where the kernel has them (Linux, a KVM-style guest). */
function idleSettings(): string | undefined {
  const read = (file: string): string | undefined => {
    try {
      return readFileSync(file, "utf8").trim();
    } catch {
      return undefined;
    }
  };
  const driver = read("/sys/devices/system/cpu/cpuidle/current_driver");
  if (driver === undefined) return undefined;
  const pollNs = read("/sys/module/haltpoll/parameters/guest_halt_poll_ns");
  return pollNs === undefined ? `idle driver ${driver}` : `idle driver ${driver}, guest_halt_poll_ns ${pollNs}`;
}

function report(rows: readonly Row[], sleep: SleepRow, json: boolean): void {
  const idle = idleSettings();
  const machine = {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? "unknown",
    node: process.version,
    ...(idle === undefined ? {} : { idle }),
  };
  const cpuOf = (row: Row): number => row.senderCpuUsPerMessage + row.echoCpuUsPerMessage;
  const floor = rows.find((r) => r.inFlight === Math.max(...inFlightLevels)) as Row;
  const nameOf = (row: Row): string => `${row.inFlight} in flight, ${row.placement}`;
  const sleepName = `work, then a ${sleep.sleepMs} ms sleep`;
  if (json) {
    const pingPongGroup = "loopback ping-pong, CPU per message";
    const sleepGroup = "one process, CPU per unit of work";
    const records = [
      ...rows.map((row) => ({
        package: "@skew/node",
        group: pingPongGroup,
        name: nameOf(row),
        role: row === floor ? "floor" : "subject",
        ...row,
        cpuUsPerMessage: cpuOf(row),
        ratio: row === floor ? null : cpuOf(row) / cpuOf(floor),
        machine,
      })),
      {
        package: "@skew/node",
        group: sleepGroup,
        name: "work alone",
        role: "floor",
        units: sleep.units * 100,
        cpuUsPerUnit: sleep.workCpuUs,
        ratio: null,
        machine,
      },
      {
        package: "@skew/node",
        group: sleepGroup,
        name: sleepName,
        role: "subject",
        units: sleep.units,
        cpuUsPerUnit: sleep.sleepingCpuUs,
        ratio: sleep.sleepingCpuUs / sleep.workCpuUs,
        machine,
      },
    ];
    for (const record of records) process.stdout.write(`${JSON.stringify(record)}\n`);
    return;
  }
  const lines = [
    "",
    `loopback ping-pong between two Node processes (${machine.cpus} cores, ${machine.model}, Node ${machine.node}` +
      `${idle === undefined ? "" : `; ${idle}`}; ${messageBytes}-byte messages, ${rows[0]?.messages ?? 0} per row)`,
    "ratio: CPU per message (both processes) over the floor's, eight in flight.",
    "",
  ];
  for (const row of rows) {
    const ratio = row === floor ? "" : `${(cpuOf(row) / cpuOf(floor)).toFixed(1)}x`;
    lines.push(
      `  ${String(row.inFlight).padStart(2)} in flight, ${row.placement}  ${row.wallUsPerMessage.toFixed(1).padStart(7)} µs wall a message  ` +
        `CPU a message: sender ${row.senderCpuUsPerMessage.toFixed(1).padStart(5)} µs, echo ${row.echoCpuUsPerMessage.toFixed(1).padStart(5)} µs  ${ratio.padStart(6)}`,
    );
  }
  if (!rows.some((row) => row.placement === "one core")) {
    lines.push("  (no one-core row: the machine has one core, or taskset is missing)");
  }
  lines.push(
    "",
    `one process, a small piece of work (JSON.stringify of a 3-field object), ${sleep.units} times with a sleep, ${sleep.units * 100} without`,
    `  ${sleepName.padEnd(27)} ${sleep.sleepingCpuUs.toFixed(1).padStart(7)} µs CPU a unit  ${(sleep.sleepingCpuUs / sleep.workCpuUs).toFixed(0).padStart(5)}x`,
    `  ${"work alone".padEnd(27)} ${sleep.workCpuUs.toFixed(2).padStart(7)} µs CPU a unit`,
  );
  process.stdout.write(`${lines.join("\n")}\n`);
}

if (process.argv[2] === "echo") echo();
else {
  const args = parseBenchArgs(process.argv.slice(2));
  const rows = await pingPongRows(args.quick ? 2_000 : 20_000);
  // After the ping-pong: this process may now be held on core 0, which a one-process measurement does not mind.
  report(rows, sleepRow(args.quick ? 300 : 2_000), args.json);
}
