/**
 * Waiting for a cluster of real nodes to be whole again before a run
 * starts, or after its faults healed: every node answers `/health`, and no
 * node's failure detector still suspects a peer (`/cluster`). A paused
 * process stops heartbeating; after `SIGCONT` its peers' phi falls back
 * below the threshold within a few heartbeats. A run that started while a
 * coordinator still suspected a replica would measure the detector, not
 * the conflict mode.
 */
import { SkewClient, SkewClientError } from "@skew/client";
import { sleep } from "@skew/env";
import { SystemTimers } from "@skew/env/system";
import { LiveError } from "./errors.js";

/** How long a cluster may take to be whole: heartbeats every 200 ms, phi settles within a second or two. */
export const healthyTimeoutMsDefault = 10_000;
/** Between two looks. */
const pollMs = 100;

/** What kept a node from being healthy at the last look (undefined: nothing). */
async function problemOf(client: SkewClient, id: string, url: string): Promise<string | undefined> {
  try {
    const health = await client.health({ node: url });
    if (health.status !== "ok") return `${id} is ${health.status}`;
    const view = await client.cluster({ node: url });
    const suspected = view.members.filter((member) => member.suspected === true).map((member) => member.id);
    return suspected.length === 0 ? undefined : `${id} suspects ${suspected.join(", ")}`;
  } catch (error) {
    if (error instanceof SkewClientError) return `${id} (${url}): ${error.code}`;
    throw error;
  }
}

/** Resolves once every node is healthy and suspects nobody; `LIVE_NOT_HEALTHY` with the last problem seen otherwise. */
export async function awaitHealthy(
  nodes: Readonly<Record<string, string>>,
  timeoutMs = healthyTimeoutMsDefault,
): Promise<void> {
  const entries = Object.entries(nodes);
  if (entries.length === 0) throw new TypeError("awaitHealthy: no nodes");
  const client = new SkewClient({ nodes: entries.map(([, url]) => url), retries: 0, timeoutMs: 2_000 });
  const timers = new SystemTimers();
  const deadline = performance.now() + timeoutMs;
  try {
    for (;;) {
      const problems = (await Promise.all(entries.map(([id, url]) => problemOf(client, id, url)))).filter(
        (problem): problem is string => problem !== undefined,
      );
      if (problems.length === 0) return;
      if (performance.now() > deadline) {
        throw new LiveError("LIVE_NOT_HEALTHY", `not healthy after ${timeoutMs} ms: ${problems.join("; ")}`);
      }
      await sleep(timers, pollMs);
    }
  } finally {
    await client.close();
  }
}
