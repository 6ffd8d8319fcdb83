import {
  compare,
  decodeBinary,
  decodeJson,
  decodeString,
  encodeBinary,
  encodeBinaryInto,
  encodedBytes,
  encodedStringLength,
  encodeJson,
  encodeString,
  HlcError,
  logicalMax,
  type Timestamp,
  timestamp,
  wallMsMax,
} from "@skew/hlc";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const anyTimestamp = fc
  .tuple(fc.integer({ min: 0, max: wallMsMax }), fc.integer({ min: 0, max: logicalMax }))
  .map(([w, l]) => timestamp(w, l));

/** memcmp: the order a key-value store gives byte keys. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return Math.sign(d);
  }
  return Math.sign(a.length - b.length);
}

const signOf = { before: -1, equal: 0, after: 1 } as const;
const sign = (a: Timestamp, b: Timestamp): number => signOf[compare(a, b) as keyof typeof signOf];

function malformed(run: () => unknown): void {
  expect(run).toThrow(HlcError);
  try {
    run();
  } catch (error) {
    expect((error as HlcError).code).toBe("HLC_MALFORMED_TIMESTAMP");
  }
}

/** A timestamp whose layout is easy to read: wall 0x018f2a3b4c5d ms (2024-04-29), logical 0x07ff. */
const sample = timestamp(0x01_8f_2a_3b_4c_5d, 0x07_ff);

describe("the 8-byte binary encoding", () => {
  it("is 6 bytes of wall milliseconds then 2 of logical counter, big-endian", () => {
    expect([...encodeBinary(sample)]).toEqual([0x01, 0x8f, 0x2a, 0x3b, 0x4c, 0x5d, 0x07, 0xff]);
    expect(encodedBytes).toBe(8);
  });

  it("round-trips every timestamp exactly", () => {
    fc.assert(
      fc.property(anyTimestamp, (ts) => {
        expect(decodeBinary(encodeBinary(ts))).toBe(ts);
      }),
    );
  });

  it("sorts byte by byte in timestamp order", () => {
    fc.assert(
      fc.property(anyTimestamp, anyTimestamp, (a, b) => {
        expect(compareBytes(encodeBinary(a), encodeBinary(b))).toBe(sign(a, b));
      }),
    );
  });

  it("writes into and reads from a larger buffer at an offset", () => {
    const buffer = new Uint8Array(20).fill(0xaa);
    encodeBinaryInto(sample, buffer, 5);
    expect([...buffer.subarray(0, 5)]).toEqual([0xaa, 0xaa, 0xaa, 0xaa, 0xaa]);
    expect([...buffer.subarray(13)]).toEqual([0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa]);
    expect(decodeBinary(buffer, 5)).toBe(sample);
    expect(() => encodeBinaryInto(sample, buffer, 13)).toThrow(RangeError);
    expect(() => encodeBinaryInto(sample, buffer, -1)).toThrow(RangeError);
  });

  it("decodes any 8 bytes either to the timestamp that encodes to them or to HLC_MALFORMED_TIMESTAMP", () => {
    const outcomes = { decoded: 0, refused: 0 };
    fc.assert(
      fc.property(fc.oneof(anyTimestamp.map(encodeBinary), fc.uint8Array({ minLength: 8, maxLength: 8 })), (bytes) => {
        let ts: Timestamp;
        try {
          ts = decodeBinary(bytes);
        } catch (error) {
          expect((error as HlcError).code).toBe("HLC_MALFORMED_TIMESTAMP");
          outcomes.refused++;
          return;
        }
        expect(encodeBinary(ts)).toEqual(bytes);
        outcomes.decoded++;
      }),
      { numRuns: 300 },
    );
    expect(outcomes.decoded).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });

  it("refuses too few bytes, a wall time past 2109 and a counter past its maximum", () => {
    malformed(() => decodeBinary(new Uint8Array(7)));
    malformed(() => decodeBinary(new Uint8Array(8), 1));
    malformed(() => decodeBinary(Uint8Array.of(0x04, 0, 0, 0, 0, 0, 0, 0)));
    malformed(() => decodeBinary(Uint8Array.of(0, 0, 0, 0, 0, 0, 0x08, 0x00)));
    expect(decodeBinary(Uint8Array.of(0x03, 0xff, 0xff, 0xff, 0xff, 0xff, 0x07, 0xff))).toBe(
      timestamp(wallMsMax, logicalMax),
    );
    expect(() => decodeBinary([0, 0, 0, 0, 0, 0, 0, 0] as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe("the sortable string encoding", () => {
  it("spells the binary encoding in 16 lowercase hexadecimal digits", () => {
    expect(encodeString(sample)).toBe("018f2a3b4c5d07ff");
    expect(encodeString(timestamp(0, 0))).toBe("0000000000000000");
    expect(encodedStringLength).toBe(16);
  });

  it("has one width and round-trips every timestamp exactly", () => {
    fc.assert(
      fc.property(anyTimestamp, (ts) => {
        const text = encodeString(ts);
        expect(text).toMatch(/^[0-9a-f]{16}$/);
        expect(decodeString(text)).toBe(ts);
      }),
    );
  });

  it("sorts as text in timestamp order", () => {
    fc.assert(
      fc.property(anyTimestamp, anyTimestamp, (a, b) => {
        const [x, y] = [encodeString(a), encodeString(b)];
        expect(x < y ? -1 : x > y ? 1 : 0).toBe(sign(a, b));
      }),
    );
  });

  it("decodes any string either to the timestamp that encodes to it or to HLC_MALFORMED_TIMESTAMP", () => {
    const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
    // Encodings, encodings with one code unit replaced, and arbitrary strings.
    const mutated = fc
      .tuple(anyTimestamp.map(encodeString), fc.nat({ max: 15 }), codeUnit)
      .map(([text, at, unit]) => text.slice(0, at) + unit + text.slice(at + 1));
    const text = fc.oneof(anyTimestamp.map(encodeString), mutated, fc.string({ unit: codeUnit, maxLength: 18 }));
    const outcomes = { decoded: 0, refused: 0 };
    fc.assert(
      fc.property(text, (input) => {
        let ts: Timestamp;
        try {
          ts = decodeString(input);
        } catch (error) {
          expect((error as HlcError).code).toBe("HLC_MALFORMED_TIMESTAMP");
          outcomes.refused++;
          return;
        }
        expect(encodeString(ts)).toBe(input);
        outcomes.decoded++;
      }),
      { numRuns: 300 },
    );
    expect(outcomes.decoded).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });

  it("refuses other widths, upper case, non-digits, and values out of range", () => {
    malformed(() => decodeString(""));
    malformed(() => decodeString("018f2a3b4c5d07f"));
    malformed(() => decodeString("018f2a3b4c5d07ff0"));
    malformed(() => decodeString("018F2A3B4C5D07FF"));
    malformed(() => decodeString("018f2a3b4c5d07fg"));
    malformed(() => decodeString("018f2a3b4c5d 7ff"));
    malformed(() => decodeString("018f2a3b4c5d07\u0130f"));
    malformed(() => decodeString("0400000000000000"));
    malformed(() => decodeString("0000000000000800"));
    expect(decodeString("03ffffffffff07ff")).toBe(timestamp(wallMsMax, logicalMax));
    expect(() => decodeString(42 as unknown as string)).toThrow(TypeError);
  });
});

describe("the JSON encoding", () => {
  it("names the two parts", () => {
    expect(encodeJson(sample)).toEqual({ wallMs: 0x01_8f_2a_3b_4c_5d, logical: 0x07_ff });
    expect(JSON.stringify(encodeJson(timestamp(1_700_000_000_000, 3)))).toBe('{"wallMs":1700000000000,"logical":3}');
  });

  it("round-trips every timestamp through JSON text", () => {
    fc.assert(
      fc.property(anyTimestamp, (ts) => {
        expect(decodeJson(JSON.parse(JSON.stringify(encodeJson(ts))))).toBe(ts);
      }),
    );
  });

  it("refuses anything but an object with exactly wallMs and logical, integers in range", () => {
    for (const value of [
      null,
      undefined,
      42,
      "018f2a3b4c5d07ff",
      [1, 2],
      {},
      { wallMs: 1 },
      { wallMs: 1, logical: 0, node: "a" },
      { wallMs: "1", logical: 0 },
      { wallMs: 1.5, logical: 0 },
      { wallMs: -1, logical: 0 },
      { wallMs: wallMsMax + 1, logical: 0 },
      { wallMs: 1, logical: logicalMax + 1 },
      { wallMs: 1, logical: null },
    ]) {
      malformed(() => decodeJson(value));
    }
  });
});

describe("every encoder", () => {
  it("names the argument whatever was passed, even a value whose conversion to text throws", () => {
    const bytes = encodeBinary(timestamp(1, 2));
    for (const bad of [{ toString: 0 }, Object.create(null), Symbol()]) {
      expect(() => decodeBinary(bytes, bad as number)).toThrow(
        /^decodeBinary: offset must be an integer >= 0, got an? /,
      );
      expect(() => encodeBinaryInto(timestamp(1, 2), new Uint8Array(8), bad as number)).toThrow(/at offset an? \w+ of/);
      expect(() => encodeBinary(bad as Timestamp)).toThrow(/^encodeBinaryInto: expected a timestamp .*, got an? /);
      expect(() => decodeJson({ wallMs: bad, logical: 0 })).toThrow(/wallMs must be an integer .*, got an? \w+$/);
      expect(() => decodeJson({ wallMs: 0, logical: bad })).toThrow(/logical must be an integer .*, got an? \w+$/);
    }
    expect(() => decodeJson(Object.assign(() => 0, { toString: 0 }))).toThrow(/expected an object, got a function$/);
    expect(() => decodeJson("x".repeat(50))).toThrow(new RegExp(`got "${"x".repeat(40)}"\\.\\.\\.$`));
    expect(() => decodeString("x".repeat(50))).toThrow(new RegExp(`got "${"x".repeat(40)}"\\.\\.\\.$`));
  });

  it("refuses a value that is not a timestamp with a TypeError", () => {
    for (const bad of [-1, 0.5, Number.NaN, 2 ** 53]) {
      const ts = bad as Timestamp;
      expect(() => encodeBinary(ts)).toThrow(TypeError);
      expect(() => encodeString(ts)).toThrow(TypeError);
      expect(() => encodeJson(ts)).toThrow(TypeError);
    }
  });
});
