/**
 * MurmurHash3_x86_32 against published vectors (SMHasher's reference
 * implementation, as collected in the Wikipedia article and widely reused
 * test suites), and `hashKey`'s contract: it hashes UTF-8(bucket) ++ 0x00 ++
 * key bytes, encoding strings on the fly exactly as a UTF-8 encoder would.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hashKey, murmur3, murmur3Utf8 } from "../../src/ring/index.js";
import { Murmur3Stream } from "../../src/ring/murmur3.js";

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

/** Strings of any code points, astral ones included (surrogate pairs), never a lone surrogate. */
/** Any text, and runs of ASCII between other code points: the encoder folds ASCII on a path of its own. */
const textArb = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc
    .array(fc.oneof(fc.string({ unit: "binary-ascii", maxLength: 7 }), fc.string({ unit: "binary", maxLength: 2 })), {
      maxLength: 8,
    })
    .map((runs) => runs.join("")),
);

describe("murmur3 (x86, 32-bit)", () => {
  it("matches the published vectors", () => {
    const vectors: [number[] | string, number, number][] = [
      [[], 0, 0],
      [[], 1, 0x514e28b7],
      [[], 0xffffffff, 0x81f16f39],
      [[0xff, 0xff, 0xff, 0xff], 0, 0x76293b50],
      [[0x21, 0x43, 0x65, 0x87], 0, 0xf55b516b],
      [[0x21, 0x43, 0x65, 0x87], 0x5082edee, 0x2362f9de],
      [[0x21, 0x43, 0x65], 0, 0x7e4a8634],
      [[0x21, 0x43], 0, 0xa0f7b07a],
      [[0x21], 0, 0x72661cf4],
      [[0, 0, 0, 0], 0, 0x2362f9de],
      [[0, 0, 0], 0, 0x85f0b427],
      [[0, 0], 0, 0x30f4c306],
      [[0], 0, 0x514e28b7],
      ["hello", 0, 0x248bfa47],
      ["The quick brown fox jumps over the lazy dog", 0, 0x2e4ff723],
      ["aaaa", 0x9747b28c, 0x5a97808a],
      ["abc", 0x9747b28c, 0xc84a62dd],
      ["Hello, world!", 0x9747b28c, 0x24884cba],
      ["The quick brown fox jumps over the lazy dog", 0x9747b28c, 0x2fa826cd],
    ];
    for (const [input, seed, expected] of vectors) {
      const bytes = typeof input === "string" ? utf8(input) : Uint8Array.from(input);
      expect(murmur3(bytes, seed), `${JSON.stringify(input)} seed ${seed}`).toBe(expected);
      if (typeof input === "string") expect(murmur3Utf8(input, seed)).toBe(expected);
    }
  });

  it("hashes a string as a UTF-8 encoder's bytes, astral code points included", () => {
    expect(murmur3Utf8("π€😀")).toBe(murmur3(utf8("π€😀")));
    fc.assert(
      fc.property(textArb, fc.nat({ max: 0xffffffff }), (text, seed) => {
        expect(murmur3Utf8(text, seed)).toBe(murmur3(utf8(text), seed));
      }),
    );
  });

  it("fed in pieces, equals the hash of the concatenation", () => {
    const pieceArb = fc.oneof(fc.uint8Array({ maxLength: 9 }), textArb, fc.integer({ min: 0, max: 255 }));
    fc.assert(
      fc.property(fc.array(pieceArb, { maxLength: 8 }), fc.nat({ max: 0xffffffff }), (pieces, seed) => {
        const stream = new Murmur3Stream().start(seed);
        const bytes: Uint8Array[] = [];
        for (const piece of pieces) {
          if (typeof piece === "number") {
            stream.byte(piece);
            bytes.push(Uint8Array.of(piece));
          } else if (typeof piece === "string") {
            stream.utf8(piece);
            bytes.push(utf8(piece));
          } else {
            stream.bytes(piece);
            bytes.push(piece);
          }
        }
        expect(stream.end()).toBe(murmur3(concat(...bytes), seed));
      }),
    );
  });

  it("refuses a lone surrogate instead of hashing U+FFFD in its place", () => {
    for (const text of ["\ud800", "a\udc00b", "\udbff", "x\ud83d"]) {
      expect(() => murmur3Utf8(text)).toThrow(TypeError);
      expect(() => hashKey("bucket", text)).toThrow(TypeError);
      expect(() => hashKey(text, "key")).toThrow(TypeError);
    }
  });
});

describe("hashKey", () => {
  it("is murmur3 of UTF-8(bucket) ++ 0x00 ++ key bytes, for string and byte keys alike", () => {
    fc.assert(
      fc.property(textArb, fc.oneof(textArb, fc.uint8Array({ maxLength: 40 })), (bucket, key) => {
        const keyBytes = typeof key === "string" ? utf8(key) : key;
        const expected = murmur3(concat(utf8(bucket), Uint8Array.of(0), keyBytes));
        expect(hashKey(bucket, key)).toBe(expected);
        expect(hashKey(bucket, keyBytes)).toBe(expected);
      }),
    );
  });

  it("separates bucket from key", () => {
    expect(hashKey("ab", "c")).not.toBe(hashKey("a", "bc"));
    expect(hashKey("", "abc")).not.toBe(hashKey("abc", ""));
  });

  it("refuses a bucket or key of the wrong type", () => {
    expect(() => hashKey(1 as unknown as string, "k")).toThrow(TypeError);
    expect(() => hashKey("b", 1 as unknown as string)).toThrow(TypeError);
    expect(() => murmur3(new Uint8Array(0), -1)).toThrow(RangeError);
    for (const bad of [{ toString: 0 }, Object.create(null), Symbol()] as never[]) {
      expect(() => murmur3(new Uint8Array(0), bad)).toThrow(/^murmur3: seed must be a number, got an? \w+$/);
      expect(() => murmur3Utf8("k", bad)).toThrow(/^murmur3Utf8: seed must be a number, got an? \w+$/);
    }
  });
});
