/**
 * etcd, what a user would pick instead of Skew for a replicated store, run
 * the way the issue measured it: Debian's `etcd-server` (3.4), three members
 * on loopback ports of this machine, data in a temporary folder, the
 * HTTP/JSON gateway every member serves on its client port (so the same
 * HTTP load generator drives both systems). The binary is installed with
 * apt-get when it is missing and that is possible; when it is not, the
 * comparison goes on without etcd's rows and says why.
 *
 * The cluster is torn down whatever happens: a member that exits while the
 * others start stops them all; `stop()` sends SIGTERM, then SIGKILL after a
 * grace period; and a process exit of the benchmark kills what is left.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { accessSync, closeSync, constants as fsConstants, mkdirSync, openSync, readFileSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import {
  etcdProbeIntervalMs,
  etcdProbeTimeoutMs,
  etcdStartTimeoutMs,
  etcdStopGraceMs,
  logTailBytes,
} from "./constants.js";
import { ThroughputError } from "./errors.js";

// ---------------------------------------------------------------------------
// Is etcd here, or can it be installed?

export type EtcdAvailability =
  | { readonly available: true; readonly binary: string; readonly version: string }
  | { readonly available: false; readonly reason: string };

/** What `ensureEtcd` does to the system, as functions a test can replace. */
export interface SystemDeps {
  /** The absolute path of an executable on PATH, or undefined. */
  which(name: string): string | undefined;
  run(command: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  isRoot(): boolean;
}

export const realSystem: SystemDeps = {
  which(name) {
    for (const dir of (process.env.PATH ?? "").split(delimiter)) {
      if (dir === "") continue;
      const file = join(dir, name);
      try {
        accessSync(file, fsConstants.X_OK);
        return file;
      } catch {
        // not in this folder
      }
    }
    return undefined;
  },
  run(command, args) {
    return new Promise((done) => {
      execFile(
        command,
        args,
        { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, maxBuffer: 16 << 20 },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
          done({ code, stdout, stderr: stderr || (error?.message ?? "") });
        },
      );
    });
  },
  isRoot: () => process.getuid?.() === 0,
};

export interface EnsureEtcdOptions {
  /** An etcd binary to use instead of the one on PATH. */
  readonly binary?: string;
  /** Install Debian's etcd-server with apt-get when etcd is missing (default true). */
  readonly install?: boolean;
  /** Progress for the user (the install takes a while and changes the system, so it is announced). */
  readonly say?: (text: string) => void;
}

export const etcdPackage = "etcd-server";
const installHint = `apt-get install -y ${etcdPackage}`;

/**
 * Finds etcd, installing it with apt-get when it is missing (as root, on a
 * system with apt-get). Never throws: a reason is a value, and the caller
 * skips etcd's rows with it.
 */
export async function ensureEtcd(
  options: EnsureEtcdOptions = {},
  system: SystemDeps = realSystem,
): Promise<EtcdAvailability> {
  const say = options.say ?? (() => {});
  let binary = options.binary ?? system.which("etcd");
  if (binary === undefined) {
    if (options.install === false)
      return { available: false, reason: `etcd is not installed and installing was turned off (${installHint})` };
    if (system.which("apt-get") === undefined)
      return {
        available: false,
        reason:
          "etcd is not installed and this system has no apt-get: install etcd 3.4 or later and put `etcd` on PATH",
      };
    if (!system.isRoot())
      return { available: false, reason: `etcd is not installed and installing it needs root: sudo ${installHint}` };
    say(`etcd is not installed: installing Debian's ${etcdPackage} (${installHint}) ...`);
    let installed = await system.run("apt-get", ["install", "-y", etcdPackage]);
    if (installed.code !== 0) {
      say("apt-get could not install it with the package lists it has: apt-get update, then once more ...");
      const updated = await system.run("apt-get", ["update"]);
      if (updated.code === 0) installed = await system.run("apt-get", ["install", "-y", etcdPackage]);
      else installed = updated;
    }
    binary = system.which("etcd");
    if (installed.code !== 0 || binary === undefined)
      return {
        available: false,
        reason: `etcd is not installed and ${installHint} failed: ${tail(installed.stderr.trim(), 400) || `exit code ${installed.code}`}`,
      };
    say(`installed ${etcdPackage}: ${binary}`);
  }
  const versionRun = await system.run(binary, ["--version"]);
  const version = /etcd Version:\s*(\S+)/.exec(versionRun.stdout)?.[1];
  if (versionRun.code !== 0 || version === undefined)
    return {
      available: false,
      reason: `${binary} --version did not say which etcd it is: ${tail(versionRun.stderr, 400)}`,
    };
  const [major = 0, minor = 0] = version.split(".").map(Number);
  if (major < 3 || (major === 3 && minor < 4))
    return { available: false, reason: `etcd ${version} has no /v3 HTTP gateway: 3.4 or later is needed` };
  return { available: true, binary, version };
}

// ---------------------------------------------------------------------------
// The members' command lines

export interface EtcdMember {
  readonly name: string;
  /** Where clients (and the gateway) are served: `http://127.0.0.1:<port>`. */
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  /** The member's standard output and error. */
  readonly log: string;
  /** The arguments after the binary. */
  readonly args: readonly string[];
}

export interface EtcdPlanOptions {
  /** The folder of the members' data directories (`<dataDir>/<name>`) and logs (`<dataDir>/<name>.log`). */
  readonly dataDir: string;
  readonly clientPorts: readonly number[];
  readonly peerPorts: readonly number[];
  /** Keeps two clusters started at once on one machine from joining each other. */
  readonly token: string;
  readonly host?: string;
}

/**
 * One command line per member of a new cluster: each listens on its own
 * loopback ports, knows every member from the start (static bootstrap, no
 * discovery), serves the v3 HTTP/JSON gateway, and logs warnings only (a
 * member logging every request would be measuring its logger).
 */
export function planEtcdCluster(options: EtcdPlanOptions): EtcdMember[] {
  const host = options.host ?? "127.0.0.1";
  const count = options.clientPorts.length;
  if (count < 1 || options.peerPorts.length !== count)
    throw new TypeError("one client port and one peer port per member, at least one member");
  if (new Set([...options.clientPorts, ...options.peerPorts]).size !== count * 2)
    throw new TypeError("every port of the cluster must differ");
  if (!/^[A-Za-z0-9-]+$/.test(options.token)) throw new TypeError("the cluster token is letters, digits and -");
  const names = Array.from({ length: count }, (_, i) => `m${i + 1}`);
  const peerUrl = (i: number) => `http://${host}:${options.peerPorts[i]}`;
  const initialCluster = names.map((name, i) => `${name}=${peerUrl(i)}`).join(",");
  return names.map((name, i) => {
    const clientUrl = `http://${host}:${options.clientPorts[i]}`;
    const dataDir = resolve(options.dataDir, name);
    return {
      name,
      clientUrl,
      peerUrl: peerUrl(i),
      dataDir,
      log: resolve(options.dataDir, `${name}.log`),
      args: [
        `--name=${name}`,
        `--data-dir=${dataDir}`,
        `--listen-client-urls=${clientUrl}`,
        `--advertise-client-urls=${clientUrl}`,
        `--listen-peer-urls=${peerUrl(i)}`,
        `--initial-advertise-peer-urls=${peerUrl(i)}`,
        `--initial-cluster=${initialCluster}`,
        `--initial-cluster-token=${options.token}`,
        "--initial-cluster-state=new",
        "--enable-grpc-gateway=true",
        "--logger=zap",
        "--log-level=warn",
        "--log-outputs=stderr",
      ],
    };
  });
}

// ---------------------------------------------------------------------------
// The running cluster

/** A started process, as much of it as the cluster needs (a test gives fakes). */
export interface LaunchedProcess {
  /** The operating system's process id (undefined when it did not start, or for a fake). */
  readonly pid: number | undefined;
  running(): boolean;
  /** "code 1", "signal SIGKILL": how it ended, for messages. */
  describeExit(): string;
  /** Resolves once the process has exited. */
  readonly exited: Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

export type Launch = (command: string, args: readonly string[], logFile: string) => LaunchedProcess;
/** True once a member says it is healthy (it has a leader). */
export type Probe = (clientUrl: string) => Promise<boolean>;

/** Spawns with the output appended to `logFile`. */
export const launchProcess: Launch = (command, args, logFile) => {
  const fd = openSync(logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(command, args, { stdio: ["ignore", fd, fd] });
  } finally {
    closeSync(fd); // the child has its own copy
  }
  let failed: Error | undefined;
  const exited = new Promise<void>((done) => {
    child.once("exit", () => done());
    child.once("error", (error) => {
      failed = error;
      done();
    });
  });
  return {
    pid: child.pid,
    running: () => failed === undefined && child.exitCode === null && child.signalCode === null,
    describeExit: () =>
      failed !== undefined
        ? `could not start: ${failed.message}`
        : child.signalCode !== null
          ? `signal ${child.signalCode}`
          : `code ${child.exitCode}`,
    exited,
    kill: (signal) => {
      if (failed === undefined && child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
};

/** etcd's `/health` says `{"health":"true"}` once the member has a leader and no alarm. */
export const probeEtcdHealth: Probe = async (clientUrl) => {
  try {
    const response = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(etcdProbeTimeoutMs) });
    const body = (await response.json()) as { health?: unknown };
    return response.ok && body.health === "true";
  } catch {
    return false;
  }
};

export interface EtcdClusterOptions {
  readonly binary: string;
  readonly members: readonly EtcdMember[];
  readonly startTimeoutMs?: number;
  readonly stopGraceMs?: number;
  readonly probeIntervalMs?: number;
  readonly launch?: Launch;
  readonly probe?: Probe;
}

export class EtcdCluster {
  readonly members: readonly EtcdMember[];
  readonly #processes: LaunchedProcess[];
  readonly #stopGraceMs: number;
  /** Kills what is left if the benchmark's process exits without stopping the cluster. */
  readonly #onExit = (): void => {
    for (const child of this.#processes) child.kill("SIGKILL");
  };

  private constructor(members: readonly EtcdMember[], processes: LaunchedProcess[], stopGraceMs: number) {
    this.members = members;
    this.#processes = processes;
    this.#stopGraceMs = stopGraceMs;
    process.once("exit", this.#onExit);
  }

  /**
   * Spawns every member and resolves once each reports itself healthy. If a
   * member exits first, or the deadline passes, every member is stopped and
   * it rejects with THROUGHPUT_ETCD_START_FAILED, quoting the member's log.
   */
  static async start(options: EtcdClusterOptions): Promise<EtcdCluster> {
    const launch = options.launch ?? launchProcess;
    const probe = options.probe ?? probeEtcdHealth;
    const timeoutMs = options.startTimeoutMs ?? etcdStartTimeoutMs;
    const intervalMs = options.probeIntervalMs ?? etcdProbeIntervalMs;
    const processes: LaunchedProcess[] = [];
    const cluster = new EtcdCluster(options.members, processes, options.stopGraceMs ?? etcdStopGraceMs);
    try {
      for (const member of options.members) {
        mkdirSync(dirname(member.log), { recursive: true });
        processes.push(launch(options.binary, member.args, member.log));
      }
      const deadline = Date.now() + timeoutMs;
      const healthy = new Set<string>();
      for (;;) {
        for (const [i, member] of options.members.entries()) {
          const child = processes[i] as LaunchedProcess;
          if (!child.running())
            throw new ThroughputError(
              "THROUGHPUT_ETCD_START_FAILED",
              `etcd member ${member.name} exited (${child.describeExit()}) while the cluster started; its log ${member.log}:\n${readTail(member.log)}`,
            );
          if (!healthy.has(member.name) && (await probe(member.clientUrl))) healthy.add(member.name);
        }
        if (healthy.size === options.members.length) return cluster;
        if (Date.now() > deadline) {
          const waiting = options.members.filter((m) => !healthy.has(m.name));
          throw new ThroughputError(
            "THROUGHPUT_ETCD_START_FAILED",
            `etcd member(s) ${waiting.map((m) => m.name).join(", ")} not healthy within ${timeoutMs} ms; logs: ${waiting.map((m) => m.log).join(", ")}`,
          );
        }
        await new Promise((r) => setTimeout(r, intervalMs));
      }
    } catch (error) {
      await cluster.stop();
      if (error instanceof ThroughputError) throw error;
      const detail = error instanceof Error ? error.message : String(error);
      throw new ThroughputError("THROUGHPUT_ETCD_START_FAILED", `etcd could not be started: ${detail}`, {
        cause: error,
      });
    }
  }

  /** The members' process ids, for their CPU time (`processesCpuMs`, @skew/harness). */
  get pids(): (number | undefined)[] {
    return this.#processes.map((process) => process.pid);
  }

  get clientUrls(): string[] {
    return this.members.map((member) => member.clientUrl);
  }

  /**
   * SIGTERM to each running member in turn, SIGKILL after the grace period;
   * resolves when all have exited. One at a time because a leader told to
   * stop first hands its leadership to a live follower: stopped all at once,
   * the leader waited for followers that were gone (5 s, then the SIGKILL).
   */
  async stop(): Promise<void> {
    for (const child of this.#processes) {
      if (!child.running()) continue;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), this.#stopGraceMs);
      await child.exited;
      clearTimeout(timer);
    }
    process.removeListener("exit", this.#onExit);
  }
}

function readTail(file: string): string {
  try {
    return tail(readFileSync(file, "utf8").trim(), logTailBytes);
  } catch {
    return "(no log)";
  }
}

function tail(text: string, chars: number): string {
  return text.length <= chars ? text : `...${text.slice(-chars)}`;
}
