import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  checkLoadOptions,
  etcdPutRequest,
  etcdRangeRequest,
  expandTemplate,
  type LoadOptions,
  LoadProcessError,
  loadProcessArgs,
  parseLoadResult,
  prepareRequest,
  runLoad,
  runLoadProcess,
  skewPutRequest,
} from "@skew/harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const b64 = (text: string): string => Buffer.from(text).toString("base64");

describe("request shapes", () => {
  it("an etcd put is JSON with the key and the value in base64, as the gateway maps protobuf bytes", () => {
    const build = prepareRequest(etcdPutRequest("c10/"), 5);
    for (const i of [0, 7, 12345]) {
      const request = build(i);
      expect(request.method).toBe("POST");
      expect(request.path).toBe("/v3/kv/put");
      expect(request.headers).toEqual({ "content-type": "application/json" });
      const body = JSON.parse(String(request.body)) as { key: string; value: string };
      expect(Buffer.from(body.key, "base64").toString()).toBe(`c10/${i}`);
      expect(Buffer.from(body.value, "base64").toString()).toBe("xxxxx");
      expect(Object.keys(body)).toEqual(["key", "value"]);
    }
  });

  it("an etcd range names one key in base64 and cycles over `keys`", () => {
    const build = prepareRequest(etcdRangeRequest("k/", 3), 100);
    expect(JSON.parse(String(build(4).body))).toEqual({ key: b64("k/1") });
    expect(build(4).path).toBe("/v3/kv/range");
  });

  it("a Skew put is the value's raw bytes at a path with the key index", () => {
    const request = prepareRequest(skewPutRequest("causal", "c50-"), 100)(42);
    expect(request.method).toBe("PUT");
    expect(request.path).toBe("/buckets/causal/keys/c50-42");
    expect(request.body).toEqual(Buffer.alloc(100, "x"));
    expect(request.headers).toEqual({ "content-type": "application/octet-stream" });
  });

  it("keeps the node benchmark's shapes: GET without a body, PUT with the value by default, keys cycling", () => {
    expect(prepareRequest({ method: "GET", path: "/buckets/b/keys/k{i}", keys: 10 }, 100)(23)).toEqual({
      method: "GET",
      path: "/buckets/b/keys/k3",
    });
    expect(prepareRequest({ method: "PUT", path: "/k{i}" }, 3)(1).body).toEqual(Buffer.from("xxx"));
  });

  it("expands templates: literal braces stay, placeholders fill, base64 wraps what it encloses", () => {
    expect(expandTemplate('{"a":{i},"b":"{base64:{value}}","c":"{base64:p{i}q}"}', 9, 2)).toBe(
      `{"a":9,"b":"${b64("xx")}","c":"${b64("p9q")}"}`,
    );
    expect(expandTemplate("{}{i}{", 1, 0)).toBe("{}1{");
  });

  it("refuses templates and names no request could be made from", () => {
    expect(() => expandTemplate("{base64:abc", 0, 1)).toThrow(/never closed/);
    expect(() => expandTemplate("{base64:{base64:a}}", 0, 1)).toThrow(/cannot nest/);
    expect(() => expandTemplate("{base64:{x}}", 0, 1)).toThrow(/only \{i\} and \{value\}/);
    expect(() => prepareRequest({ method: "GET", path: "/{value}" }, 1)).toThrow(/bodies, not paths/);
    expect(() => prepareRequest({ method: "GET", path: "no-slash" }, 1)).toThrow(/start with/);
    expect(() => prepareRequest({ method: "GET", path: "/", keys: 0 }, 1)).toThrow(/keys/);
    expect(() => etcdPutRequest('a"b')).toThrow(TypeError);
    expect(() => skewPutRequest("b", "{i}")).toThrow(TypeError);
    for (const bad of [{ toString: 0 }, Object.create(null), Symbol()] as never[]) {
      expect(() => prepareRequest({ method: "GET", path: bad }, 1)).toThrow(
        /^the path must start with "\/", got an? \w+$/,
      );
      expect(() => prepareRequest({ method: "GET", path: "/", keys: bad }, 1)).toThrow(/^keys .*, got an? \w+$/);
      expect(() => skewPutRequest(bad, "k")).toThrow(/^bucket may hold only .*, got an? \w+$/);
      expect(() => etcdPutRequest(bad)).toThrow(/^keyPrefix may hold only .*, got an? \w+$/);
    }
  });
});

describe("checkLoadOptions", () => {
  const good: LoadOptions = {
    targets: ["http://127.0.0.1:1"],
    method: "PUT",
    path: "/k{i}",
    valueBytes: 1,
    connections: 1,
    durationMs: 1,
    warmupMs: 0,
  };
  it("accepts a sound load and names what is wrong in the others", () => {
    expect(() => checkLoadOptions(good)).not.toThrow();
    expect(() => checkLoadOptions({ ...good, targets: [] })).toThrow(/at least one/);
    expect(() => checkLoadOptions({ ...good, targets: ["127.0.0.1:1"] })).toThrow(/base URL/);
    expect(() => checkLoadOptions({ ...good, connections: 0 })).toThrow(/connections/);
    expect(() => checkLoadOptions({ ...good, durationMs: -1 })).toThrow(/durationMs/);
    expect(() => checkLoadOptions({ ...good, rate: 0 })).toThrow(/rate/);
    expect(() => checkLoadOptions({ ...good, method: "DELETE" as "GET" })).toThrow(/method/);
  });

  it("says what it was given, even a value whose conversion to text throws", () => {
    for (const bad of [{ toString: 0 }, Object.create(null), Symbol()] as never[]) {
      for (const [options, message] of [
        [{ targets: [bad] }, /^a target is a base URL .*, got an? \w+$/],
        [{ connections: bad }, /^connections must be a positive integer, got an? \w+$/],
        [{ warmupMs: bad }, /^warmupMs must be a number of milliseconds >= 0, got an? \w+$/],
        [{ rate: bad }, /^rate must be .*, got an? \w+$/],
        [{ method: bad }, /^method must be GET, PUT or POST, got an? \w+$/],
      ] as const) {
        expect(() => checkLoadOptions({ ...good, ...options })).toThrow(TypeError);
        expect(() => checkLoadOptions({ ...good, ...options })).toThrow(message);
      }
    }
  });
});

describe("parseLoadResult", () => {
  it("reads the child's line, and null (JSON's NaN) back as NaN", () => {
    const result = parseLoadResult(
      '{"requests":0,"warmupRequests":3,"errors":0,"non2xx":0,"rps":0,"p50Ms":null,"p99Ms":null,"maxMs":null}\n',
    );
    expect(result.requests).toBe(0);
    expect(result.warmupRequests).toBe(3);
    expect(result.p99Ms).toBeNaN();
    expect(() => parseLoadResult('{"requests":"x"}')).toThrow(/requests/);
  });
});

describe("the load generator against a server that records what it gets", () => {
  let server: Server;
  let target: string;
  const seen: { method: string; url: string; type: string; body: string }[] = [];
  let failEvery = 0;

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        seen.push({
          method: request.method ?? "",
          url: request.url ?? "",
          type: request.headers["content-type"] ?? "",
          body: Buffer.concat(chunks).toString(),
        });
        response.statusCode = failEvery > 0 && seen.length % failEvery === 0 ? 503 : 200;
        response.end("{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("closed loop: every request is an etcd put of a distinct key, every measured one answered", async () => {
    seen.length = 0;
    failEvery = 0;
    const result = await runLoad({
      ...etcdPutRequest("t/"),
      targets: [target],
      valueBytes: 16,
      connections: 4,
      durationMs: 200,
      warmupMs: 50,
    });
    expect(result.requests).toBeGreaterThan(0);
    expect(result.errors).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(result.p50Ms).toBeLessThanOrEqual(result.p99Ms);
    expect(result.p99Ms).toBeLessThanOrEqual(result.maxMs);
    // Warm-up requests reach the server too: it saw the measured ones and the warm-up's, each once.
    expect(result.warmupRequests).toBeGreaterThan(0);
    expect(seen.length).toBe(result.requests + result.warmupRequests);
    const keys = new Set<string>();
    for (const request of seen) {
      expect(request).toMatchObject({ method: "POST", url: "/v3/kv/put", type: "application/json" });
      const body = JSON.parse(request.body) as { key: string; value: string };
      expect(Buffer.from(body.value, "base64").toString()).toBe("x".repeat(16));
      keys.add(Buffer.from(body.key, "base64").toString());
    }
    expect(keys.size).toBe(seen.length);
    expect([...keys].every((key) => /^t\/\d+$/.test(key))).toBe(true);
  });

  it("counts non-2xx answers apart from the requests that succeeded", async () => {
    seen.length = 0;
    failEvery = 2;
    const result = await runLoad({
      ...skewPutRequest("b", "k"),
      targets: [target],
      valueBytes: 8,
      connections: 2,
      durationMs: 150,
      warmupMs: 0,
    });
    failEvery = 0;
    expect(result.non2xx).toBeGreaterThan(0);
    expect(result.non2xx).toBeLessThan(result.requests);
    expect(result.errors).toBe(0);
  });

  it("open loop: requests are scheduled at the rate, not when the last one answered", async () => {
    seen.length = 0;
    const result = await runLoad({
      method: "GET",
      path: "/k{i}",
      keys: 5,
      targets: [target],
      valueBytes: 0,
      connections: 2,
      durationMs: 300,
      warmupMs: 0,
      rate: 100,
    });
    // At most one request per scheduled slot: 100/s over 300 ms is 30 slots.
    expect(result.requests).toBeLessThanOrEqual(30);
    expect(result.requests).toBeGreaterThan(0);
    expect(new Set(seen.map((r) => r.url)).size).toBeLessThanOrEqual(5);
  });

  it("a connection refused is an error, not a request that succeeded", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await runLoad({
      ...etcdPutRequest("x/"),
      targets: [`http://127.0.0.1:${port}`],
      valueBytes: 1,
      connections: 1,
      durationMs: 50,
      warmupMs: 0,
    });
    expect(result.errors).toBe(result.requests);
    expect(result.requests).toBeGreaterThan(0);
  });

  it("runs in a process of its own and hands its result back", async () => {
    seen.length = 0;
    const args = loadProcessArgs({
      ...etcdPutRequest("p/"),
      targets: [target],
      valueBytes: 4,
      connections: 2,
      durationMs: 100,
      warmupMs: 0,
    });
    // From source: node --conditions=@skew/source --import <tsx> src/load/main.ts '<json>'. The condition
    // loads @skew/env from its source too: a test must pass with nothing built, so its dist may not exist.
    expect(args[args.length - 2]).toMatch(/main\.ts$/);
    expect(args[0]).toBe("--conditions=@skew/source");
    const result = await runLoadProcess({
      ...etcdPutRequest("p/"),
      targets: [target],
      valueBytes: 4,
      connections: 2,
      durationMs: 100,
      warmupMs: 0,
    });
    expect(result.requests).toBeGreaterThan(0);
    expect(result.errors + result.non2xx).toBe(0);
    expect(seen.length).toBeGreaterThanOrEqual(result.requests);
  });

  it("a child that cannot run fails with LOAD_PROCESS_FAILED and its reason", async () => {
    const error = await runLoadProcess({
      method: "GET",
      path: "/",
      targets: [],
      valueBytes: 0,
      connections: 1,
      durationMs: 1,
      warmupMs: 0,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoadProcessError);
    expect((error as LoadProcessError).code).toBe("LOAD_PROCESS_FAILED");
    expect((error as LoadProcessError).message).toMatch(/at least one base URL/);
  });
});
