/**
 * Real node processes in the lab: one `skew node` per lab node, started in
 * the node's namespace (`ip netns exec`, which execs, so the process the lab
 * holds is the node itself and SIGKILL/SIGSTOP reach it), listening on its
 * own address, with every other node as a peer at its lab URL. Node-to-node
 * traffic therefore crosses the lab's firewall rules and relays; the test
 * process talks to the nodes directly.
 *
 * Built on `ProcessCluster` (the one that `skew cluster` and the crash test
 * use) with per-node hosts and a launcher; the nodes run the TypeScript
 * sources, as every test does. Crash faults are here: `kill` (SIGKILL),
 * `restart` (same data directory), `pause`/`resume` (SIGSTOP/SIGCONT).
 */
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Durability, ProcessCluster } from "@skew/node";
import { LabError } from "./errors.js";
import type { Lab } from "./netns.js";

/**
 * How long a node may take to answer /health after it was spawned: five nodes compile their TypeScript
 * sources (tsx) at once, and under CI's other tests on two cores one took 19 s to restart.
 */
export const nodeStartTimeoutMs = 120_000;
/** How long the nodes may take to hear from each other (a heartbeat each way) after they answer /health. */
export const connectTimeoutMs = 15_000;
/** How long a node may take to answer /cluster while the lab waits for the nodes to connect. */
const membershipRequestTimeoutMs = 1_000;
/** How often the lab asks while it waits. */
const membershipPollMs = 100;

const sourceCli = fileURLToPath(new URL("../../../packages/node/src/cli.ts", import.meta.url));
/** tsx's loader by absolute URL, so a node finds it whatever its working directory. */
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export interface NetClusterOptions {
  readonly lab: Lab;
  /** The folder of the nodes' data directories (`<dataDir>/<id>`) and logs (`<dataDir>/<id>.log`). */
  readonly dataDir: string;
  readonly durability?: Durability;
  /** name -> conflict mode (SKEW_BUCKETS); the node's default buckets otherwise. */
  readonly buckets?: Readonly<Record<string, string>>;
  readonly heartbeatIntervalMs?: number;
  /** The nodes' log level (default warn: the logs stay small). */
  readonly logLevel?: string;
  /** Any other SKEW_* settings, the same for every node; they win over the options above. */
  readonly env?: Readonly<Record<string, string>>;
}

export class NetCluster {
  readonly lab: Lab;
  readonly #cluster: ProcessCluster;
  readonly #paused = new Set<string>();

  private constructor(lab: Lab, cluster: ProcessCluster) {
    this.lab = lab;
    this.#cluster = cluster;
  }

  /**
   * Starts every node and waits until each answers /health and has heard a
   * heartbeat from every other one (so the first write meets a connected
   * cluster); a failed start leaves no process behind.
   */
  static async start(options: NetClusterOptions): Promise<NetCluster> {
    const { lab } = options;
    const env: Record<string, string> = { SKEW_LOG_LEVEL: options.logLevel ?? "warn" };
    if (options.durability !== undefined) env.SKEW_DURABILITY = options.durability;
    if (options.heartbeatIntervalMs !== undefined) {
      if (!Number.isInteger(options.heartbeatIntervalMs) || options.heartbeatIntervalMs < 1)
        throw new LabError("LAB_INVALID", `heartbeatIntervalMs must be a positive integer of ms`);
      env.SKEW_HEARTBEAT_INTERVAL_MS = String(options.heartbeatIntervalMs);
    }
    if (options.buckets !== undefined) {
      env.SKEW_BUCKETS = Object.entries(options.buckets)
        .map(([name, mode]) => `${name}=${mode}`)
        .join(",");
    }
    const cluster = new ProcessCluster({
      nodes: lab.nodes.length,
      ids: lab.nodes,
      hosts: lab.nodes.map((node) => lab.addressOf(node)),
      ports: lab.nodes.map(() => lab.nodePort),
      dataDir: options.dataDir,
      env: { ...env, ...options.env },
      cli: sourceCli,
      nodeArgs: ["--conditions=@skew/source", "--import", tsxLoader],
      wrap: (id) => lab.wrap(id),
      startTimeoutMs: nodeStartTimeoutMs,
    });
    await cluster.start();
    const started = new NetCluster(lab, cluster);
    try {
      await started.waitConnected();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return started;
  }

  get nodes(): readonly string[] {
    return this.lab.nodes;
  }

  /** Every node's base URL, in the lab's order. */
  get urls(): readonly string[] {
    return this.#cluster.nodes.map((node) => node.url);
  }

  get adminToken(): string {
    return this.#cluster.adminToken;
  }

  get secret(): string {
    return this.#cluster.secret;
  }

  url(id: string): string {
    return this.#node(id).url;
  }

  dataDirOf(id: string): string {
    return this.#node(id).dataDir;
  }

  logOf(id: string): string {
    return this.#node(id).log;
  }

  /** The node's pid while it runs. */
  pidOf(id: string): number | undefined {
    const child = this.#node(id).child;
    return child !== undefined && this.isRunning(id) ? child.pid : undefined;
  }

  /** Running, paused or not: the process has not exited. */
  isRunning(id: string): boolean {
    const child = this.#node(id).child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  isPaused(id: string): boolean {
    this.#node(id);
    return this.#paused.has(id);
  }

  /** SIGKILL (a crash: nothing flushed, no goodbye), resolved once the process has exited. */
  async kill(id: string): Promise<void> {
    this.#running(id);
    this.#cluster.kill(id, "SIGKILL");
    await this.#cluster.exited(id);
    this.#paused.delete(id);
  }

  /** Starts a killed node again on its data directory; resolves once it answers /health. */
  async restart(id: string): Promise<void> {
    if (this.isRunning(id)) throw new LabError("LAB_NODE_RUNNING", `${id} is still running`);
    await this.#cluster.restart(id);
  }

  /** SIGSTOP: the process freezes (a long GC pause, a stalled VM); its sockets stay open. */
  pause(id: string): void {
    this.#running(id);
    if (this.#paused.has(id)) return;
    this.#cluster.kill(id, "SIGSTOP");
    this.#paused.add(id);
  }

  /** SIGCONT: a paused node carries on where it stopped. */
  resume(id: string): void {
    this.#running(id);
    if (!this.#paused.has(id)) return;
    this.#cluster.kill(id, "SIGCONT");
    this.#paused.delete(id);
  }

  /**
   * Resolves once every running, unpaused node has had a heartbeat from
   * every other such node and suspects none of them (per its /cluster);
   * LAB_TIMEOUT otherwise. After a heal or a restart, this is the moment the
   * cluster is whole again as far as its members know.
   */
  async waitConnected(timeoutMs = connectTimeoutMs): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const live = this.nodes.filter((id) => this.isRunning(id) && !this.#paused.has(id));
      const views = await Promise.all(live.map((id) => this.#membersUp(id)));
      const missing = live.flatMap((id, i) =>
        live
          .filter((other) => other !== id && views[i]?.has(other) !== true)
          .map((other) => `${id} has not heard ${other}`),
      );
      if (missing.length === 0) return;
      if (Date.now() > deadline)
        throw new LabError("LAB_TIMEOUT", `the nodes did not connect within ${timeoutMs} ms: ${missing.join(", ")}`);
      await new Promise((resolve) => setTimeout(resolve, membershipPollMs));
    }
  }

  /** Resumes the paused nodes, then SIGTERM to all (SIGKILL after a grace period); resolves when all have exited. */
  async stop(): Promise<void> {
    for (const id of this.#paused) if (this.isRunning(id)) this.#cluster.kill(id, "SIGCONT");
    this.#paused.clear();
    await this.#cluster.stop();
  }

  #node(id: string): ProcessCluster["nodes"][number] {
    const node = this.#cluster.nodes.find((n) => n.id === id);
    if (node === undefined) throw new LabError("LAB_UNKNOWN_NODE", `no node ${JSON.stringify(id)} in the cluster`);
    return node;
  }

  /** The peers `id` has a heartbeat from and does not suspect; empty if it does not answer. */
  async #membersUp(id: string): Promise<Set<string>> {
    try {
      const response = await fetch(`${this.url(id)}/cluster`, {
        signal: AbortSignal.timeout(membershipRequestTimeoutMs),
      });
      const body = (await response.json()) as {
        members?: { id: string; self: boolean; suspected?: boolean; lastHeartbeatAgoMs?: number | null }[];
      };
      const up = (body.members ?? []).filter(
        (m) => !m.self && m.suspected === false && typeof m.lastHeartbeatAgoMs === "number",
      );
      return new Set(up.map((m) => m.id));
    } catch {
      return new Set();
    }
  }

  #running(id: string): void {
    if (!this.isRunning(id)) throw new LabError("LAB_NODE_NOT_RUNNING", `${id} is not running`);
  }
}
