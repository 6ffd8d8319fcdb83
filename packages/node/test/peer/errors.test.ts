import { SkewError } from "@skew/env";
import { describe, expect, it } from "vitest";
import {
  AuthError,
  type AuthErrorCode,
  authErrorCodes,
  httpStatusOf,
  PeerConfigError,
  WireError,
  type WireErrorCode,
  wireErrorCodes,
} from "../../src/peer/errors.js";

describe("httpStatusOf", () => {
  it("answers each refusal with its registry's status: 400 or 413 for a body, 401 or 403 for credentials", () => {
    for (const code of Object.keys(wireErrorCodes) as WireErrorCode[]) {
      const error = new WireError(code, "detail");
      expect(httpStatusOf(error)).toBe(wireErrorCodes[code].status);
      expect([400, 413]).toContain(httpStatusOf(error));
      expect(error).toBeInstanceOf(SkewError);
      expect(error.message).toBe(`${wireErrorCodes[code].message}: detail`);
    }
    for (const code of Object.keys(authErrorCodes) as AuthErrorCode[]) {
      expect(httpStatusOf(new AuthError(code))).toBe(authErrorCodes[code].status);
    }
    expect(httpStatusOf(new AuthError("AUTH_MISSING"))).toBe(401);
    expect(httpStatusOf(new AuthError("AUTH_INVALID"))).toBe(403);
    expect(httpStatusOf(new AuthError("AUTH_EXPIRED"))).toBe(401);
    expect(httpStatusOf(new WireError("ENVELOPE_TOO_LARGE"))).toBe(413);
  });

  it("throws on anything else: a configuration error is never an HTTP answer", () => {
    expect(() => httpStatusOf(new PeerConfigError("CLUSTER_SECRET_INVALID") as never)).toThrow(TypeError);
    expect(() => httpStatusOf(new Error("x") as never)).toThrow(TypeError);
  });
});
