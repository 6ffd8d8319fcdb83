/**
 * Which failures the client retries on another node, and which it must
 * not: a write is retried only when nothing can have been written (no
 * connection, or a node's definite 503); a read on any failure another node
 * may not repeat. Live nodes serve the retries; stand-ins (test/support.ts)
 * fail in one exact way each and count the requests they got.
 */
import { SkewClient, SkewClientError } from "@skew/client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type LocalCluster, startLocalCluster } from "../../node/test/support/local.js";
import {
  answers,
  answersAfter,
  closedNodeUrl,
  dropsConnection,
  type FakeNode,
  neverAnswers,
  startFakeNode,
} from "./support.js";

let cluster: LocalCluster;
let live: string;
/** Clients and stand-ins a test made, closed after it. */
const clients: SkewClient[] = [];
const fakes: FakeNode[] = [];

beforeAll(async () => {
  cluster = await startLocalCluster(3);
  live = cluster.urls[0] as string;
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

afterAll(async () => {
  await cluster?.close();
});

function clientOf(nodes: string[], options: { retries?: number; timeoutMs?: number } = {}): SkewClient {
  const client = new SkewClient({ nodes, ...options });
  clients.push(client);
  return client;
}

async function fake(behaviour: Parameters<typeof startFakeNode>[0]): Promise<FakeNode> {
  const node = await startFakeNode(behaviour);
  fakes.push(node);
  return node;
}

async function failure(call: Promise<unknown>): Promise<SkewClientError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SkewClientError);
  return error as SkewClientError;
}

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

describe("definite failures are retried on the next node", () => {
  it("a refused connection is definite; with a retry the write goes to the next node", async () => {
    const closed = await closedNodeUrl();

    const alone = await failure(clientOf([closed, live], { retries: 0 }).put("causal", "refused", "x"));
    expect(alone).toMatchObject({ code: "NETWORK_ERROR", definite: true, node: closed, attempts: 1 });
    expect(alone.status).toBeUndefined();

    const written = await clientOf([closed, live], { retries: 1 }).put("causal", "refused", "via the second node");
    expect(written.siblings).toBe(1);
    const read = await clientOf([live]).get("causal", "refused");
    expect(read.siblings.map((s) => text(s.value))).toEqual(["via the second node"]);
  });

  it("a node's 503 with definite: true is retried, and the call succeeds on the next node", async () => {
    const unavailable = await fake(
      answers(503, { code: "UNAVAILABLE", message: "too few replicas are available", definite: true, got: 1, need: 2 }),
    );
    await clientOf([unavailable.url, live]).put("causal", "after-503", "kept");
    expect(unavailable.requests.map((r) => [r.method, r.url, r.body])).toEqual([
      ["PUT", "/buckets/causal/keys/after-503", "kept"],
    ]);
    expect((await clientOf([live]).get("causal", "after-503")).found).toBe(true);
  });

  it("retries stop at the limit, each on the next node round the list", async () => {
    const [a, b] = await Promise.all([closedNodeUrl(), closedNodeUrl()]);
    const error = await failure(clientOf([a, b], { retries: 3 }).put("causal", "nowhere", "x"));
    expect(error).toMatchObject({ code: "NETWORK_ERROR", definite: true, attempts: 4, node: b });
  });

  it("calls start round robin: each node gets its share", async () => {
    const notFound = { code: "NOT_FOUND", message: "no value", context: "" };
    const nodes = await Promise.all([
      fake(answers(404, notFound)),
      fake(answers(404, notFound)),
      fake(answers(404, notFound)),
    ]);
    const client = clientOf(nodes.map((n) => n.url));
    for (let i = 0; i < 6; i++) expect((await client.get("causal", `k${i}`)).found).toBe(false);
    expect(nodes.map((n) => n.requests.map((r) => r.url))).toEqual([
      ["/buckets/causal/keys/k0", "/buckets/causal/keys/k3"],
      ["/buckets/causal/keys/k1", "/buckets/causal/keys/k4"],
      ["/buckets/causal/keys/k2", "/buckets/causal/keys/k5"],
    ]);
  });
});

describe("an indefinite failure of a write is never retried", () => {
  it("a node that takes the request and never answers: CLIENT_TIMEOUT, not definite, one request", async () => {
    const silent = await fake(neverAnswers);
    const startedMs = performance.now();
    const error = await failure(
      clientOf([silent.url, live], { timeoutMs: 200, retries: 2 }).put("causal", "silent", "maybe"),
    );
    expect(error).toMatchObject({ code: "CLIENT_TIMEOUT", definite: false, node: silent.url, attempts: 1 });
    expect(performance.now() - startedMs).toBeGreaterThanOrEqual(190);
    expect(silent.requests).toHaveLength(1);
    // The live node never saw it: nothing was tried behind the caller's back.
    expect((await clientOf([live]).get("causal", "silent")).found).toBe(false);
  });

  it("a connection dropped after the request arrived: NETWORK_ERROR, not definite, one request", async () => {
    const dropping = await fake(dropsConnection);
    const error = await failure(clientOf([dropping.url, live]).delete("causal", "dropped"));
    expect(error).toMatchObject({ code: "NETWORK_ERROR", definite: false, node: dropping.url, attempts: 1 });
    expect(dropping.requests).toHaveLength(1);
  });

  it("a node's 503 with definite: false (a quorum timeout) is reported as it is, with got and need", async () => {
    const timedOut = await fake(
      answers(503, { code: "TIMEOUT", message: "the quorum did not answer in time", definite: false, got: 1, need: 2 }),
    );
    const error = await failure(clientOf([timedOut.url, live]).put("causal", "quorum-timeout", "maybe"));
    expect(error).toMatchObject({
      code: "TIMEOUT",
      status: 503,
      definite: false,
      got: 1,
      need: 2,
      attempts: 1,
      node: timedOut.url,
    });
    expect(timedOut.requests).toHaveLength(1);
  });

  it("a success that cannot be read is INVALID_RESPONSE, not definite, and not retried", async () => {
    const garbled = await fake(answers(200, "<html>proxy says hi</html>"));
    const error = await failure(clientOf([garbled.url, live]).put("causal", "garbled", "maybe"));
    expect(error).toMatchObject({ code: "INVALID_RESPONSE", status: 200, definite: false, attempts: 1 });
    expect(garbled.requests).toHaveLength(1);
  });
});

describe("reads are retried on any failure another node may not repeat", () => {
  it("after a timeout, a dropped connection or an indefinite 503", async () => {
    await clientOf([live]).put("causal", "readable", "here");
    const silent = await fake(neverAnswers);
    const dropping = await fake(dropsConnection);
    const timedOut = await fake(answers(503, { code: "TIMEOUT", message: "quorum timeout", definite: false }));
    const read = await clientOf([silent.url, dropping.url, timedOut.url, live], { timeoutMs: 1_000, retries: 3 }).get(
      "causal",
      "readable",
    );
    expect(read.siblings.map((s) => text(s.value))).toEqual(["here"]);
    expect([silent, dropping, timedOut].map((n) => n.requests.length)).toEqual([1, 1, 1]);
  });

  it("but not after the node refused the request itself (4xx)", async () => {
    const refusing = await fake(
      answers(400, { code: "INVALID_REQUEST", message: "r is an integer in [1, n]", definite: true }),
    );
    const error = await failure(clientOf([refusing.url, live]).get("causal", "k"));
    expect(error).toMatchObject({ code: "INVALID_REQUEST", status: 400, definite: true, attempts: 1 });
  });
});

describe("timeouts", () => {
  it("a request's timeoutMs is the coordinator's quorum wait, and the client outwaits it to hear the verdict", async () => {
    const notFound = { code: "NOT_FOUND", message: "no value", context: "c" };
    const slow = await fake(answersAfter(400, 404, notFound));
    const client = clientOf([slow.url], { timeoutMs: 200, retries: 0 });

    expect(await client.get("causal", "slow", { timeoutMs: 300 })).toEqual({
      found: false,
      siblings: [],
      context: "c",
    });
    expect(slow.requests[0]?.url).toBe("/buckets/causal/keys/slow?timeout=300");

    const error = await failure(client.get("causal", "slow"));
    expect(error).toMatchObject({ code: "CLIENT_TIMEOUT", definite: false, attempts: 1 });
  });
});

describe("aborting", () => {
  it("the caller's signal ends a call in flight: ABORTED, not definite", async () => {
    const silent = await fake(neverAnswers);
    const controller = new AbortController();
    const call = clientOf([silent.url]).put("causal", "aborted", "maybe", { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await failure(call);
    expect(error).toMatchObject({ code: "ABORTED", definite: false, attempts: 1 });
  });

  it("a signal aborted before the call sends nothing: ABORTED, definite", async () => {
    const silent = await fake(neverAnswers);
    const error = await failure(
      clientOf([silent.url]).put("causal", "never-sent", "x", { signal: AbortSignal.abort() }),
    );
    expect(error).toMatchObject({ code: "ABORTED", definite: true, attempts: 0 });
    expect(silent.requests).toHaveLength(0);
  });
});
