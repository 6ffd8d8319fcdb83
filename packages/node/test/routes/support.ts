/**
 * For the tests of the routes that ask other members (cluster-nodes.ts,
 * replicas.ts, admin.ts's forwarding, demo.ts): stand-in members that
 * misbehave in one exact way, and one real node whose member list names
 * them, so that what a fan-out makes of each kind of silence is seen.
 */

import { rmSync } from "node:fs";
import { join } from "node:path";
import type { FakeBehaviour } from "../../../client/test/support.js";
import { buildServer, resolveConfig, type SkewApp } from "../../src/index.js";
import { adminToken, freePort, secret, tempDir } from "../support/local.js";

/**
 * The stand-in members are the client's stand-in nodes (packages/client/test/support.ts): one HTTP server that
 * misbehaves in one exact way and records what it received. A text answer is the one behaviour added here.
 */
export {
  answers as answersJson,
  closedNodeUrl as closedUrl,
  type FakeBehaviour,
  type FakeNode as FakeMember,
  neverAnswers,
  startFakeNode as startFakeMember,
} from "../../../client/test/support.js";

export function answersText(status: number, text: string): FakeBehaviour {
  return (_request, response) => {
    response.writeHead(status, { "content-type": "text/plain" });
    response.end(text);
  };
}

export interface LoneNode {
  readonly app: SkewApp;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * One real node, `n1`, whose member list also names `others` (id to URL):
 * stand-ins, closed ports. It runs alone; its peers' streams fail, which
 * is what they would do with members down.
 */
export async function startLoneNode(others: Readonly<Record<string, string>>): Promise<LoneNode> {
  const dir = tempDir("skew-routes-");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const peers = [`n1=${url}`, ...Object.entries(others).map(([id, u]) => `${id}=${u}`)].join(",");
  const config = resolveConfig({
    id: "n1",
    port,
    peers,
    secret,
    adminToken,
    dataDir: join(dir, "n1"),
    logLevel: "silent",
    heartbeatIntervalMs: 100,
  });
  if (!config.ok) throw config.error;
  const app = await buildServer(config.value);
  await app.listen({ host: config.value.host, port });
  return {
    app,
    url,
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const bearer = `Bearer ${adminToken}`;

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
