/**
 * Test support for the CLI: run `skew` from its TypeScript sources as a
 * child process (as `npx skew` would run the build), collect its output
 * and exit code, find runs of free ports for commands that take a base
 * port, and watch the processes a command spawns.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { eventually, freePort } from "../support/local.js";

export { eventually };

export const packageDir = join(import.meta.dirname, "..", "..");
export const sourceCli = join(packageDir, "src", "cli.ts");
/** How node runs the sources: the workspace packages' `@skew/source` export, TypeScript through tsx. */
export const sourceNodeArgs = ["--conditions=@skew/source", "--import", "tsx"] as const;

/** The environment of this process without any SKEW_* variable, so that the caller's shell cannot leak in. */
export function cleanEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("SKEW_")) env[name] = value;
  return { ...env, ...extra };
}

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** `skew <args>` from source (cwd: the package, where tsx resolves); kills it with SIGKILL after `timeoutMs`. */
export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = cleanEnv()): ChildProcess {
  return spawn(process.execPath, [...sourceNodeArgs, sourceCli, ...args], {
    cwd: packageDir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Collects a spawned CLI's output until it exits (SIGKILL after `timeoutMs`, reported as the signal). */
export function finished(child: ChildProcess, timeoutMs = 30_000): Promise<CliRun> {
  const started = performance.now();
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}

export function runCli(args: readonly string[], env?: NodeJS.ProcessEnv, timeoutMs?: number): Promise<CliRun> {
  return finished(spawnCli(args, env), timeoutMs);
}

/** Resolves with everything printed so far once `pattern` shows up on stdout; rejects on exit or after `timeoutMs`. */
export function waitForStdout(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    let stderr = "";
    const onData = (chunk: Buffer | string): void => {
      seen += chunk.toString();
      if (pattern.test(seen)) done(() => resolve(seen));
    };
    const onErr = (chunk: Buffer | string): void => {
      stderr += chunk.toString();
    };
    const onExit = (code: number | null, signal: string | null): void =>
      done(() => reject(new Error(`exited (${signal ?? code}) before ${pattern}; stdout: ${seen}; stderr: ${stderr}`)));
    const timer = setTimeout(
      () => done(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms; stdout: ${seen}; stderr: ${stderr}`))),
      timeoutMs,
    );
    const done = (settle: () => void): void => {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onErr);
      child.off("exit", onExit);
      settle();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onErr);
    child.once("exit", onExit);
  });
}

/** Resolves with the exit code (or signal), or rejects after `timeoutMs`. */
export function exitOf(child: ChildProcess, timeoutMs: number): Promise<number | NodeJS.Signals | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms`)), timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal);
    });
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** `count` consecutive ports the OS says are free now, for commands that take a `--base-port`. */
export async function freePortRun(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = await freePort();
    if (base + count - 1 > 65535) continue;
    const rest = await Promise.all(Array.from({ length: count - 1 }, (_, i) => portFree(base + i + 1)));
    if (rest.every(Boolean)) return base;
  }
  throw new Error(`no run of ${count} free ports found`);
}

/** True when a TCP connection to the port on loopback is refused (nothing listens). */
export function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });
}

/** The direct children of a process (Linux: /proc/<pid>/task/<tid>/children). */
export function childPids(pid: number): number[] {
  const tasks = readdirSync(`/proc/${pid}/task`);
  const pids = tasks.flatMap((tid) =>
    readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8")
      .split(" ")
      .filter((s) => s.trim() !== "")
      .map(Number),
  );
  return [...new Set(pids)];
}

/** A process's command line (Linux: /proc/<pid>/cmdline), its arguments joined with spaces. */
export function commandLine(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
}

/**
 * True while a process with that id runs. A zombie (exited, not yet reaped:
 * an orphan waits for its new parent to reap it) counts as gone.
 */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    // "pid (comm) state ...": the state follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}
