/**
 * Programming mistakes are refused before anything is sent (TypeError for
 * a wrong type or an unknown option, RangeError for a value out of range),
 * and the client's picture of the wire (codes, headers, reply shapes) is the
 * node's. No node is needed: a call refused up front never connects.
 */
import {
  clientErrorCodes,
  contextHeader,
  fenceHeader,
  retriesMax,
  retryBackoffMsBase,
  retryBackoffMsMax,
  SkewClient,
  serverErrorCodes,
  timeoutMsMax,
} from "@skew/client";
import * as node from "@skew/node";
import { Agent } from "undici";
import { afterAll, describe, expect, it } from "vitest";
import { backoffMs, mayRetry } from "../src/retry.js";
import { decodeError, decodeRead, InvalidReply } from "../src/wire.js";

/** Nothing listens here, and nothing is sent: every call below is refused before it would connect. */
const client = new SkewClient({ nodes: ["http://127.0.0.1:9"] });

afterAll(async () => {
  await client.close();
});

describe("new SkewClient", () => {
  const construct = (options: unknown) => () => new SkewClient(options as never);

  it("refuses what is not a list of distinct http(s) base URLs", () => {
    expect(construct(undefined)).toThrow(TypeError);
    expect(construct("http://127.0.0.1:7001")).toThrow(TypeError);
    expect(construct({})).toThrow(/nodes must be an array/);
    expect(construct({ nodes: [] })).toThrow(RangeError);
    expect(construct({ nodes: [7001] })).toThrow(/nodes\[0\] must be a URL string/);
    expect(construct({ nodes: ["127.0.0.1:7001"] })).toThrow(TypeError);
    expect(construct({ nodes: ["not a url"] })).toThrow(/not a URL/);
    expect(construct({ nodes: ["ftp://127.0.0.1:7001"] })).toThrow(/http: or https:/);
    expect(construct({ nodes: ["http://127.0.0.1:7001/?x=1"] })).toThrow(/without query/);
    expect(construct({ nodes: ["http://user:pw@127.0.0.1:7001"] })).toThrow(/credentials/);
    expect(construct({ nodes: ["http://127.0.0.1:7001", "http://127.0.0.1:7001/"] })).toThrow(/twice/);
  });

  it("says what it was given, even a value whose conversion to text throws", () => {
    const nodes = ["http://127.0.0.1:7001"];
    expect(construct({ nodes, timeoutMs: { toString: 0 } })).toThrow(/^timeoutMs must be an integer, got an object$/);
    expect(construct({ nodes, retries: Symbol() })).toThrow(/^retries must be an integer, got a symbol$/);
    expect(construct({ nodes: [Object.create(null)] })).toThrow(/^nodes\[0\] must be a URL string, got an object$/);
    expect(construct({ nodes, timeoutMs: "100" })).toThrow(/^timeoutMs must be an integer, got "100"$/);
  });

  it("refuses timeouts, retries and dispatchers out of range or of the wrong type", async () => {
    const nodes = ["http://127.0.0.1:7001"];
    expect(construct({ nodes, timeoutMs: 0 })).toThrow(RangeError);
    expect(construct({ nodes, timeoutMs: timeoutMsMax + 1 })).toThrow(RangeError);
    expect(construct({ nodes, timeoutMs: 1.5 })).toThrow(TypeError);
    expect(construct({ nodes, timeoutMs: "100" })).toThrow(TypeError);
    expect(construct({ nodes, retries: -1 })).toThrow(RangeError);
    expect(construct({ nodes, retries: retriesMax + 1 })).toThrow(RangeError);
    expect(construct({ nodes, retries: Number.NaN })).toThrow(TypeError);
    expect(construct({ nodes, dispatcher: {} })).toThrow(/undici Dispatcher/);
    const agent = new Agent();
    expect(construct({ nodes, dispatcher: agent, connectTimeoutMs: 100 })).toThrow(/own agent/);
    await agent.close();
    expect(construct({ nodes, timeout: 100 })).toThrow(/unknown option "timeout"/);
  });

  it("normalises the nodes and keeps a path prefix", async () => {
    const ok = new SkewClient({
      nodes: ["http://127.0.0.1:7001/", "https://skew.example/api/"],
      timeoutMs: 100,
      retries: 0,
    });
    expect(ok.nodes).toEqual(["http://127.0.0.1:7001", "https://skew.example/api"]);
    await ok.close();
    await expect(ok.get("b", "k")).rejects.toThrow(/closed/);
  });
});

describe("calls refuse bad arguments before sending", () => {
  it("get", async () => {
    await expect(client.get(1 as never, "k")).rejects.toThrow(TypeError);
    await expect(client.get("", "k")).rejects.toThrow(RangeError);
    await expect(client.get("b", "\ud800")).rejects.toThrow(/lone surrogate/);
    await expect(client.get("b", "k", { r: -1 })).rejects.toThrow(RangeError);
    await expect(client.get("b", "k", { pr: 1.5 })).rejects.toThrow(TypeError);
    await expect(client.get("b", "k", { timeoutMs: 0 })).rejects.toThrow(RangeError);
    await expect(client.get("b", "k", { at: -1 })).rejects.toThrow(RangeError);
    await expect(client.get("b", "k", { at: Number.POSITIVE_INFINITY })).rejects.toThrow(RangeError);
    await expect(client.get("b", "k", { wait: true })).rejects.toThrow(/give at/);
    await expect(client.get("b", "k", { w: 2 } as never)).rejects.toThrow(/unknown option "w"/);
    await expect(client.get("b", "k", { signal: "stop" } as never)).rejects.toThrow(/AbortSignal/);
    await expect(client.get("b", "k", [] as never)).rejects.toThrow(/must be an object/);
  });

  it("say what they were given, even a value whose conversion to text throws", async () => {
    await expect(client.put(Symbol() as never, "k", "x")).rejects.toThrow(/^bucket must be a string, got a symbol$/);
    await expect(client.put("b", "k", { toString: 0 } as never)).rejects.toThrow(/^value must be .*, got an object$/);
  });

  it("put and delete", async () => {
    await expect(client.put("b", "k", 42 as never)).rejects.toThrow(/Uint8Array or a string/);
    await expect(client.put("b", "k", new ArrayBuffer(2) as never)).rejects.toThrow(TypeError);
    await expect(client.put("b", "k", "bad \udc00 text")).rejects.toThrow(/lone surrogate/);
    await expect(client.put("b", "k", "x", { contentType: "" })).rejects.toThrow(RangeError);
    await expect(client.put("b", "k", "x", { contentType: "text/plain\r\nx-evil: 1" })).rejects.toThrow(
      /printable ASCII/,
    );
    await expect(client.put("b", "k", "x", { context: 5 as never })).rejects.toThrow(TypeError);
    await expect(client.put("b", "k", "x", { fence: -1 })).rejects.toThrow(RangeError);
    await expect(client.put("b", "k", "x", { fence: 2 ** 60 })).rejects.toThrow(RangeError);
    await expect(client.put("b", "k", "x", { ifNoneMatch: "*" as never })).rejects.toThrow(TypeError);
    await expect(client.put("b", "k", "x", { ifMatch: "" })).rejects.toThrow(RangeError);
    await expect(client.put("b", "k", "x", { ifMatch: "c.1", context: "c.2" })).rejects.toThrow(/ifMatch/);
    await expect(client.put("b", "k", "x", { r: 2 } as never)).rejects.toThrow(/unknown option "r"/);
    await expect(client.delete("b", "k", { contentType: "text/plain" } as never)).rejects.toThrow(/unknown option/);
    await expect(client.delete("b", "k", { w: "2" as never })).rejects.toThrow(TypeError);
  });

  it("update, snapshot, history, health and cluster", async () => {
    await expect(client.update("b", "k", "merge" as never)).rejects.toThrow(/resolve must be a function/);
    await expect(client.update("b", "k", () => "x", { at: 1 } as never)).rejects.toThrow(/unknown option "at"/);
    await expect(client.snapshot("b", "k" as never, 1)).rejects.toThrow(/array of strings/);
    await expect(client.snapshot("b", [], 1)).rejects.toThrow(RangeError);
    await expect(client.snapshot("b", ["k", 2 as never], 1)).rejects.toThrow(TypeError);
    await expect(client.snapshot("b", ["k"], undefined as never)).rejects.toThrow(TypeError);
    await expect(client.snapshot("b", ["k"], -5)).rejects.toThrow(RangeError);
    await expect(client.history("b", "k", { r: 2 } as never)).rejects.toThrow(/unknown option/);
    await expect(client.health({ node: "nowhere" })).rejects.toThrow(/not a URL/);
    await expect(client.cluster({ retries: 1 } as never)).rejects.toThrow(/unknown option/);
  });
});

describe("the wire, as the node defines it", () => {
  it("every code the node answers with is a documented server code, and back", () => {
    const nodeCodes = [...Object.keys(node.statusOfFailure), ...Object.keys(node.nodeErrorCodes)].sort();
    expect([...serverErrorCodes].sort()).toEqual(nodeCodes);
    for (const code of Object.keys(clientErrorCodes)) expect(nodeCodes).not.toContain(code);
  });

  it("the context and fence headers are the node's", () => {
    expect(contextHeader).toBe(node.contextHeader);
    expect(fenceHeader).toBe(node.fenceHeader);
  });

  it("a read's reply must agree with its status and carry strict base64", () => {
    const one = { siblings: [{ contentType: "text/plain", value: "aGk=" }], context: "c" };
    expect(decodeRead(200, one)).toEqual({
      found: true,
      siblings: [{ contentType: "text/plain", value: new TextEncoder().encode("hi") }],
      context: "c",
    });
    expect(() => decodeRead(300, one)).toThrow(InvalidReply);
    expect(() => decodeRead(200, { ...one, siblings: [{ contentType: "text/plain", value: "a!Gk=" }] })).toThrow(
      /base64/,
    );
    expect(() => decodeRead(200, { siblings: one.siblings })).toThrow(/context/);
    expect(decodeRead(404, { code: "NOT_FOUND", message: "no value", context: "c" })).toEqual({
      found: false,
      siblings: [],
      context: "c",
    });
    expect(decodeRead(404, { code: "BUCKET_NOT_FOUND", message: "no such bucket" })).toBeUndefined();
    expect(decodeRead(503, { code: "UNAVAILABLE", message: "x", definite: true })).toBeUndefined();
  });

  it("an error without definite is definite for a 4xx refusal only", () => {
    expect(decodeError(412, { code: "PRECONDITION_FAILED", message: "m" }, "n").definite).toBe(true);
    expect(decodeError(500, { code: "INTERNAL", message: "m" }, "n").definite).toBe(false);
    expect(decodeError(503, { code: "UNAVAILABLE", message: "m", definite: true }, "n").definite).toBe(true);
    expect(decodeError(503, { code: "TIMEOUT", message: "m", definite: false, got: 1, need: 2 }, "n")).toMatchObject({
      got: 1,
      need: 2,
    });
    expect(() => decodeError(503, { error: "Service Unavailable" }, "n")).toThrow(InvalidReply);
  });
});

describe("the retry rule", () => {
  const failure = (code: string, definite: boolean, status?: number) => ({
    code,
    message: code,
    definite,
    ...(status === undefined ? {} : { status }),
  });

  it("retries a write only after a definite failure of the node or its quorum", () => {
    expect(mayRetry(failure("NETWORK_ERROR", true), true)).toBe(true);
    expect(mayRetry(failure("UNAVAILABLE", true, 503), true)).toBe(true);
    expect(mayRetry(failure("OVERLOADED", true, 429), true)).toBe(true);
    expect(mayRetry(failure("NETWORK_ERROR", false), true)).toBe(false);
    expect(mayRetry(failure("CLIENT_TIMEOUT", false), true)).toBe(false);
    expect(mayRetry(failure("TIMEOUT", false, 503), true)).toBe(false);
    expect(mayRetry(failure("INTERNAL", false, 500), true)).toBe(false);
    expect(mayRetry(failure("FENCED", true, 409), true)).toBe(false);
    expect(mayRetry(failure("PRECONDITION_FAILED", true, 412), true)).toBe(false);
  });

  it("retries a read after anything but a refusal of the request or an abort", () => {
    expect(mayRetry(failure("CLIENT_TIMEOUT", false), false)).toBe(true);
    expect(mayRetry(failure("TIMEOUT", false, 503), false)).toBe(true);
    expect(mayRetry(failure("INTERNAL", false, 500), false)).toBe(true);
    expect(mayRetry(failure("INVALID_RESPONSE", false, 200), false)).toBe(true);
    expect(mayRetry(failure("INVALID_REQUEST", true, 400), false)).toBe(false);
    expect(mayRetry(failure("ABORTED", false), false)).toBe(false);
  });

  it("backs off exponentially within its bounds", () => {
    for (const random of [() => 0, () => 0.5, () => 0.999]) {
      let previousCeiling = 0;
      for (let retry = 1; retry <= retriesMax; retry++) {
        const ceiling = Math.min(retryBackoffMsMax, retryBackoffMsBase * 2 ** (retry - 1));
        const pause = backoffMs(retry, random);
        expect(pause).toBeGreaterThanOrEqual(ceiling / 2);
        expect(pause).toBeLessThanOrEqual(ceiling);
        expect(ceiling).toBeGreaterThanOrEqual(previousCeiling);
        previousCeiling = ceiling;
      }
    }
  });
});
