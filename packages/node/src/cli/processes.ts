/**
 * A cluster of real node processes on this machine: `skew cluster`, the
 * main job (`skew demo`), the crash test and the benchmarks start it. Each
 * node is `node <cli> node` with its configuration in `SKEW_*` variables
 * (the secret never on a command line), its own data directory under one
 * folder, its output to a log file there, and a port on loopback.
 *
 * `stop()` sends SIGTERM (the node drains and closes) and SIGKILL after
 * `stopGraceMs`; `kill(id, "SIGKILL")` and `restart(id)` are for crash
 * tests: a restarted node reuses its data directory.
 *
 * The fault-injection lab (test/faults/lab) gives each node its own address
 * (`hosts`) in its own network namespace, entered through a launcher
 * (`wrap`: `ip netns exec <namespace>`, which execs, so the spawned process
 * is still the node and SIGKILL/SIGSTOP reach it).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** How long a node may take to answer /health after it was spawned. */
export const startTimeoutMs = 30_000;
/** How long a node may take to exit after SIGTERM before it is killed. */
export const stopGraceMs = 10_000;

export interface ProcessClusterOptions {
  readonly nodes: number;
  /** The folder of the data directories (`<dataDir>/<id>`) and the logs (`<dataDir>/<id>.log`). */
  readonly dataDir: string;
  readonly basePort?: number;
  /** Each node's port, instead of `basePort` upwards. */
  readonly ports?: readonly number[];
  readonly host?: string;
  /** Each node's address to listen on and be reached at, instead of `host` for all (one network namespace each). */
  readonly hosts?: readonly string[];
  /** Each node's id, instead of `n1` upwards. */
  readonly ids?: readonly string[];
  /**
   * A launcher put before `node` on each node's command line, such as
   * `["ip", "netns", "exec", "<namespace>"]`. It must exec the node (not
   * fork it), so that the spawned process is the node and signals reach it.
   */
  readonly wrap?: (id: string) => readonly string[];
  readonly secret?: string;
  readonly adminToken?: string;
  /** Any other SKEW_* settings, the same for every node (SKEW_DURABILITY, SKEW_BUCKETS, ...). */
  readonly env?: Readonly<Record<string, string>>;
  /** The compiled CLI to run (default: this package's dist/cli.js). */
  readonly cli?: string;
  /** How long each node may take to answer /health after it was spawned (default `startTimeoutMs`). */
  readonly startTimeoutMs?: number;
  /** Arguments for node before the CLI's path (tests run the sources: `--import tsx`). */
  readonly nodeArgs?: readonly string[];
}

export interface NodeProcess {
  readonly id: string;
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly log: string;
  child: ChildProcess | undefined;
}

/**
 * The CLI the nodes run: this package's own, compiled (dist/cli.js) when
 * this module is, or its TypeScript source with this process's loader flags
 * (`--import tsx`, conditions) when this module runs from source, so `skew
 * cluster` from source starts nodes from the same source.
 */
export function defaultCli(): { readonly cli: string; readonly nodeArgs: readonly string[] } {
  const file = fileURLToPath(import.meta.url);
  const here = dirname(file);
  if (file.endsWith(".ts")) return { cli: resolve(here, "..", "cli.ts"), nodeArgs: process.execArgv };
  return { cli: resolve(here, "..", "cli.js"), nodeArgs: [] };
}

/** A loopback port the OS says is free now (it may be taken again before use: for tests and benchmarks on loopback). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export class ProcessCluster {
  readonly nodes: NodeProcess[];
  readonly secret: string;
  readonly adminToken: string;
  readonly #env: Readonly<Record<string, string>>;
  readonly #cli: string;
  readonly #nodeArgs: readonly string[];
  readonly #peers: string;
  readonly #startTimeoutMs: number;
  readonly #wrap: ((id: string) => readonly string[]) | undefined;

  constructor(options: ProcessClusterOptions) {
    if (!Number.isInteger(options.nodes) || options.nodes < 1 || options.nodes > 16) {
      throw new RangeError("a local cluster has 1 to 16 nodes");
    }
    const host = options.host ?? "127.0.0.1";
    const basePort = options.basePort ?? 7001;
    if (!Number.isInteger(basePort) || basePort < 1 || basePort + options.nodes - 1 > 65535) {
      throw new RangeError("--base-port leaves no room for every node's port");
    }
    this.secret = options.secret ?? randomBytes(24).toString("base64url");
    this.adminToken = options.adminToken ?? randomBytes(24).toString("base64url");
    this.#env = options.env ?? {};
    this.#startTimeoutMs = options.startTimeoutMs ?? startTimeoutMs;
    if (!(Number.isFinite(this.#startTimeoutMs) && this.#startTimeoutMs > 0)) {
      throw new RangeError("startTimeoutMs must be a number of ms > 0");
    }
    const fallback = defaultCli();
    this.#cli = options.cli ?? fallback.cli;
    this.#nodeArgs = options.nodeArgs ?? (options.cli === undefined ? fallback.nodeArgs : []);
    if (options.ports !== undefined && options.ports.length !== options.nodes)
      throw new RangeError("one port per node");
    if (options.hosts !== undefined && options.hosts.length !== options.nodes)
      throw new RangeError("one host per node");
    if (options.ids !== undefined && options.ids.length !== options.nodes) throw new RangeError("one id per node");
    if (options.ids !== undefined && new Set(options.ids).size !== options.ids.length)
      throw new RangeError("node ids must differ");
    this.#wrap = options.wrap;
    this.nodes = Array.from({ length: options.nodes }, (_, i) => {
      const id = options.ids?.[i] ?? `n${i + 1}`;
      const port = options.ports?.[i] ?? basePort + i;
      return {
        id,
        port,
        url: `http://${options.hosts?.[i] ?? host}:${port}`,
        dataDir: resolve(join(options.dataDir, id)),
        log: resolve(join(options.dataDir, `${id}.log`)),
        child: undefined,
      };
    });
    this.#peers = this.nodes.map((n) => `${n.id}=${n.url}`).join(",");
    mkdirSync(options.dataDir, { recursive: true });
  }

  node(id: string): NodeProcess {
    const node = this.nodes.find((n) => n.id === id);
    if (node === undefined) throw new RangeError(`no node ${id}`);
    return node;
  }

  /**
   * Spawns every node and waits until each answers /health. If one does not,
   * the others are stopped before the error is thrown: a failed start leaves
   * no process behind.
   */
  async start(): Promise<void> {
    for (const node of this.nodes) this.#spawn(node);
    const started = await Promise.allSettled(this.nodes.map((node) => this.waitHealthy(node.id, this.#startTimeoutMs)));
    const failure = started.find((result) => result.status === "rejected");
    if (failure !== undefined) {
      await this.stop();
      throw failure.reason;
    }
  }

  /** Spawns one node again on its data directory (after `kill`). */
  async restart(id: string): Promise<void> {
    const node = this.node(id);
    if (running(node.child)) throw new Error(`${id} is still running`);
    this.#spawn(node);
    await this.waitHealthy(id, this.#startTimeoutMs);
  }

  /** Sends `signal` to a node (SIGKILL: a crash; SIGSTOP/SIGCONT: a pause). */
  kill(id: string, signal: NodeJS.Signals): void {
    const child = this.node(id).child;
    if (child === undefined || !running(child)) throw new Error(`${id} is not running`);
    child.kill(signal);
  }

  /** Resolves once the node's process has exited. */
  async exited(id: string): Promise<number | null> {
    const child = this.node(id).child;
    if (child === undefined || !running(child)) return child?.exitCode ?? null;
    return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  }

  async waitHealthy(id: string, timeoutMs = startTimeoutMs): Promise<void> {
    const node = this.node(id);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (node.child !== undefined && !running(node.child)) {
        const how = node.child.signalCode ?? `code ${node.child.exitCode}`;
        throw new Error(`${id} exited (${how}) while starting; its log: ${node.log}`);
      }
      try {
        const response = await fetch(`${node.url}/health`, { signal: AbortSignal.timeout(1_000) });
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline)
        throw new Error(`${id} did not answer /health within ${timeoutMs} ms; its log: ${node.log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGTERM to every running node, SIGKILL after the grace period; resolves when all have exited. */
  async stop(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (node) => {
        const child = node.child;
        if (child === undefined || !running(child)) return;
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGCONT"); // a paused node cannot handle SIGTERM
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), stopGraceMs);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  #spawn(node: NodeProcess): void {
    const log = openSync(node.log, "a");
    const [command = process.execPath, ...args] = [
      ...(this.#wrap?.(node.id) ?? []),
      process.execPath,
      ...this.#nodeArgs,
      this.#cli,
      "node",
    ];
    const child = spawn(command, args, {
      env: {
        ...process.env,
        ...this.#env,
        SKEW_ID: node.id,
        SKEW_PORT: String(node.port),
        SKEW_HOST: new URL(node.url).hostname,
        SKEW_PEERS: this.#peers,
        SKEW_DATA_DIR: node.dataDir,
        SKEW_SECRET: this.secret,
        SKEW_ADMIN_TOKEN: this.adminToken,
      },
      stdio: ["ignore", log, log],
    });
    // The child holds its own copy of the descriptor; this process's is not needed past the spawn.
    closeSync(log);
    node.child = child;
  }
}

function running(child: ChildProcess | undefined): boolean {
  return child !== undefined && child.exitCode === null && child.signalCode === null;
}
