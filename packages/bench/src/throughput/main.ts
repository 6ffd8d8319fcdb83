/**
 * `node dist/throughput/main.js [--quick] [--json] ...`: the comparison
 * with etcd as a process (see command.ts). Ctrl-C (or SIGTERM) stops the
 * run and tears both clusters down before it exits.
 */
import { throughputCommand } from "./command.js";

const controller = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => controller.abort());
process.exitCode = await throughputCommand(
  process.argv.slice(2),
  { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) },
  controller.signal,
);
