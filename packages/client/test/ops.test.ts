/**
 * `clusterNodes()` and `keyReplicas()` against a live three-node cluster,
 * and what they send and refuse against a stand-in node.
 */
import { SkewClient, SkewClientError } from "@skew/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCluster, startLocalCluster } from "../../node/test/support/local.js";
import { answers, type FakeNode, startFakeNode } from "./support.js";

describe("on a live cluster", () => {
  let cluster: LocalCluster;
  let client: SkewClient;

  beforeAll(async () => {
    cluster = await startLocalCluster(3);
    client = new SkewClient({ nodes: cluster.urls });
  });

  afterAll(async () => {
    await client?.close();
    await cluster?.close();
  });

  it("clusterNodes: every member's view, through the node asked", async () => {
    const nodes = await client.clusterNodes({ node: cluster.urls[1] as string });
    expect(nodes.node).toBe("n2");
    expect(nodes.nodes.map((n) => [n.id, n.view?.node, n.error])).toEqual([
      ["n1", "n1", null],
      ["n2", "n2", null],
      ["n3", "n3", null],
    ]);
    for (const entry of nodes.nodes) {
      expect(entry.view?.repairs.running).toBeGreaterThanOrEqual(0);
      expect(entry.view?.clock.wallMs).toBeGreaterThan(0);
    }
  });

  it("keyReplicas: both siblings of a causal key on each replica of its preference list", async () => {
    const key = "a/b c?d é";
    await Promise.all([client.put("causal", key, "left"), client.put("causal", key, "right")]);
    let replicas = await client.keyReplicas("causal", key);
    for (
      let i = 0;
      i < 100 && !replicas.replicas.every((r) => r.record?.kind === "causal" && r.record.siblings.length === 2);
      i++
    ) {
      await new Promise((r) => setTimeout(r, 50));
      replicas = await client.keyReplicas("causal", key);
    }
    expect(replicas).toMatchObject({ bucket: "causal", key, mode: "causal" });
    expect(replicas.replicas.map((r) => r.node)).toEqual(replicas.preference);
    for (const replica of replicas.replicas) {
      const record = replica.record;
      if (record?.kind !== "causal") throw new Error(`${replica.node} holds a causal record`);
      expect(record.siblings.map((s) => s.text).sort()).toEqual(["left", "right"]);
    }
  });

  it("keyReplicas of an unknown bucket fails with the node's code", async () => {
    const error = await client.keyReplicas("nope", "k").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SkewClientError);
    expect((error as SkewClientError).code).toBe("BUCKET_NOT_FOUND");
    expect((error as SkewClientError).status).toBe(404);
  });
});

describe("against a stand-in node", () => {
  let fake: FakeNode;
  let client: SkewClient;

  beforeAll(async () => {
    fake = await startFakeNode(answers(200, { node: "n1", nodes: [{ id: "n1" }] }));
    client = new SkewClient({ nodes: [fake.url], retries: 2 });
  });

  afterAll(async () => {
    await client?.close();
    await fake?.close();
  });

  it("asks one node, once, at the escaped path; a reply of the wrong shape is INVALID_RESPONSE", async () => {
    const failure = await client.keyReplicas("b/1", "k é?").then(
      () => undefined,
      (e: unknown) => e as SkewClientError,
    );
    expect(failure?.code).toBe("INVALID_RESPONSE");
    expect(fake.requests.map((r) => [r.method, r.url])).toEqual([["GET", "/debug/keys/b%2F1/k%20%C3%A9%3F/replicas"]]);
    const nodes = await client.clusterNodes().then(
      () => undefined,
      (e: unknown) => e as SkewClientError,
    );
    expect(nodes?.code).toBe("INVALID_RESPONSE");
    expect(nodes?.message).toMatch(/nodes\[0\]\.url is not a string/);
    expect(fake.requests.at(-1)?.url).toBe("/cluster/nodes");
    expect(fake.requests).toHaveLength(2);
  });

  it("refuses a bad bucket or key, or an unknown option, before sending anything", async () => {
    const before = fake.requests.length;
    await expect(client.keyReplicas("", "k")).rejects.toThrow(RangeError);
    await expect(client.keyReplicas("b", 5 as never)).rejects.toThrow(TypeError);
    await expect(client.clusterNodes({ retries: 1 } as never)).rejects.toThrow(/unknown option/);
    expect(fake.requests.length).toBe(before);
  });
});
