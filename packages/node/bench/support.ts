/**
 * What the node's benchmarks share: the load generator (`@skew/harness`'s,
 * in a process of its own, so its work is not the measured process's) and
 * the floor (bench/floor-server.ts, one fastify process doing one local
 * level put or get per request).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
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
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(here, "floor-server.ts"), String(port), join(dir, "floor")],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("ready")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`the floor server exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}
