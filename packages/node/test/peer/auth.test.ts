import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AuthHeaders,
  authHeader,
  clusterHeader,
  createPeerAuth,
  fromHeader,
  type ReceivedHeaders,
  sentAtHeader,
  signRequest,
  toHeader,
  verifyRequest,
} from "../../src/peer/auth.js";
import { authSkewToleranceMs, clusterSecretBytesMin } from "../../src/peer/constants.js";
import { AuthError, type AuthErrorCode, httpStatusOf } from "../../src/peer/errors.js";
import { checkClusterSecret } from "../../src/peer/secret.js";
import { authOf, realNowMs, secretOf } from "./support.js";

const n1 = authOf("n1");
const n2 = authOf("n2");
const body = new TextEncoder().encode("an envelope's bytes");
const method = "POST";
const path = "/internal/stream";

function signed(overrides: { sentAtMs?: number; to?: string; body?: Uint8Array } = {}): AuthHeaders {
  return signRequest(n1, {
    method,
    path,
    to: overrides.to ?? "n2",
    sentAtMs: overrides.sentAtMs ?? realNowMs,
    body: overrides.body ?? body,
  });
}

function verifyAtN2(headers: ReceivedHeaders, received = body, nowMs = realNowMs, at = { method, path }) {
  return verifyRequest(n2, { ...at, headers }, received, nowMs);
}

function expectRefused(result: ReturnType<typeof verifyRequest>, code: AuthErrorCode): AuthError {
  if (result.ok) throw new Error(`expected ${code}, the request verified`);
  expect(result.error).toBeInstanceOf(AuthError);
  expect(result.error.code).toBe(code);
  return result.error;
}

describe("the cluster secret", () => {
  it(`is refused shorter than clusterSecretBytesMin (${clusterSecretBytesMin}) bytes, counted in UTF-8`, () => {
    expect(checkClusterSecret("x".repeat(clusterSecretBytesMin - 1)).ok).toBe(false);
    expect(checkClusterSecret("x".repeat(clusterSecretBytesMin)).ok).toBe(true);
    // "é" is two UTF-8 bytes: 7 of them are 14 bytes, 8 are 16.
    expect(checkClusterSecret("é".repeat(7)).ok).toBe(false);
    expect(checkClusterSecret("é".repeat(8)).ok).toBe(true);
    expect(checkClusterSecret(new Uint8Array(clusterSecretBytesMin - 1)).ok).toBe(false);
    expect(checkClusterSecret(new Uint8Array(clusterSecretBytesMin)).ok).toBe(true);
  });

  it("is refused when it is not a string or bytes, or cannot be UTF-8", () => {
    for (const secret of [undefined, null, 1234567890123456, { secret: "x".repeat(32) }, "\ud800".repeat(32)]) {
      const result = checkClusterSecret(secret);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe("CLUSTER_SECRET_INVALID");
    }
  });

  it("never prints itself", () => {
    const text = "do-not-print-this-secret-anywhere";
    const secret = secretOf(text);
    for (const shown of [
      String(secret),
      JSON.stringify({ secret }),
      inspect(secret),
      inspect({ secret }, { depth: 5 }),
    ]) {
      expect(shown).not.toContain(text);
    }
    expect(secret.bytes).toBe(text.length);
  });

  it("bytes given are copied: changing them afterwards changes nothing", () => {
    const bytes = new TextEncoder().encode("a-shared-secret-of-32-characters");
    const checked = checkClusterSecret(bytes);
    if (!checked.ok) throw checked.error;
    bytes.fill(0);
    const headers = signRequest(authOf("n1", { secret: checked.value }), {
      method,
      path,
      to: "n2",
      sentAtMs: realNowMs,
      body,
    });
    expect(verifyAtN2(headers).ok).toBe(true);
  });
});

describe("createPeerAuth", () => {
  it("refuses a node that is not among its members, and bad names, as programming mistakes", () => {
    expect(() => authOf("n4")).toThrow(TypeError);
    expect(() => authOf("n1", { cluster: "" })).toThrow(TypeError);
    expect(() => authOf("n1", { members: ["n1", ""] })).toThrow(TypeError);
    expect(() =>
      createPeerAuth({
        secret: "a-shared-secret-of-32-characters" as never,
        cluster: "demo",
        self: "n1",
        members: ["n1"],
      }),
    ).toThrow(TypeError);
  });
});

describe("a correctly signed request", () => {
  it("verifies, and names its sender and send time", () => {
    expect(verifyAtN2(signed())).toEqual({ ok: true, value: { from: "n1", sentAtMs: realNowMs } });
  });

  it("verifies whatever its node ids and cluster name hold (they travel percent-encoded)", () => {
    const names = ["nœud:7001", "10.0.0.1:7001", "a b/c?d=e", "😀", "x".repeat(255)];
    const sender = authOf(names[0] as string, { cluster: "clüster ☃", members: names });
    for (const to of names) {
      const receiver = authOf(to, { cluster: "clüster ☃", members: names });
      const headers = signRequest(sender, { method, path, to, sentAtMs: realNowMs, body });
      for (const value of Object.values(headers)) expect(value).toMatch(/^[\x21-\x7e]+$/);
      const result = verifyRequest(receiver, { method, path, headers }, body, realNowMs);
      expect(result).toEqual({ ok: true, value: { from: names[0], sentAtMs: realNowMs } });
    }
  });

  it(`verifies up to authSkewToleranceMs (${authSkewToleranceMs} ms) either way of the receiver's real clock`, () => {
    expect(verifyAtN2(signed({ sentAtMs: realNowMs - authSkewToleranceMs })).ok).toBe(true);
    expect(verifyAtN2(signed({ sentAtMs: realNowMs + authSkewToleranceMs })).ok).toBe(true);
  });

  it("signs with the header format the wire documents", () => {
    const headers = signed();
    expect(headers[authHeader]).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(headers[sentAtHeader]).toBe(String(realNowMs));
    expect(headers[fromHeader]).toBe("n1");
    expect(headers[toHeader]).toBe("n2");
    expect(headers[clusterHeader]).toBe("demo");
  });
});

describe("a request that is not authentic is refused", () => {
  it("with AUTH_MISSING (401) when any of its headers is absent", () => {
    const headers = signed();
    for (const name of Object.keys(headers)) {
      const { [name]: _dropped, ...rest } = headers as Record<string, string>;
      const error = expectRefused(verifyAtN2(rest), "AUTH_MISSING");
      expect(error.message).toContain(name);
      expect(httpStatusOf(error)).toBe(401);
    }
    expectRefused(verifyAtN2({}), "AUTH_MISSING");
  });

  it("with AUTH_INVALID (403) when any single bit of its body is flipped", () => {
    const headers = signed();
    fc.assert(
      fc.property(fc.nat(body.byteLength * 8 - 1), (bit) => {
        const tampered = Uint8Array.from(body);
        tampered[bit >> 3] = (tampered[bit >> 3] as number) ^ (1 << (bit & 7));
        const error = expectRefused(verifyAtN2(headers, tampered), "AUTH_INVALID");
        expect(httpStatusOf(error)).toBe(403);
      }),
      { numRuns: 200 },
    );
    expectRefused(verifyAtN2(headers, Uint8Array.from([...body, 0])), "AUTH_INVALID");
    expectRefused(verifyAtN2(headers, body.subarray(1)), "AUTH_INVALID");
  });

  it("with AUTH_INVALID when it was signed with another secret", () => {
    const outsider = authOf("n1", { secret: secretOf("another-secret-of-32-characters!") });
    const headers = signRequest(outsider, { method, path, to: "n2", sentAtMs: realNowMs, body });
    expectRefused(verifyAtN2(headers), "AUTH_INVALID");
  });

  it("with AUTH_INVALID when it is for another cluster or another node, even with the same secret", () => {
    const otherCluster = signRequest(authOf("n1", { cluster: "staging" }), {
      method,
      path,
      to: "n2",
      sentAtMs: realNowMs,
      body,
    });
    expect(expectRefused(verifyAtN2(otherCluster), "AUTH_INVALID").message).toContain("cluster");
    expect(expectRefused(verifyAtN2(signed({ to: "n3" })), "AUTH_INVALID").message).toContain("n3");
    // The same request with its cluster and recipient headers edited to match: the signature still binds them.
    const edited = { ...otherCluster, [clusterHeader]: "demo" };
    expectRefused(verifyAtN2(edited), "AUTH_INVALID");
  });

  it("with AUTH_INVALID when a signed header, the method or the path was changed", () => {
    const headers = signed();
    expectRefused(verifyAtN2({ ...headers, [sentAtHeader]: String(realNowMs + 1) }), "AUTH_INVALID");
    expectRefused(verifyAtN2({ ...headers, [fromHeader]: "n3" }), "AUTH_INVALID");
    expectRefused(verifyAtN2(headers, body, realNowMs, { method: "PUT", path }), "AUTH_INVALID");
    expectRefused(verifyAtN2(headers, body, realNowMs, { method, path: "/internal/other" }), "AUTH_INVALID");
  });

  it("with AUTH_INVALID when its sender is not a member, though it holds the secret", () => {
    const stranger = authOf("n9", { members: ["n2", "n9"] });
    const headers = signRequest(stranger, { method, path, to: "n2", sentAtMs: realNowMs, body });
    expect(expectRefused(verifyAtN2(headers), "AUTH_INVALID").message).toContain("not a member");
  });

  it("with AUTH_EXPIRED (401) when sent more than the tolerance before or after the receiver's real clock", () => {
    for (const sentAtMs of [realNowMs - authSkewToleranceMs - 1, realNowMs + authSkewToleranceMs + 1, 0]) {
      const error = expectRefused(verifyAtN2(signed({ sentAtMs })), "AUTH_EXPIRED");
      expect(httpStatusOf(error)).toBe(401);
    }
  });

  it("with AUTH_INVALID, and no throw, when a header is malformed or repeated", () => {
    const headers = signed();
    const signature = headers[authHeader];
    const hex = signature.slice(3);
    for (const bad of [
      { [authHeader]: `v1=${hex.slice(1)}` },
      { [authHeader]: `v1=${hex}0` },
      { [authHeader]: "v1=" },
      { [authHeader]: `v1=${hex.toUpperCase()}` },
      { [authHeader]: hex },
      { [authHeader]: `v2=${hex}` },
      { [authHeader]: ` v1=${hex}` },
      { [authHeader]: `v1=${"z".repeat(64)}` },
      { [authHeader]: [signature, signature] },
      { [sentAtHeader]: "soon" },
      { [sentAtHeader]: "-1" },
      { [sentAtHeader]: "01760000000000" },
      { [sentAtHeader]: "1.76e12" },
      { [sentAtHeader]: "99999999999999999" },
      { [fromHeader]: "%E0%A4%A" },
      { [fromHeader]: "%ED%A0%80" },
      { [fromHeader]: "" },
      { [fromHeader]: "%6E1" },
      { [toHeader]: ["n2", "n2"] },
    ]) {
      let result: ReturnType<typeof verifyRequest> | undefined;
      expect(() => {
        result = verifyAtN2({ ...headers, ...bad });
      }).not.toThrow();
      if (result === undefined) throw new Error("no result");
      expectRefused(result, "AUTH_INVALID");
    }
  });

  it("never throws on arbitrary header values", () => {
    const headers = signed();
    const names = [authHeader, clusterHeader, fromHeader, toHeader, sentAtHeader];
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.string({ unit: "binary", maxLength: 100 }), (name, value) => {
        const result = verifyAtN2({ ...headers, [name]: value });
        if (!result.ok) expect(result.error).toBeInstanceOf(AuthError);
        else expect(value).toBe(headers[name as keyof AuthHeaders]);
      }),
      { numRuns: 500 },
    );
  });
});

describe("signing and verifying refuse programming mistakes", () => {
  it("throws on a bad recipient, send time or body, or a clock that is not a number", () => {
    expect(() => signRequest(n1, { method, path, to: "", sentAtMs: realNowMs, body })).toThrow(TypeError);
    expect(() => signRequest(n1, { method, path, to: "n2", sentAtMs: 1.5, body })).toThrow(TypeError);
    expect(() => signRequest(n1, { method, path, to: "n2", sentAtMs: -1, body })).toThrow(TypeError);
    expect(() => signRequest(n1, { method, path, to: "n2", sentAtMs: realNowMs, body: "x" as never })).toThrow(
      TypeError,
    );
    expect(() => verifyAtN2(signed(), body, Number.NaN)).toThrow(TypeError);
    for (const bad of [{ toString: 0 }, Object.create(null), Symbol()] as never[]) {
      expect(() => signRequest(n1, { method, path, to: "n2", sentAtMs: bad, body })).toThrow(
        /^signRequest: sentAtMs must be .*, got an? \w+$/,
      );
      expect(() => verifyAtN2(signed(), body, bad)).toThrow(/^verifyRequest: realNowMs must be a number, got an? \w+$/);
    }
  });
});
