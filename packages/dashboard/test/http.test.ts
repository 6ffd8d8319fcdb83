import { decodeCluster } from "@skew/client/api";
import { describe, expect, it } from "vitest";
import { ApiError, describeError, type Fetch, requestJson } from "../app/lib/http.js";
import { valueText } from "../app/lib/read.js";

function answering(status: number, body: string): Fetch {
  return async () => new Response(body, { status, headers: { "content-type": "application/json" } });
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected the request to fail");
}

describe("requestJson: every failure becomes { code, message }", () => {
  it("returns what the decoder makes of a success", async () => {
    const decoded = await requestJson("/x", (status, json) => (status === 200 ? (json as { a: number }) : undefined), {
      fetch: answering(200, '{"a":1}'),
    });
    expect(decoded).toEqual({ a: 1 });
  });

  it("passes the server's code and message through for an error status", async () => {
    const error = await failure(
      requestJson("/admin/nodes/n9/clock", decodeCluster, {
        fetch: answering(404, '{"code":"UNKNOWN_NODE","message":"no member n9"}'),
      }),
    );
    expect({ status: error.status, code: error.code, message: error.message }).toEqual({
      status: 404,
      code: "UNKNOWN_NODE",
      message: "no member n9",
    });
  });

  it("says INVALID_RESPONSE for a body that is not JSON or not the route's shape", async () => {
    const notJson = await failure(requestJson("/cluster", decodeCluster, { fetch: answering(200, "<html>") }));
    expect(notJson.code).toBe("INVALID_RESPONSE");
    const wrongShape = await failure(requestJson("/cluster", decodeCluster, { fetch: answering(200, '{"node":1}') }));
    expect(wrongShape.code).toBe("INVALID_RESPONSE");
    expect(wrongShape.message).toContain("/cluster");
  });

  it("names the status when an error has no { code, message }", async () => {
    const error = await failure(requestJson("/cluster", decodeCluster, { fetch: answering(502, "") }));
    expect([error.status, error.code]).toEqual([502, "HTTP_502"]);
  });

  it("says UNREACHABLE when the node does not answer, TIMEOUT when it is too slow", async () => {
    const refused: Fetch = async () => {
      throw new TypeError("fetch failed");
    };
    expect((await failure(requestJson("/cluster", decodeCluster, { fetch: refused }))).code).toBe("UNREACHABLE");
    const slow: Fetch = (_input, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason), { once: true }),
      );
    const timedOut = await failure(requestJson("/cluster", decodeCluster, { fetch: slow, timeoutMs: 20 }));
    expect(timedOut.code).toBe("TIMEOUT");
  });

  it("describeError prints anything thrown", () => {
    expect(describeError(new ApiError(409, "DEMO_RUNNING", "a run is going"))).toEqual({
      code: "DEMO_RUNNING",
      message: "a run is going",
    });
    expect(describeError({ code: "NO_SUCH_PAGE", message: "no page" })).toEqual({
      code: "NO_SUCH_PAGE",
      message: "no page",
    });
    expect(describeError(new RangeError("bad"))).toEqual({ code: "RangeError", message: "bad" });
    expect(describeError("odd")).toEqual({ code: "ERROR", message: "odd" });
  });
});

describe("valueText", () => {
  it("decodes UTF-8 and refuses other bytes", () => {
    expect(valueText(new TextEncoder().encode("héllo"))).toBe("héllo");
    expect(valueText(new Uint8Array([0xff, 0xfe, 0x00]))).toBeUndefined();
  });
});
