/**
 * The lab's handle on one relay process (relay.mjs) in a node's namespace:
 * started through `ip netns exec` with an IPC channel, told its delay table
 * and waited on for the acknowledgement, stopped by closing the channel
 * (the relay exits when it closes, which is also what happens if this
 * process dies). A relay that exits on its own is remembered as a failure:
 * every connection to its node would be refused, which must not pass for
 * a fault the schedule chose.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { isRecord } from "./commands.js";
import { LabError } from "./errors.js";

/** How long a relay may take to listen after it was spawned. */
export const relayStartTimeoutMs = 15_000;
/** How long a relay may take to acknowledge a new delay table. */
export const relayAckTimeoutMs = 5_000;
/** How long a relay may take to exit once its channel is closed, before SIGKILL. */
export const relayStopGraceMs = 2_000;
/** The tail of a relay's stderr kept for error messages. */
const stderrCharsMax = 4_000;

const relayScript = fileURLToPath(new URL("./relay.mjs", import.meta.url));

/** Delay for connections from one address, as the relay takes it. */
export interface RelayDelay {
  readonly from: string;
  readonly meanMs: number;
  readonly jitterMs: number;
}

export interface RelayTarget {
  /** For messages: whose relay this is. */
  readonly node: string;
  readonly namespace: string;
  /** The node's address: the relay listens on it too. */
  readonly address: string;
  readonly relayPort: number;
  readonly nodePort: number;
}

export class RelayProcess {
  readonly #node: string;
  readonly #child: ChildProcess;
  #stderr = "";
  #failure: string | undefined;
  #stopping = false;
  #seq = 0;

  private constructor(node: string, child: ChildProcess) {
    this.#node = node;
    this.#child = child;
  }

  /** Spawns the relay and resolves once it listens; LAB_RELAY_FAILED (with its stderr) otherwise. */
  static async start(target: RelayTarget): Promise<RelayProcess> {
    const child = spawn(
      "ip",
      [
        ...["netns", "exec", target.namespace, process.execPath, relayScript],
        ...[target.address, String(target.relayPort), target.address, String(target.nodePort)],
      ],
      { stdio: ["ignore", "ignore", "pipe", "ipc"] },
    );
    const relay = new RelayProcess(target.node, child);
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (text: string) => {
      relay.#stderr = (relay.#stderr + text).slice(-stderrCharsMax);
    });
    // A relay must not keep this process alive: the exit hook and the sweep clean up after it.
    child.unref();
    child.channel?.unref();
    (child.stderr as { unref?: () => void } | null)?.unref?.();
    child.on("exit", (code, signal) => {
      if (!relay.#stopping) relay.#failure = `the relay of ${target.node} exited (${signal ?? `code ${code}`})`;
    });
    child.on("error", (error) => {
      relay.#failure = `the relay of ${target.node} could not start: ${error.message}`;
    });
    await new Promise<void>((resolve, reject) => {
      const settle = (why?: string): void => {
        clearTimeout(timer);
        child.off("message", onMessage);
        child.off("exit", onExit);
        child.off("error", onError);
        if (why === undefined) resolve();
        else reject(relay.#error(why));
      };
      const timer = setTimeout(
        () => settle(`the relay of ${target.node} did not listen within ${relayStartTimeoutMs} ms`),
        relayStartTimeoutMs,
      );
      const onMessage = (message: unknown): void => {
        if (isRecord(message) && message.ready === true) settle();
      };
      const onExit = (code: number | null, signal: string | null): void =>
        settle(`the relay of ${target.node} exited while starting (${signal ?? `code ${code}`})`);
      const onError = (error: Error): void => settle(`the relay of ${target.node} could not start: ${error.message}`);
      child.on("message", onMessage);
      child.on("exit", onExit);
      child.on("error", onError);
    });
    return relay;
  }

  /** Why it stopped, if it stopped on its own. */
  get failure(): string | undefined {
    return this.#failure;
  }

  /** Throws LAB_RELAY_FAILED if the relay stopped on its own. */
  check(): void {
    if (this.#failure !== undefined) throw this.#error(this.#failure);
  }

  /** Replaces the relay's whole delay table; resolves once the relay has acknowledged it. */
  async setDelays(delays: readonly RelayDelay[]): Promise<void> {
    this.check();
    const child = this.#child;
    if (!child.connected) throw this.#error(`the relay of ${this.#node} is not connected`);
    const seq = ++this.#seq;
    await new Promise<void>((resolve, reject) => {
      const settle = (why?: string): void => {
        clearTimeout(timer);
        child.off("message", onMessage);
        child.off("exit", onExit);
        if (why === undefined) resolve();
        else reject(this.#error(why));
      };
      const timer = setTimeout(
        () => settle(`the relay of ${this.#node} did not acknowledge within ${relayAckTimeoutMs} ms`),
        relayAckTimeoutMs,
      );
      const onMessage = (message: unknown): void => {
        if (isRecord(message) && message.ack === seq) settle();
      };
      const onExit = (): void => settle(`the relay of ${this.#node} exited`);
      child.on("message", onMessage);
      child.on("exit", onExit);
      child.send({ seq, delays }, (error) => {
        if (error !== null) settle(`the relay of ${this.#node}: ${error.message}`);
      });
    });
  }

  /** Closes the channel (the relay exits), SIGKILL after a grace period; resolves once it has exited. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    if (child.connected) child.disconnect();
    else child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), relayStopGraceMs);
    await exited;
    clearTimeout(timer);
  }

  /** SIGKILL now: for the exit hook, which cannot wait. */
  killNow(): void {
    this.#stopping = true;
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // gone already
    }
  }

  #error(why: string): LabError {
    const stderr = this.#stderr.trim();
    return new LabError("LAB_RELAY_FAILED", stderr === "" ? why : `${why}: ${stderr}`);
  }
}
