/**
 * The image's HEALTHCHECK command, run here as Docker would run it in the
 * container (node -e, SKEW_PORT from the environment): healthy against a
 * real node configured as a compose service, unhealthy once it stops or
 * when /health answers 503.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildServer, loadConfig } from "@skew/node";
import { afterEach, describe, expect, it } from "vitest";
import { containerEnv, DOCKERFILE, imageEnv, last, serviceNames } from "./docker-files.js";
import { durationMs, parseHealthcheck } from "./dockerfile.js";

describe(`${DOCKERFILE} HEALTHCHECK, run`, () => {
  const healthcheck = parseHealthcheck(last("HEALTHCHECK").value);
  const where = last("HEALTHCHECK").where;
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** Runs the image's healthcheck command here, with SKEW_PORT set as in a container; its exit code. */
  function runHealthcheck(port: number): Promise<number | null> {
    if (healthcheck === undefined) throw new Error(`${where}: NONE`);
    const [program, ...args] = healthcheck.command;
    expect(program, `${where}: runs node (the slim image has no curl)`).toBe("node");
    // The image's timeout bounds a check in a quiet container; a loaded CI machine can take longer just to start
    // node, so the test allows more (it checks the exit code, not the speed) and only requires a timeout be set.
    expect(durationMs(healthcheck.options.timeout ?? "30s"), `${where}: a timeout`).toBeGreaterThan(0);
    const timeoutMs = 60_000;
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, args, {
        env: { PATH: process.env.PATH ?? "", SKEW_PORT: String(port) },
        stdio: "ignore",
        timeout: timeoutMs,
      });
      child.on("error", reject);
      child.on("exit", (code) => resolve(code));
    });
  }

  it("is healthy against a running node configured as the image and a service configure it", async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(path.join(tmpdir(), "skew-docker-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const [first, ...others] = serviceNames as [string, ...string[]];
    const otherPorts = await Promise.all(others.map(() => freePort()));
    // The service's environment, on loopback: this node at `port`, the others at ports where nothing listens.
    const peers = [
      `${first}=http://127.0.0.1:${port}`,
      ...others.map((name, i) => `${name}=http://127.0.0.1:${otherPorts[i]}`),
    ];
    const config = loadConfig([], {
      ...containerEnv(first),
      SKEW_HOST: "127.0.0.1",
      SKEW_PORT: String(port),
      SKEW_DATA_DIR: dataDir,
      SKEW_PEERS: peers.join(","),
      SKEW_LOG_LEVEL: "silent",
    });
    if (!config.ok) throw config.error;
    const app = await buildServer(config.value);
    cleanups.push(() => app.close());
    await app.listen({ host: config.value.host, port: config.value.port });
    expect(await runHealthcheck(port), `${where} against a running node`).toBe(0);
    await app.close();
    expect(await runHealthcheck(port), `${where} once the node has stopped`).toBe(1);
  });

  it("is unhealthy when /health answers 503", async () => {
    const requested: string[] = [];
    const server: Server = createServer((request, response) => {
      requested.push(request.url ?? "");
      response.writeHead(503).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const address = server.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    expect(await runHealthcheck(port), `${where} against a 503`).toBe(1);
    expect(requested, `${where}: the path it asks for`).toEqual(["/health"]);
  });

  it("falls back to the image's port when SKEW_PORT is unset", () => {
    const script = healthcheck?.command.join(" ") ?? "";
    const fallback = /process\.env\.SKEW_PORT\s*\|\|\s*(\d+)/.exec(script)?.[1];
    expect(fallback, `${where}: process.env.SKEW_PORT||<port>`).toBe(imageEnv.SKEW_PORT);
    expect(healthcheck?.options.interval, `${where} --interval`).toBeDefined();
  });
});

/** A loopback port the OS says is free now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
