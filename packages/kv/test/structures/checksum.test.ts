/**
 * CRC-32C: the published check values (the CRC catalogue's "123456789", the
 * iSCSI vectors of RFC 3720 appendix B.4), agreement with the definition
 * computed bit by bit, and the two laws the store relies on: a checksum
 * computed in pieces equals the one-shot checksum, and no single flipped bit
 * goes unnoticed.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32c } from "../../src/checksum/index.js";

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

/** The definition, one bit at a time: reflected polynomial 0x82F63B78, register and result inverted. */
function crc32cBitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return ~crc >>> 0;
}

describe("crc32c", () => {
  it("matches the published check values", () => {
    expect(crc32c(ascii("123456789"))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    // RFC 3720, B.4: 32 bytes of zeros, of ones, ascending, descending.
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  it("agrees with the bitwise definition at every length and alignment", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(7), (bytes, offset) => {
        const shifted = bytes.subarray(Math.min(offset, bytes.length));
        expect(crc32c(shifted)).toBe(crc32cBitwise(shifted));
      }),
    );
  });

  it("is incremental: crc32c(b, crc32c(a)) === crc32c(a ++ b)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 100 }), (a, b) => {
        const whole = new Uint8Array(a.length + b.length);
        whole.set(a);
        whole.set(b, a.length);
        expect(crc32c(b, crc32c(a))).toBe(crc32c(whole));
      }),
    );
  });

  it("changes when any single bit flips", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.nat(), fc.nat(7), (bytes, position, bit) => {
        const flipped = bytes.slice();
        const at = position % bytes.length;
        flipped[at] = (flipped[at] as number) ^ (1 << bit);
        expect(crc32c(flipped)).not.toBe(crc32c(bytes));
      }),
    );
  });

  it("returns an unsigned 32-bit integer", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat({ max: 0xffffffff }), (bytes, seed) => {
        const crc = crc32c(bytes, seed);
        expect(crc >>> 0).toBe(crc);
      }),
    );
  });

  it("refuses what is not bytes, or a seed that is not an unsigned 32-bit integer", () => {
    expect(() => crc32c("abc" as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => crc32c(new Uint8Array(1), -1)).toThrow(RangeError);
    expect(() => crc32c(new Uint8Array(1), 2 ** 32)).toThrow(RangeError);
    expect(() => crc32c(new Uint8Array(1), 1.5)).toThrow(RangeError);
    for (const bad of [{ toString: 0 }, Object.create(null), Symbol()] as never[]) {
      expect(() => crc32c(new Uint8Array(1), bad)).toThrow(/^crc32c: seed must be a number, got an? \w+$/);
    }
  });
});
