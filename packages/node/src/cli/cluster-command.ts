/**
 * `skew cluster --nodes 3`: a local cluster of node processes (each with
 * its data directory under `--data-dir`), until Ctrl-C, which stops them
 * cleanly. Prints the addresses, the admin token and how to talk to it.
 */
import { parseArgs } from "node:util";
import { exitCodes, usageErrorOf } from "./exit.js";
import { ProcessCluster, startTimeoutMs } from "./processes.js";

export const clusterHelp = `usage: skew cluster [--nodes 3] [--data-dir .skew-data] [--base-port 7001] [--durability sync|relaxed]
                    [--start-timeout-ms ${startTimeoutMs}]

Starts --nodes replica processes on 127.0.0.1, ports --base-port upwards,
each with its data directory <data-dir>/<id> and log <data-dir>/<id>.log,
and keeps them running until Ctrl-C (then stops them cleanly). A node that
does not answer /health within --start-timeout-ms of its spawn fails the
start, and every node is stopped.`;

export async function runClusterCommand(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        nodes: { type: "string", default: "3" },
        "data-dir": { type: "string", default: ".skew-data" },
        "base-port": { type: "string", default: "7001" },
        durability: { type: "string", default: "sync" },
        "start-timeout-ms": { type: "string", default: String(startTimeoutMs) },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw usageErrorOf(error);
  }
  if (values.help === true) {
    process.stdout.write(`${clusterHelp}\n`);
    return exitCodes.ok;
  }
  const nodes = Number(values.nodes);
  const basePort = Number(values["base-port"]);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 16) throw usageErrorOf(new Error("--nodes must be 1 to 16"));
  if (!Number.isInteger(basePort) || basePort < 1 || basePort > 65535)
    throw usageErrorOf(new Error("--base-port must be a port"));
  const startTimeout = Number(values["start-timeout-ms"]);
  if (!Number.isInteger(startTimeout) || startTimeout < 1) {
    throw usageErrorOf(new Error("--start-timeout-ms must be a whole number of milliseconds, at least 1"));
  }
  const cluster = new ProcessCluster({
    nodes,
    basePort,
    dataDir: String(values["data-dir"]),
    env: { SKEW_DURABILITY: String(values.durability) },
    startTimeoutMs: startTimeout,
  });
  await startAndServe(cluster);
  return exitCodes.ok;
}

/** Starts the cluster, prints how to use it, and waits for Ctrl-C (or SIGTERM), then stops it. */
export async function startAndServe(cluster: ProcessCluster, afterStart?: () => Promise<void>): Promise<void> {
  let interrupted = false;
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => {
      interrupted = true;
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  try {
    await cluster.start();
    if (!interrupted) await afterStart?.();
    if (!interrupted) {
      process.stdout.write(`${describeCluster(cluster)}\n`);
      await stopped;
    }
  } finally {
    process.stdout.write("\nstopping the cluster...\n");
    await cluster.stop();
    process.stdout.write("stopped.\n");
  }
}

export function describeCluster(cluster: ProcessCluster): string {
  const first = cluster.nodes[0]?.url ?? "";
  const urls = cluster.nodes.map((n) => n.url).join(",");
  return [
    "",
    `A ${cluster.nodes.length}-replica cluster is running:`,
    ...cluster.nodes.map((n) => `  ${n.id}  ${n.url}   data ${n.dataDir}   log ${n.log}`),
    "",
    `Look at it: open ${first}/ (the dashboard: the cluster, the clocks, a key's replicas, lost updates live)`,
    "",
    "Talk to it:",
    `  curl -X PUT --data 'hello' -H 'content-type: text/plain' ${first}/buckets/causal/keys/greeting`,
    `  curl ${first}/buckets/causal/keys/greeting`,
    `  npx skew status --nodes ${urls}`,
    `  npx skew get causal greeting --nodes ${urls}`,
    `  open ${first}/docs for the API, ${first}/cluster for the members and their clocks`,
    `  admin token (clock control, POST /admin/clock): ${cluster.adminToken}`,
    "",
    "Ctrl-C stops it.",
  ].join("\n");
}
