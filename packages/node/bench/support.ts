/**
 * What the node's benchmarks share: the load generator (`@skew/harness`'s,
 * in a process of its own, so its work is not the measured process's), the
 * floor (bench/floor-server.ts, one fastify process doing one local level
 * put or get per request) and the replication floor
 * (bench/replication-floor.ts, three processes replicating each put with
 * the node's parts and nothing of `@skew/kv`).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { promisify } from "node:util";
import { type LoadOptions, type LoadResult, loadProcessArgs } from "@skew/harness";
import { freePort } from "../src/cli/processes.js";

const run = promisify(execFile);
const here = import.meta.dirname;

/** Runs one load in a process of its own and returns its result. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { stdout } = await run(process.execPath, loadProcessArgs(options), { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as LoadResult;
}

/** Starts the floor server on a free port, its level database under `dir`. */
export async function startFloor(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = await startReady("the floor server", [join(here, "floor-server.ts"), String(port), join(dir, "floor")]);
  return { url: `http://127.0.0.1:${port}`, child };
}

/**
 * Starts the replication floor's three members on free ports, their data
 * under `dir`; `stop` ends them. `storage: "none"`: they store nothing.
 * `groupCommitWindowMs`: their store's (`SKEW_GROUP_COMMIT_WINDOW_MS`);
 * when absent, this process's environment's, or else the store's default
 * (the node's).
 */
export async function startReplicationFloor(
  dir: string,
  storage: "level" | "none" = "level",
  groupCommitWindowMs?: number,
): Promise<{ urls: string[]; children: ChildProcess[]; stop(): void }> {
  const ids = ["r1", "r2", "r3"];
  const ports = await Promise.all(ids.map(() => freePort()));
  const urls = ports.map((port) => `http://127.0.0.1:${port}`);
  const members = ids.map((id, i) => `${id}=${urls[i]}`).join(",");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SKEW_SECRET: randomBytes(24).toString("base64url"),
    SKEW_FLOOR_STORAGE: storage,
  };
  if (groupCommitWindowMs !== undefined) env.SKEW_GROUP_COMMIT_WINDOW_MS = String(groupCommitWindowMs);
  const children: ChildProcess[] = [];
  const stop = (): void => {
    for (const child of children) child.kill("SIGTERM");
  };
  try {
    for (const [i, id] of ids.entries()) {
      const args = [join(here, "replication-floor.ts"), id, String(ports[i]), join(dir, id), members];
      children.push(await startReady(`replication floor member ${id}`, args, env));
    }
  } catch (error) {
    stop();
    throw error;
  }
  return { urls, children, stop };
}

/** Runs a bench server from source and waits for its "ready" line. */
async function startReady(name: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--conditions=@skew/source", "--import", "tsx", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    ...(env === undefined ? {} : { env }),
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("ready")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`${name} exited with ${code}`)));
  });
  return child;
}
