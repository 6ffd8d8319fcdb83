/**
 * The lab's few system calls: `ip`/`iptables-restore` run as child
 * processes (failures become LAB_COMMAND_FAILED with the command's stderr),
 * their synchronous best-effort twins for the exit hook, and process checks.
 */
import { execFile, execFileSync } from "node:child_process";
import { LabError } from "./errors.js";

/** How long one `ip`/`iptables-restore` command, or a command run with `Lab.exec`, may take by default. */
export const commandTimeoutMs = 30_000;
/** Bytes of a command's output kept (stdout returned, stderr in errors). */
export const commandOutputBytesMax = 16 * 1024 * 1024;

/** Runs a command (with `input` on its stdin); its stdout, or LAB_COMMAND_FAILED with its stderr. */
export function run(
  command: string,
  args: readonly string[],
  timeoutMs = commandTimeoutMs,
  input?: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { encoding: "utf8", timeout: timeoutMs, maxBuffer: commandOutputBytesMax },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve(stdout);
          return;
        }
        const why = stderr.trim() !== "" ? stderr.trim() : error.message;
        reject(new LabError("LAB_COMMAND_FAILED", `${command} ${args.join(" ")}: ${why}`, { cause: error }));
      },
    );
    child.stdin?.end(input);
  });
}

/** `ip <args>`, synchronously, failures ignored: for cleanup where nothing can be awaited or reported. */
export function ipBestEffort(args: readonly string[]): void {
  try {
    execFileSync("ip", args, { stdio: "ignore", timeout: commandTimeoutMs });
  } catch {
    // the sweep of the next lab removes what is left
  }
}

/** SIGKILL to every process in a namespace (nodes left behind by a crashed runner, paused ones included). */
export function killAllIn(namespace: string): void {
  let text: string;
  try {
    text = execFileSync("ip", ["netns", "pids", namespace], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return;
  }
  for (const pid of text.split("\n").filter((line) => /^\d+$/.test(line))) {
    try {
      process.kill(Number(pid), "SIGKILL");
    } catch {
      // exited meanwhile
    }
  }
}

/** Whether a process with this pid exists (a zombie counts until it is reaped). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isErrno(error, "EPERM");
  }
}

export function isErrno(error: unknown, code: string): boolean {
  return isRecord(error) && error.code === code;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
