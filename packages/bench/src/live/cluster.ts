/**
 * The live matrix's cluster: three real node processes on loopback
 * (@skew/node's `ProcessCluster`), with the default buckets (one per
 * conflict mode, named after it), so that one cluster serves every cell and
 * a run needs only a fresh key. Its clocks are set per run through the
 * admin endpoint, as the simulated cells set theirs (`clocksOf`: n1 half
 * the skew ahead, n3 half behind, or n1 and n3 drifting apart).
 *
 * Nothing outlives it: `stop()` ends the processes (SIGCONT first, so a
 * paused one can take its SIGTERM) and removes the data directories, and
 * if the benchmark's own process exits first, an exit hook kills them.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adjustClock, awaitHealthy } from "@skew/jepsen/live";
import { defaultCli, freePort, ProcessCluster } from "@skew/node";
import { nodes } from "../matrix/cells.js";

export interface LiveClusterOptions {
  /** The HLC's max offset on every node (`--max-offset-ms`). */
  readonly maxOffsetMs: number;
  /** TrueTime's error bound against the machine's clock (`--truetime-error-ms`). */
  readonly trueTimeErrorMs: number;
  /** The node CLI and node's flags before it (default: @skew/node's own; from source, run through tsx). */
  readonly cli?: string;
  readonly nodeArgs?: readonly string[];
  /** More SKEW_* settings for every node (SKEW_DURABILITY, SKEW_HEARTBEAT_INTERVAL_MS, ...). */
  readonly env?: Readonly<Record<string, string>>;
}

/** Per node: the wall-clock offset (ms) and drift (ppm) a run sets; nodes not named are set on time. */
export interface ClockSetting {
  readonly clockOffsetsMs: Readonly<Record<string, number>>;
  readonly clockDriftPpm: Readonly<Record<string, number>>;
}

/** The CLI the processes run, and the flags that let node run it: TypeScript sources go through tsx. */
function nodeCommand(options: LiveClusterOptions): { readonly cli: string; readonly nodeArgs: readonly string[] } {
  if (options.cli !== undefined) return { cli: options.cli, nodeArgs: options.nodeArgs ?? [] };
  const { cli } = defaultCli();
  return {
    cli,
    nodeArgs: options.nodeArgs ?? (cli.endsWith(".ts") ? ["--conditions=@skew/source", "--import", "tsx"] : []),
  };
}

export class LiveCluster {
  readonly processes: ProcessCluster;
  /** Node id to base URL. */
  readonly urls: Readonly<Record<string, string>>;
  readonly nodes: readonly string[] = nodes;
  readonly #dir: string;
  readonly #killOnExit: () => void;
  #stopped = false;

  private constructor(processes: ProcessCluster, dir: string) {
    this.processes = processes;
    this.#dir = dir;
    this.urls = Object.fromEntries(processes.nodes.map((node) => [node.id, node.url]));
    this.#killOnExit = () => {
      for (const node of processes.nodes) node.child?.kill("SIGKILL");
    };
    process.once("exit", this.#killOnExit);
  }

  /** Starts three nodes on free loopback ports and waits until they are healthy and suspect nobody. */
  static async start(options: LiveClusterOptions): Promise<LiveCluster> {
    const dir = mkdtempSync(join(tmpdir(), "skew-live-matrix-"));
    const ports = await Promise.all(nodes.map(() => freePort()));
    const processes = new ProcessCluster({
      nodes: nodes.length,
      ports,
      dataDir: dir,
      ...nodeCommand(options),
      env: {
        SKEW_LOG_LEVEL: "error",
        SKEW_MAX_OFFSET_MS: String(options.maxOffsetMs),
        SKEW_TRUETIME_ERROR_MS: String(options.trueTimeErrorMs),
        ...options.env,
      },
    });
    const cluster = new LiveCluster(processes, dir);
    try {
      await processes.start();
      await awaitHealthy(cluster.urls);
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  get adminToken(): string {
    return this.processes.adminToken;
  }

  /** Every node's process is still running (none crashed or was killed). */
  get alive(): boolean {
    return this.processes.nodes.every((node) => node.child?.exitCode === null && node.child.signalCode === null);
  }

  /** Sets every node's clock: the offsets and drifts given, on time and steady where none is given. */
  async setClocks(setting: ClockSetting): Promise<void> {
    await Promise.all(
      this.nodes.map((id) =>
        adjustClock(this.urls[id] as string, this.adminToken, {
          offsetMs: setting.clockOffsetsMs[id] ?? 0,
          driftPpm: setting.clockDriftPpm[id] ?? 0,
        }),
      ),
    );
  }

  async resetClocks(): Promise<void> {
    await this.setClocks({ clockOffsetsMs: {}, clockDriftPpm: {} });
  }

  async awaitHealthy(): Promise<void> {
    await awaitHealthy(this.urls);
  }

  /** Ends every process and removes the data directories; safe to call twice. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    try {
      await this.processes.stop();
    } finally {
      process.removeListener("exit", this.#killOnExit);
      rmSync(this.#dir, { recursive: true, force: true });
    }
  }
}
