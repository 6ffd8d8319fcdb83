/**
 * The wire formats: round trips, one encoding per value, and a decoder that
 * accepts exactly the canonical encodings and rejects everything else with a
 * `VectorError` (never another exception, never a silently different clock).
 */
import { Buffer } from "node:buffer";
import { clockBytesMax, counterMax, entriesMax, VectorClock, VectorError } from "@skew/vector";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromBase64Url, toBase64Url } from "../src/codec/base64url.js";
import { clockArb } from "./support/arbitraries.js";

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (error instanceof VectorError) return error.code;
    throw error;
  }
};

/** An encoded clock written by hand: header, flags, count, then [id bytes, counter varint bytes] entries. */
function bytesOf(entries: readonly (readonly [number[], number[]])[], flags = 0, header = [0x56, 1]): Uint8Array {
  const out = [...header, flags, entries.length];
  for (const [id, counter] of entries) out.push(id.length, ...id, ...counter);
  return Uint8Array.from(out);
}
const ascii = (text: string): number[] => [...text].map((ch) => ch.charCodeAt(0));

describe("VectorClock encoding", () => {
  it("round-trips, in binary and in text", () => {
    fc.assert(
      fc.property(clockArb, fc.nat({ max: 8 }), (clock, keep) => {
        const c = keep < 8 ? clock.prune(keep) : clock;
        expect(VectorClock.decode(c.encode()).equals(c)).toBe(true);
        expect(VectorClock.decodeText(c.encodeText()).equals(c)).toBe(true);
        expect(c.encodeText()).toMatch(/^[A-Za-z0-9_-]*$/);
      }),
    );
  });

  it("gives equal clocks equal bytes, and different clocks different bytes", () => {
    fc.assert(
      fc.property(clockArb, clockArb, (a, b) => {
        expect(Buffer.from(a.encode()).equals(Buffer.from(b.encode()))).toBe(a.equals(b));
      }),
    );
  });

  it("accepts exactly the canonical encodings: any change to valid bytes decodes to the same bytes or throws VECTOR_*", () => {
    fc.assert(
      fc.property(
        clockArb,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }),
        (clock, edits) => {
          const bytes = clock.encode();
          for (const [at, value] of edits) bytes[at % bytes.length] = value;
          let decoded: VectorClock;
          try {
            decoded = VectorClock.decode(bytes);
          } catch (error) {
            expect(error).toBeInstanceOf(VectorError);
            return;
          }
          expect(Buffer.from(decoded.encode()).equals(Buffer.from(bytes))).toBe(true);
        },
      ),
    );
  });

  it("rejects every truncation and every trailing byte", () => {
    fc.assert(
      fc.property(clockArb, (clock) => {
        const bytes = clock.encode();
        for (let length = 0; length < bytes.length; length++) {
          expect(code(() => VectorClock.decode(bytes.subarray(0, length)))).toBe("VECTOR_MALFORMED");
        }
        expect(code(() => VectorClock.decode(Uint8Array.from([...bytes, 0])))).toBe("VECTOR_MALFORMED");
      }),
    );
  });

  it("names what is wrong with hand-made bad inputs", () => {
    const one = [0x01];
    expect(code(() => VectorClock.decode(bytesOf([[ascii("a"), one]])))).toBeUndefined();
    expect(code(() => VectorClock.decode(bytesOf([], 0, [0x53, 1])))).toBe("VECTOR_MALFORMED"); // a set, not a clock
    expect(code(() => VectorClock.decode(bytesOf([], 0, [0x56, 2])))).toBe("VECTOR_VERSION_UNSUPPORTED");
    expect(code(() => VectorClock.decode(bytesOf([], 0x02)))).toBe("VECTOR_MALFORMED"); // unknown flag
    expect(code(() => VectorClock.decode(bytesOf([[[], one]])))).toBe("VECTOR_MALFORMED"); // empty id
    expect(code(() => VectorClock.decode(bytesOf([[ascii("a"), [0]]])))).toBe("VECTOR_MALFORMED"); // zero counter
    expect(code(() => VectorClock.decode(bytesOf([[ascii("a"), [0x81, 0x00]]])))).toBe("VECTOR_MALFORMED"); // redundant zero
    const a = [ascii("a"), one] as const;
    const b = [ascii("b"), one] as const;
    expect(code(() => VectorClock.decode(bytesOf([a, b])))).toBeUndefined();
    expect(code(() => VectorClock.decode(bytesOf([b, a])))).toBe("VECTOR_MALFORMED"); // out of order
    expect(code(() => VectorClock.decode(bytesOf([a, a])))).toBe("VECTOR_MALFORMED"); // twice
    // Not UTF-8: a lone continuation byte, an overlong "/", an encoded surrogate, past U+10FFFF, truncated.
    for (const id of [[0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]]) {
      expect(code(() => VectorClock.decode(bytesOf([[id, one]])))).toBe("VECTOR_MALFORMED");
    }
    expect(code(() => VectorClock.decodeText("not base64!"))).toBe("VECTOR_MALFORMED");
    expect(() => VectorClock.decode("AQ" as never)).toThrow(TypeError);
    expect(() => VectorClock.decodeText(7 as never)).toThrow(TypeError);
  });

  it("refuses a counter past 2^53 - 1 with VECTOR_COUNTER_OVERFLOW, and accepts 2^53 - 1", () => {
    const varint = (value: bigint): number[] => {
      const out: number[] = [];
      let rest = value;
      while (rest >= 0x80n) {
        out.push(Number(rest % 0x80n) | 0x80);
        rest /= 0x80n;
      }
      out.push(Number(rest));
      return out;
    };
    const max = BigInt(counterMax);
    expect(VectorClock.decode(bytesOf([[ascii("a"), varint(max)]])).get("a")).toBe(counterMax);
    expect(code(() => VectorClock.decode(bytesOf([[ascii("a"), varint(max + 1n)]])))).toBe("VECTOR_COUNTER_OVERFLOW");
    expect(code(() => VectorClock.decode(bytesOf([[ascii("a"), varint(2n ** 64n)]])))).toBe("VECTOR_COUNTER_OVERFLOW");
  });

  it("refuses a count beyond entriesMax, and input longer than any clock, before allocating for it", () => {
    const count = [0x80 | ((entriesMax + 1) & 0x7f), (entriesMax + 1) >> 7];
    expect(code(() => VectorClock.decode(Uint8Array.from([0x56, 1, 0, ...count])))).toBe("VECTOR_LIMIT_EXCEEDED");
    expect(code(() => VectorClock.decode(Uint8Array.from([0x56, 1, 0, 0x7f])))).toBe("VECTOR_MALFORMED"); // 127 entries in 0 bytes
    expect(code(() => VectorClock.decode(new Uint8Array(clockBytesMax + 1)))).toBe("VECTOR_LIMIT_EXCEEDED");
    expect(code(() => VectorClock.decodeText("A".repeat(Math.ceil((clockBytesMax * 4) / 3) + 4)))).toBe(
      "VECTOR_LIMIT_EXCEEDED",
    );
  });
});

describe("base64url", () => {
  it("agrees with Node's Buffer on every byte string", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = toBase64Url(bytes);
        expect(text).toBe(Buffer.from(bytes).toString("base64url"));
        expect(Buffer.from(fromBase64Url(text)).equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });

  it("accepts one text per byte string: no padding, no other alphabet, no stray bits", () => {
    expect(toBase64Url(Uint8Array.from([0xff]))).toBe("_w");
    for (const text of ["_w==", "+w", "/w", "_x", "A", "AAAAA", "é"]) {
      expect(() => fromBase64Url(text), text).toThrow(VectorError);
    }
  });
});
