import { crc32c } from "@skew/kv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checksumOf, verifyChecksum } from "../../src/peer/checksum.js";

describe("the body checksum", () => {
  it("is the body's CRC-32C as 8 lowercase hex digits (the standard check value for '123456789')", () => {
    expect(checksumOf(new TextEncoder().encode("123456789"))).toBe("e3069283");
    expect(checksumOf(new Uint8Array(0))).toBe("00000000");
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (body) => {
        const header = checksumOf(body);
        expect(header).toMatch(/^[0-9a-f]{8}$/);
        expect(Number.parseInt(header, 16)).toBe(crc32c(body));
        expect(verifyChecksum(header, body)).toEqual({ ok: true, value: undefined });
      }),
      { numRuns: 300 },
    );
  });

  it("detects any single flipped bit in the body", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 4096 }), fc.nat(), (body, bit) => {
        const header = checksumOf(body);
        const damaged = Uint8Array.from(body);
        const at = bit % (damaged.byteLength * 8);
        damaged[at >> 3] = (damaged[at >> 3] as number) ^ (1 << (at & 7));
        const result = verifyChecksum(header, damaged);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.error.code).toBe("CHECKSUM_MISMATCH");
      }),
      { numRuns: 1000 },
    );
  });

  it("refuses a missing, repeated or malformed header as CHECKSUM_MISSING", () => {
    const body = new TextEncoder().encode("123456789");
    for (const header of [undefined, "", "E3069283", "e306928", "e30692830", "0xe30692", "e306928g", ["e3069283"]]) {
      const result = verifyChecksum(header, body);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe("CHECKSUM_MISSING");
    }
  });
});
