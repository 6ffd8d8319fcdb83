/**
 * `skew get|put|delete|status`: talk to a running cluster through
 * @skew/client. `--nodes` (or SKEW_NODES) lists the nodes to try, in order.
 */
import { parseArgs } from "node:util";
import { type ClusterView, SkewClient, SkewClientError } from "@skew/client";
import { exitCodes, UsageError, usageErrorOf } from "./exit.js";

const help: Readonly<Record<string, string>> = {
  get: "usage: skew get <bucket> <key> [--nodes url,...] [--r n] [--at t] [--json]\n\nPrints each sibling's value (and the context with --json). Exit 3 when there is none.",
  put: "usage: skew put <bucket> <key> <value> [--context c] [--content-type t] [--fence n] [--w n] [--nodes url,...]\n\nWrites <value> (a string; '-' reads stdin). Prints the new context.",
  delete: "usage: skew delete <bucket> <key> [--context c] [--nodes url,...]\n\nDeletes the key (a tombstone).",
  status:
    "usage: skew status [--nodes url,...] [--json]\n\nA table of the cluster as each node sees it: members, phi, last heartbeat, clock offsets.",
};

export async function runClientCommand(command: "get" | "put" | "delete" | "status", argv: string[]): Promise<number> {
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        nodes: { type: "string" },
        context: { type: "string" },
        "content-type": { type: "string" },
        fence: { type: "string" },
        r: { type: "string" },
        w: { type: "string" },
        at: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw usageErrorOf(error);
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    process.stdout.write(`${help[command]}\n`);
    return exitCodes.ok;
  }
  const nodes = String(values.nodes ?? process.env.SKEW_NODES ?? "http://127.0.0.1:7001")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const client = new SkewClient({ nodes });
  try {
    if (command === "status") return await status(client, nodes, values.json === true);
    const expected = command === "put" ? 3 : 2;
    if (positionals.length !== expected) throw new UsageError(`expected ${expected} arguments\n\n${help[command]}`);
    const [bucket, key, raw] = positionals as [string, string, string | undefined];
    const count = (name: string): number | undefined => {
      const v = values[name];
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer`);
      return n;
    };
    if (command === "get") {
      const at = values.at === undefined ? undefined : Number(values.at);
      if (at !== undefined && !Number.isFinite(at)) throw new UsageError("--at must be a number");
      const r = count("r");
      const read = await client.get(bucket, key, {
        ...(r === undefined ? {} : { r }),
        ...(at === undefined ? {} : { at }),
      });
      if (values.json === true) {
        const siblings = read.siblings.map((s) => ({
          contentType: s.contentType,
          value: new TextDecoder().decode(s.value),
        }));
        process.stdout.write(`${JSON.stringify({ found: read.found, siblings, context: read.context })}\n`);
      } else {
        for (const s of read.siblings) process.stdout.write(`${new TextDecoder().decode(s.value)}\n`);
        if (read.siblings.length > 1) process.stderr.write(`(${read.siblings.length} siblings)\n`);
      }
      return read.found ? exitCodes.ok : exitCodes.notFound;
    }
    const context = typeof values.context === "string" ? values.context : undefined;
    const fence = count("fence");
    const w = count("w");
    const common = {
      ...(context === undefined ? {} : { context }),
      ...(fence === undefined ? {} : { fence }),
      ...(w === undefined ? {} : { w }),
    };
    if (command === "put") {
      const value = raw === "-" ? await readStdin() : (raw as string);
      const contentType = typeof values["content-type"] === "string" ? values["content-type"] : undefined;
      const written = await client.put(bucket, key, value, {
        ...common,
        ...(contentType === undefined ? {} : { contentType }),
      });
      process.stdout.write(`${written.context}\n`);
      if (written.warning !== undefined)
        process.stderr.write(`warning: ${written.warning} (${written.siblings} siblings)\n`);
      return exitCodes.ok;
    }
    const deleted = await client.delete(bucket, key, common);
    process.stdout.write(`${deleted.context}\n`);
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof SkewClientError) {
      process.stderr.write(`skew ${command}: ${error.code}: ${error.message}\n`);
      if (error.code === "NETWORK_ERROR") return exitCodes.unreachable;
      if (error.status === 404) return exitCodes.notFound;
      return error.definite ? exitCodes.failedDefinitely : exitCodes.failedIndefinitely;
    }
    throw error;
  } finally {
    await client.close();
  }
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Asks every node listed (and every member the first one knows) for its view; prints one table per node. */
async function status(client: SkewClient, nodes: readonly string[], json: boolean): Promise<number> {
  const first: ClusterView = await client.cluster();
  const urls = [...new Set([...nodes, ...first.members.map((m) => m.url)])];
  const views = await Promise.all(
    urls.map(async (url) => {
      const one = new SkewClient({ nodes: [url], timeoutMs: 2_000, retries: 0 });
      try {
        return { url, view: await one.cluster() };
      } catch (error) {
        return { url, error: error instanceof Error ? error.message : String(error) };
      } finally {
        await one.close();
      }
    }),
  );
  if (json) {
    process.stdout.write(`${JSON.stringify(views)}\n`);
  } else {
    for (const entry of views) {
      if (!("view" in entry) || entry.view === undefined) {
        process.stdout.write(`${entry.url}: unreachable (${entry.error})\n\n`);
        continue;
      }
      const { view } = entry;
      const tt = view.clock.truetime;
      const epsilon = tt === null ? "unsynced" : `±${((tt.latest - tt.earliest) / 2).toFixed(2)} ms`;
      process.stdout.write(
        `${view.node} (${entry.url}): clock offset ${view.clock.offsetMs} ms (admin), TrueTime ${epsilon}, hints held ${view.hints}\n`,
      );
      process.stdout.write(
        `  ${"member".padEnd(8)} ${"state".padEnd(10)} ${"phi".padStart(8)} ${"last beat".padStart(10)} ${"clock offset".padStart(13)}\n`,
      );
      for (const m of view.members) {
        if (m.self) {
          process.stdout.write(`  ${m.id.padEnd(8)} ${"self".padEnd(10)}\n`);
          continue;
        }
        const state = m.suspected ? "SUSPECTED" : "up";
        const phi = m.phi === null || m.phi === undefined ? "-" : m.phi < 0.01 ? "<0.01" : m.phi.toFixed(2);
        const beat =
          m.lastHeartbeatAgoMs === null || m.lastHeartbeatAgoMs === undefined ? "-" : `${m.lastHeartbeatAgoMs} ms`;
        const offset = m.clockOffsetMs === null || m.clockOffsetMs === undefined ? "-" : `${m.clockOffsetMs} ms`;
        process.stdout.write(
          `  ${m.id.padEnd(8)} ${state.padEnd(10)} ${phi.padStart(8)} ${beat.padStart(10)} ${offset.padStart(13)}\n`,
        );
      }
      process.stdout.write("\n");
    }
  }
  return views.every((v) => "view" in v) ? exitCodes.ok : exitCodes.unreachable;
}
