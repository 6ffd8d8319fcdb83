/** Fake processes, systems and results: the comparison's logic tested without starting anything or timing it. */
import type { LoadResult } from "@skew/harness";
import type { Launch, LaunchedProcess } from "../../src/throughput/etcd.js";
import type { Machine, ThroughputMeasurement, ThroughputResults } from "../../src/throughput/run.js";
import { compareAtLevel } from "../../src/throughput/run.js";
import type { SystemName, SystemUnderTest } from "../../src/throughput/systems.js";
import { tradeoffs } from "../../src/throughput/tradeoffs.js";

export class FakeProcess implements LaunchedProcess {
  readonly pid = undefined;
  readonly signals: NodeJS.Signals[] = [];
  readonly exited: Promise<void>;
  #running = true;
  #how = "";
  #exit: () => void = () => {};

  constructor(
    readonly command: string,
    readonly args: readonly string[],
    /** A process that ignores SIGTERM only dies of SIGKILL (a member stuck in fsync). */
    readonly ignoresSigterm = false,
  ) {
    this.exited = new Promise((resolve) => {
      this.#exit = resolve;
    });
  }

  running(): boolean {
    return this.#running;
  }

  describeExit(): string {
    return this.#how;
  }

  kill(signal: NodeJS.Signals): void {
    if (!this.#running) return;
    this.signals.push(signal);
    if (signal === "SIGKILL" || (signal === "SIGTERM" && !this.ignoresSigterm)) this.die(`signal ${signal}`);
  }

  /** The process ends by itself (a crash at start-up). */
  die(how = "code 1"): void {
    if (!this.#running) return;
    this.#running = false;
    this.#how = how;
    this.#exit();
  }
}

/** A launcher that records every process it "starts". */
export function fakeLauncher(make: (index: number, command: string, args: readonly string[]) => FakeProcess): {
  launch: Launch;
  processes: FakeProcess[];
} {
  const processes: FakeProcess[] = [];
  return {
    processes,
    launch: (command, args) => {
      const process = make(processes.length, command, args);
      processes.push(process);
      return process;
    },
  };
}

export function loadResult(rps: number, p99Ms: number, extra: Partial<LoadResult> = {}): LoadResult {
  return {
    requests: rps * 5,
    warmupRequests: rps,
    errors: 0,
    non2xx: 0,
    rps,
    p50Ms: p99Ms / 3,
    p99Ms,
    maxMs: p99Ms * 2,
    ...extra,
  };
}

export const machine: Machine = { cpus: 2, model: "Test CPU", node: "v20.0.0" };

export class FakeSystem implements SystemUnderTest {
  stops = 0;
  /** What `cpuMs` reads: the fake load adds to it; undefined plays a system whose CPU time cannot be read. */
  cpuUsedMs: number | undefined = 0;
  readonly targets: readonly string[];
  constructor(
    readonly system: SystemName,
    readonly label: string,
  ) {
    this.targets = [`http://${system}.invalid:1`, `http://${system}.invalid:2`, `http://${system}.invalid:3`];
  }
  putRequest(keyPrefix: string) {
    return { method: "PUT" as const, path: `/${this.system}/${keyPrefix}{i}` };
  }
  cpuMs(): number | undefined {
    return this.cpuUsedMs;
  }
  async stop(): Promise<void> {
    this.stops++;
  }
}

/** Results as a run would return them, from (connections, skew, etcd) rows. */
export function resultsOf(
  levels: readonly { connections: number; skew: LoadResult; etcd: LoadResult | null }[],
  overrides: Partial<ThroughputResults> = {},
): ThroughputResults {
  const rows: ThroughputMeasurement[] = [];
  for (const level of levels) {
    rows.push({
      system: "skew",
      name: "skew, N=3 R=W=2 sync, causal",
      connections: level.connections,
      result: level.skew,
      cpuUsPerPut: 300,
    });
    if (level.etcd !== null)
      rows.push({
        system: "etcd",
        name: "etcd 3.4.23, 3 members",
        connections: level.connections,
        result: level.etcd,
        cpuUsPerPut: 250,
      });
  }
  const comparisons = levels.map((level) => compareAtLevel(rows, level.connections));
  const judged = comparisons.filter((c) => c.goalMet !== null);
  const anyEtcd = levels.some((level) => level.etcd !== null);
  return {
    kind: "throughput-vs-etcd",
    startedAt: "2026-11-26T00:00:00.000Z",
    elapsedMs: 60_000,
    machine,
    settings: {
      quick: false,
      connections: levels.map((l) => l.connections),
      valueBytes: 100,
      bucket: "causal",
      rowDurationMs: 5_000,
      rowWarmupMs: 1_000,
      clusterWarmupMs: 15_000,
    },
    etcd: anyEtcd
      ? { status: "measured", version: "3.4.23", binary: "/usr/bin/etcd" }
      : { status: "skipped", reason: "etcd is not installed and installing was turned off" },
    rows,
    comparisons,
    goal: {
      text: "Skew >= 1.5x etcd's puts/s with a lower p99",
      ratio: 1.5,
      met: judged.length === 0 ? null : judged.every((c) => c.goalMet === true),
    },
    tradeoffs,
    ...overrides,
  };
}
