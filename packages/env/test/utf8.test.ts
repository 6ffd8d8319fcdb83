/**
 * The UTF-8 codec cores use instead of the host's TextEncoder/TextDecoder:
 * it must agree with the platform byte for byte on every well-formed string,
 * and accept exactly what a strict (fatal) platform decoder accepts.
 */
import { Buffer } from "node:buffer";
import { hasLoneSurrogate, readUtf8, utf8Length, writeUtf8 } from "@skew/env";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

describe("UTF-8", () => {
  it("encodes every well-formed string as the platform does", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 20 }), (text) => {
        const expected = new TextEncoder().encode(text);
        const out = new Uint8Array(utf8Length(text));
        expect(writeUtf8(text, out, 0)).toBe(expected.length);
        expect(Buffer.from(out).equals(Buffer.from(expected))).toBe(true);
      }),
    );
  });

  it("decodes exactly the byte strings a strict platform decoder accepts, to the same text", () => {
    const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    const bytesArb = fc.oneof(
      fc.uint8Array({ maxLength: 12 }),
      fc.string({ unit: "grapheme", maxLength: 8 }).map((text) => new TextEncoder().encode(text)),
      fc
        .array(fc.constantFrom(0x00, 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff), {
          maxLength: 8,
        })
        .map((bytes) => Uint8Array.from(bytes)),
    );
    fc.assert(
      fc.property(bytesArb, (bytes) => {
        let expected: string | undefined;
        try {
          expected = strict.decode(bytes);
        } catch {
          expected = undefined;
        }
        expect(readUtf8(bytes, 0, bytes.length)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it("tells a lone surrogate, which UTF-8 cannot carry, from a pair", () => {
    expect(hasLoneSurrogate("plain")).toBe(false);
    expect(hasLoneSurrogate("\u{1F600}")).toBe(false);
    expect(hasLoneSurrogate("a\uD800")).toBe(true);
    expect(hasLoneSurrogate("\uDC00b")).toBe(true);
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 12 }), (text) => {
        expect(hasLoneSurrogate(text)).toBe(false);
        expect(readUtf8(new TextEncoder().encode(text), 0, utf8Length(text))).toBe(text);
      }),
    );
  });
});
