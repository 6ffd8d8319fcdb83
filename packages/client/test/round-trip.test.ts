/**
 * The client against a live three-node cluster (real sockets, real level
 * databases): values and content types come back as written, siblings
 * appear and are resolved, conditions and errors arrive with their codes.
 */
import { type GetResult, type Sibling, SkewClient, SkewClientError } from "@skew/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCluster, startLocalCluster } from "../../node/test/support/local.js";

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

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const texts = (read: GetResult) => read.siblings.map((s) => text(s.value)).sort();

/** The failure of a call that must fail, for its fields to be checked. */
async function failure(call: Promise<unknown>): Promise<SkewClientError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SkewClientError);
  return error as SkewClientError;
}

describe("values and content types", () => {
  it("brings back every byte value with its content type", async () => {
    const every = Uint8Array.from({ length: 256 }, (_, i) => i);
    const cases: { key: string; value: Uint8Array; contentType: string }[] = [
      { key: "all-bytes", value: every, contentType: "application/x-skew-test" },
      { key: "empty", value: new Uint8Array(0), contentType: "application/octet-stream" },
      {
        key: "image",
        value: Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0xff]),
        contentType: "image/png",
      },
    ];
    for (const bucket of ["lww-hlc", "causal"]) {
      for (const { key, value, contentType } of cases) {
        const written = await client.put(bucket, key, value, { contentType });
        expect(written.siblings).toBe(1);
        const read = await client.get(bucket, key);
        expect(read.found).toBe(true);
        expect(read.siblings).toEqual([{ value, contentType }]);
        expect(read.siblings[0]?.value).toBeInstanceOf(Uint8Array);
      }
    }
  });

  it("writes bytes as application/octet-stream and text as UTF-8 text/plain unless told otherwise", async () => {
    await client.put("lww-hlc", "bytes-default", Uint8Array.from([1, 2, 3]));
    expect((await client.get("lww-hlc", "bytes-default")).siblings).toEqual([
      { value: Uint8Array.from([1, 2, 3]), contentType: "application/octet-stream" },
    ]);

    const greeting = "héllo, wörld ✓ 🕰️";
    await client.put("lww-hlc", "text-default", greeting);
    const read = await client.get("lww-hlc", "text-default");
    expect(read.siblings[0]?.contentType).toBe("text/plain; charset=utf-8");
    expect(read.siblings[0]?.value).toEqual(new TextEncoder().encode(greeting));

    await client.put("lww-hlc", "json", '{"a":1}', { contentType: "application/json" });
    const json = await client.get("lww-hlc", "json");
    expect(json.siblings[0]?.contentType).toBe("application/json");
    expect(JSON.parse(text(json.siblings[0]?.value ?? new Uint8Array()))).toEqual({ a: 1 });
  });

  it("addresses keys and buckets with characters a URL path must escape", async () => {
    const key = "a/b c?d#e%f é";
    await client.put("causal", key, "odd key");
    expect(texts(await client.get("causal", key))).toEqual(["odd key"]);
    expect((await client.get("causal", "a")).found).toBe(false);
  });
});

describe("reads", () => {
  it("a key never written is found: false, with a context to write with", async () => {
    const read = await client.get("causal", "never-written");
    expect(read).toEqual({ found: false, siblings: [], context: expect.any(String) });
    expect(read.context.length).toBeGreaterThan(0);
    const written = await client.put("causal", "never-written", "first", { context: read.context });
    expect(written.siblings).toBe(1);
  });

  it("a deleted key is found: false", async () => {
    const written = await client.put("lww-hlc", "to-delete", "doomed");
    const deleted = await client.delete("lww-hlc", "to-delete", { context: written.context });
    expect(typeof deleted.context).toBe("string");
    expect((await client.get("lww-hlc", "to-delete")).found).toBe(false);
  });

  it("passes the quorum options on: an R above N is the node's INVALID_REQUEST, definite and not retried", async () => {
    expect((await client.get("causal", "quorum", { r: 3, pr: 1, n: 3, timeoutMs: 1_500 })).found).toBe(false);
    const error = await failure(client.get("causal", "quorum", { r: 9 }));
    expect(error).toMatchObject({ code: "INVALID_REQUEST", status: 400, definite: true, attempts: 1 });
  });

  it("an unknown bucket is an error, not an absent key", async () => {
    const error = await failure(client.get("no-such-bucket", "k"));
    expect(error).toMatchObject({ code: "BUCKET_NOT_FOUND", status: 404, definite: true, attempts: 1 });
    expect(cluster.urls).toContain(error.node);
  });
});

describe("siblings", () => {
  it("two concurrent blind puts in a causal bucket are both kept, and update resolves them to one", async () => {
    await Promise.all([client.put("causal", "cart", "apples"), client.put("causal", "cart", "bread")]);

    const read = await client.get("causal", "cart");
    expect(read.found).toBe(true);
    expect(texts(read)).toEqual(["apples", "bread"]);

    let seen: readonly Sibling[] = [];
    const merged = await client.update("causal", "cart", (siblings) => {
      seen = siblings;
      return siblings
        .map((s) => text(s.value))
        .sort()
        .join(",");
    });
    expect(seen.map((s) => text(s.value)).sort()).toEqual(["apples", "bread"]);
    expect(merged.siblings).toBe(1);

    const after = await client.get("causal", "cart");
    expect(texts(after)).toEqual(["apples,bread"]);
    expect(after.siblings[0]?.contentType).toBe("text/plain; charset=utf-8");
  });

  it("update hands the resolver [] for an absent key and the one value for a single one", async () => {
    const calls: string[][] = [];
    const append = (siblings: readonly Sibling[]) => {
      calls.push(siblings.map((s) => text(s.value)));
      return { value: [...siblings.map((s) => text(s.value)), "x"].join(""), contentType: "text/x-log" };
    };
    await client.update("causal", "log", append);
    await client.update("causal", "log", append);
    expect(calls).toEqual([[], ["x"]]);
    expect((await client.get("causal", "log")).siblings).toEqual([
      { value: new TextEncoder().encode("xx"), contentType: "text/x-log" },
    ]);
  });

  it("a write that lands between update's read and write is kept as a sibling, not lost", async () => {
    await client.put("causal", "race", "base");
    await client.update("causal", "race", async () => {
      await client.put("causal", "race", "intruder"); // blind, after update's read
      return "resolved";
    });
    expect(texts(await client.get("causal", "race"))).toEqual(["intruder", "resolved"]);
  });
});

describe("conditional writes", () => {
  it("a stale ifMatch is PRECONDITION_FAILED (412) and changes nothing; the current one writes", async () => {
    const first = await client.put("lww-hlc", "guarded", "v1");
    const stale = (await client.get("lww-hlc", "guarded")).context;
    expect(stale).toBe(first.context);
    await client.put("lww-hlc", "guarded", "v2", { context: stale });

    const error = await failure(client.put("lww-hlc", "guarded", "v3", { ifMatch: stale }));
    expect(error).toMatchObject({ code: "PRECONDITION_FAILED", status: 412, definite: true, attempts: 1 });
    const current = await client.get("lww-hlc", "guarded");
    expect(texts(current)).toEqual(["v2"]);

    await client.put("lww-hlc", "guarded", "v3", { ifMatch: current.context });
    expect(texts(await client.get("lww-hlc", "guarded"))).toEqual(["v3"]);
  });

  it("ifNoneMatch writes only where there is no value", async () => {
    await client.put("causal", "create-once", "mine", { ifNoneMatch: true });
    const error = await failure(client.put("causal", "create-once", "yours", { ifNoneMatch: true }));
    expect(error).toMatchObject({ code: "PRECONDITION_FAILED", status: 412, definite: true });
    expect(texts(await client.get("causal", "create-once"))).toEqual(["mine"]);
  });

  it("a fencing token below one seen is FENCED", async () => {
    await client.put("lww-hlc", "fenced", "leader 7", { fence: 7 });
    const error = await failure(client.put("lww-hlc", "fenced", "zombie 6", { fence: 6 }));
    expect(error).toMatchObject({ code: "FENCED", status: 409, definite: true });
    expect(texts(await client.get("lww-hlc", "fenced"))).toEqual(["leader 7"]);
  });
});

describe("history, snapshots and the nodes themselves", () => {
  it("history lists each primary's kept versions", async () => {
    await client.put("lww-hlc", "versions", "one");
    await client.put("lww-hlc", "versions", "two");
    const history = await client.history("lww-hlc", "versions");
    expect(history).toMatchObject({ bucket: "lww-hlc", key: "versions", mode: "lww-hlc" });
    expect(history.replicas.length).toBe(3);
    const answered = history.replicas.filter((r) => r.state === "answered");
    expect(answered.length).toBeGreaterThanOrEqual(2);
    for (const replica of answered) expect(replica.versions?.length).toBeGreaterThanOrEqual(1);
  });

  it("a snapshot reads several keys as of one time", async () => {
    await client.put("lww-truetime", "snap-a", "A");
    await client.put("lww-truetime", "snap-b", "B");
    const at = Date.now();
    const snapshot = await client.snapshot("lww-truetime", ["snap-a", "snap-b", "snap-none"], at, { wait: true });
    expect(snapshot.at).toBe(at);
    expect(snapshot.entries.map((e) => [e.key, e.found, e.siblings.map((s) => text(s.value))])).toEqual([
      ["snap-a", true, ["A"]],
      ["snap-b", true, ["B"]],
      ["snap-none", false, []],
    ]);
  });

  it("health and cluster describe the node asked", async () => {
    const first = await client.health();
    expect(first).toMatchObject({ status: "ok", node: "n1", requestsInFlight: expect.any(Number) });
    expect((await client.health({ node: cluster.urls[1] as string })).node).toBe("n2");

    const view = await client.cluster({ node: cluster.urls[2] as string });
    expect(view.node).toBe("n3");
    expect(view.buckets.causal).toBe("causal");
    expect(view.clock.hlc).toBeGreaterThan(0);
    expect(Math.abs(view.clock.wallMs - Date.now())).toBeLessThan(60_000);
    expect(view.members.map((m) => [m.id, m.self])).toEqual([
      ["n1", false],
      ["n2", false],
      ["n3", true],
    ]);
  });
});
