/**
 * verifyRequest compares signatures with node:crypto's timingSafeEqual, and
 * only ever on two buffers of one length (timingSafeEqual throws otherwise).
 * The module is wrapped so every call is seen.
 */
import { describe, expect, it, vi } from "vitest";

const calls = vi.hoisted(() => [] as { a: number; b: number }[]);

vi.mock("node:crypto", async (importOriginal) => {
  const crypto = await importOriginal<typeof import("node:crypto")>();
  return {
    ...crypto,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      calls.push({ a: a.byteLength, b: b.byteLength });
      return crypto.timingSafeEqual(a, b);
    },
  };
});

const { authHeader, signRequest, verifyRequest } = await import("../../src/peer/auth.js");
const { authOf, realNowMs } = await import("./support.js");

describe("signature comparison", () => {
  const n1 = authOf("n1");
  const n2 = authOf("n2");
  const body = new Uint8Array([1, 2, 3]);
  const request = { method: "POST", path: "/internal/stream" };
  const headers = signRequest(n1, { ...request, to: "n2", sentAtMs: realNowMs, body });
  const hex = headers[authHeader].slice(3);
  const verify = (signature: string) =>
    verifyRequest(n2, { ...request, headers: { ...headers, [authHeader]: signature } }, body, realNowMs);

  it("goes through timingSafeEqual, on 32-byte buffers, for a right and a wrong signature", () => {
    calls.length = 0;
    expect(verify(`v1=${hex}`).ok).toBe(true);
    const wrong = `v1=${hex[0] === "0" ? "1" : "0"}${hex.slice(1)}`;
    const refused = verify(wrong);
    expect(refused.ok).toBe(false);
    expect(calls).toEqual([
      { a: 32, b: 32 },
      { a: 32, b: 32 },
    ]);
  });

  it("never reaches timingSafeEqual with a signature of another length, and does not throw", () => {
    calls.length = 0;
    for (const signature of [`v1=${hex.slice(2)}`, `v1=${hex}00`, "v1=", `v1=${hex.slice(1)}`, `v1=${hex}${hex}`]) {
      let result: ReturnType<typeof verify> | undefined;
      expect(() => {
        result = verify(signature);
      }).not.toThrow();
      expect(result?.ok).toBe(false);
      if (result !== undefined && !result.ok) expect(result.error.code).toBe("AUTH_INVALID");
    }
    expect(calls).toEqual([]);
  });
});
