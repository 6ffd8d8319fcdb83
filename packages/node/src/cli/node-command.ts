/**
 * `skew node`: one replica, in the foreground, until SIGTERM or SIGINT
 * (then it stops taking connections, lets in-flight requests finish,
 * flushes its store and exits 0). A failed durable write stops it with
 * exit code 1: restart it on the same data directory.
 */
import { loadConfig, nodeHelp } from "../config.js";
import { exitCodes } from "./exit.js";

export async function runNodeCommand(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${nodeHelp()}\n`);
    return exitCodes.ok;
  }
  const config = loadConfig(argv, process.env);
  if (!config.ok) {
    process.stderr.write(`skew node: ${config.error.message}\n`);
    return exitCodes.usage;
  }
  let fatal: ((code: number) => void) | undefined;
  const done = new Promise<number>((resolve) => {
    fatal = resolve;
  });
  // The server (fastify, swagger, level) loads only once the options are known to be good.
  const { buildServer } = await import("../server.js");
  const app = await buildServer(config.value, { onFatal: () => fatal?.(exitCodes.other) });
  const { host, port, id } = config.value;
  await app.listen({ host, port });
  app.log.info({ id, url: `http://${host}:${port}`, durability: config.value.durability }, "node listening");
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, "stopping: draining in-flight requests");
    app.close().then(
      () => fatal?.(exitCodes.ok),
      (error: unknown) => {
        app.log.error({ err: error }, "close failed");
        fatal?.(exitCodes.other);
      },
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
  const code = await done;
  if (code !== exitCodes.ok && !stopping) await app.close().catch(() => undefined);
  return code;
}
