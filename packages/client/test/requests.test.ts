/**
 * The requests the client sends, byte for byte where it matters: paths and
 * query parameters, the context, fence and condition headers, content
 * types, the snapshot's JSON body. A stand-in node records them and answers
 * with a reply of the node's documented shape.
 */
import { SkewClient } from "@skew/client";
import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeNode, type FakeRequest, startFakeNode } from "./support.js";

let node: FakeNode;
let client: SkewClient;
/** The reply for the next request, by path without the query. */
const replies = new Map<string, { status: number; body: unknown }>();

beforeAll(async () => {
  node = await startFakeNode((request, response) => {
    const path = (request.url ?? "").split("?")[0] ?? "";
    const reply = replies.get(path) ?? { status: 500, body: { code: "INTERNAL", message: "no reply set" } };
    response.writeHead(reply.status, { "content-type": "application/json" });
    response.end(JSON.stringify(reply.body));
  });
  client = new SkewClient({ nodes: [`${node.url}/prefix/`], retries: 0 });
});

afterAll(async () => {
  await client?.close();
  await node?.close();
});

function last(): FakeRequest {
  const request = node.requests.at(-1);
  expect(request).toBeDefined();
  return request as FakeRequest;
}

const written = { status: 200, body: { context: "c.2", siblings: 1 } };

describe("requests", () => {
  it("get: the key's path under the node's prefix, the quorum and time in the query", async () => {
    replies.set("/prefix/buckets/lww-hlc/keys/a%2Fb", {
      status: 300,
      body: {
        siblings: [
          { contentType: "text/plain", value: Buffer.from("x").toString("base64") },
          { contentType: "application/octet-stream", value: "" },
        ],
        context: "c.1",
      },
    });
    const read = await client.get("lww-hlc", "a/b", {
      r: 3,
      pr: 2,
      n: 3,
      timeoutMs: 700,
      at: 1_700_000_000_000,
      wait: true,
    });
    expect(last().method).toBe("GET");
    expect(last().url).toBe("/prefix/buckets/lww-hlc/keys/a%2Fb?r=3&pr=2&n=3&timeout=700&at=1700000000000&wait=true");
    expect(read).toEqual({
      found: true,
      siblings: [
        { value: new TextEncoder().encode("x"), contentType: "text/plain" },
        { value: new Uint8Array(0), contentType: "application/octet-stream" },
      ],
      context: "c.1",
    });
  });

  it("put: the value as the body with its content type; context, fence and conditions as headers", async () => {
    replies.set("/prefix/buckets/causal/keys/k", {
      status: 200,
      body: { context: "c.2", siblings: 26, warning: "many siblings" },
    });
    const result = await client.put("causal", "k", Uint8Array.from([0, 255, 10]), {
      contentType: "application/x-thing",
      context: "c.1",
      ifMatch: "c.1",
      ifNoneMatch: true,
      fence: 42,
      w: 3,
      pw: 1,
      n: 3,
    });
    expect(result).toEqual({ context: "c.2", siblings: 26, warning: "many siblings" });
    const request = last();
    expect(request.method).toBe("PUT");
    expect(request.url).toBe("/prefix/buckets/causal/keys/k?w=3&pw=1&n=3");
    expect(request.headers).toMatchObject({
      "content-type": "application/x-thing",
      "x-skew-context": "c.1",
      "x-skew-fence": "42",
      "if-match": '"c.1"',
      "if-none-match": "*",
    });
    expect(Buffer.from(request.body, "utf8").length).toBeGreaterThan(0);
  });

  it("put of a string: UTF-8 as text/plain; charset=utf-8; an empty context is no context", async () => {
    replies.set("/prefix/buckets/causal/keys/t", written);
    await client.put("causal", "t", "ça va", { context: "" });
    expect(last().body).toBe("ça va");
    expect(last().headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(last().headers["x-skew-context"]).toBeUndefined();
    expect(last().headers["if-match"]).toBeUndefined();
  });

  it("delete: no body, the context as a header", async () => {
    replies.set("/prefix/buckets/causal/keys/d", written);
    expect(await client.delete("causal", "d", { context: "c.1" })).toEqual({ context: "c.2", siblings: 1 });
    expect(last()).toMatchObject({ method: "DELETE", url: "/prefix/buckets/causal/keys/d", body: "" });
    expect(last().headers["x-skew-context"]).toBe("c.1");
    expect(last().headers["content-type"]).toBeUndefined();
  });

  it("snapshot: a JSON body with the keys, the time and the quorum", async () => {
    replies.set("/prefix/buckets/lww-truetime/snapshot", {
      status: 200,
      body: {
        at: 5,
        entries: [
          { key: "a", siblings: [{ contentType: "text/plain", value: Buffer.from("A").toString("base64") }] },
          { key: "b", siblings: [] },
        ],
      },
    });
    const snapshot = await client.snapshot("lww-truetime", ["a", "b"], 5, { wait: true, r: 2, timeoutMs: 900 });
    expect(last()).toMatchObject({ method: "POST", url: "/prefix/buckets/lww-truetime/snapshot" });
    expect(last().headers["content-type"]).toBe("application/json");
    expect(JSON.parse(last().body)).toEqual({ keys: ["a", "b"], at: 5, wait: true, r: 2, timeout: 900 });
    expect(snapshot).toEqual({
      at: 5,
      entries: [
        { key: "a", found: true, siblings: [{ value: new TextEncoder().encode("A"), contentType: "text/plain" }] },
        { key: "b", found: false, siblings: [] },
      ],
    });
  });

  it("update: the read's context goes with the write, and the resolver's content type with the value", async () => {
    replies.set("/prefix/buckets/causal/keys/u", {
      status: 300,
      body: {
        siblings: [
          { contentType: "text/plain", value: Buffer.from("1").toString("base64") },
          { contentType: "text/plain", value: Buffer.from("2").toString("base64") },
        ],
        context: "c.read",
      },
    });
    const before = node.requests.length;
    const resolve = (siblings: readonly { value: Uint8Array }[]) => {
      replies.set("/prefix/buckets/causal/keys/u", written);
      const sum = siblings.reduce((total, s) => total + Number(new TextDecoder().decode(s.value)), 0);
      return { value: String(sum), contentType: "text/x-sum" };
    };
    expect(await client.update("causal", "u", resolve, { r: 3, w: 3, fence: 9 })).toEqual({
      context: "c.2",
      siblings: 1,
    });
    const [read, write] = node.requests.slice(before);
    expect(read).toMatchObject({ method: "GET", url: "/prefix/buckets/causal/keys/u?r=3" });
    expect(write).toMatchObject({ method: "PUT", url: "/prefix/buckets/causal/keys/u?w=3", body: "3" });
    expect(write?.headers).toMatchObject({
      "x-skew-context": "c.read",
      "x-skew-fence": "9",
      "content-type": "text/x-sum",
    });
  });

  it("goes through a dispatcher handed in, and leaves it open on close", async () => {
    replies.set("/buckets/causal/keys/own", {
      status: 404,
      body: { code: "NOT_FOUND", message: "no value", context: "" },
    });
    const agent = new Agent();
    let dispatched = 0;
    const counting = agent.compose((dispatch) => (options, handler) => {
      dispatched++;
      return dispatch(options, handler);
    });
    const own = new SkewClient({ nodes: [node.url], dispatcher: counting });
    expect((await own.get("causal", "own")).found).toBe(false);
    await own.close();
    expect(dispatched).toBe(1);
    expect(agent.closed).toBe(false); // the caller's to close
    await agent.close();
  });
});
