import { counterMax, LamportError, LamportStamp, nodeIdAlphabet, nodeIdBytesMax, stampBytesMax } from "@skew/lamport";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stampArbitrary } from "./arbitraries.js";

function parsed(text: string): LamportStamp {
  const result = LamportStamp.parse(text);
  if (!result.ok) throw result.error;
  return result.value;
}

function rejection(text: string): LamportError {
  const result = LamportStamp.parse(text);
  if (result.ok) throw new Error(`parsed ${JSON.stringify(text)} as ${result.value.toString()}`);
  return result.error;
}

/** Texts shaped like stamps: digits, the separator and node-id characters, with a few strangers, in any mix. */
const stampLikeText = fc.string({
  unit: fc.oneof(
    fc.constantFrom(..."0123456789"),
    fc.constantFrom("@", "0", "9"),
    fc.constantFrom(...nodeIdAlphabet),
    fc.constantFrom(" ", "+", "-", ".", "e", "é", "\u0660", "\u0000"),
  ),
  maxLength: stampBytesMax + 4,
});

/** Any UTF-16 code unit, lone surrogates included: any string JavaScript can hold. */
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));

describe("the text form of a stamp", () => {
  it("is the counter in 16 zero-padded digits, '@', and the node id", () => {
    expect(LamportStamp.of(42, "node-a").toString()).toBe("0000000000000042@node-a");
    expect(LamportStamp.of(0, "a").toString()).toBe("0000000000000000@a");
    expect(LamportStamp.of(counterMax, "b").toString()).toBe("9007199254740991@b");
    expect(`${LamportStamp.of(7, "n")}`).toBe("0000000000000007@n");
  });

  it("is what JSON.stringify writes", () => {
    const stamp = LamportStamp.of(42, "node-a");
    expect(JSON.stringify({ stamp })).toBe('{"stamp":"0000000000000042@node-a"}');
    const { stamp: text } = JSON.parse(JSON.stringify({ stamp })) as { stamp: string };
    expect(parsed(text).equals(stamp)).toBe(true);
  });

  it("is never longer than stampBytesMax", () => {
    expect(LamportStamp.of(counterMax, "z".repeat(nodeIdBytesMax)).toString()).toHaveLength(stampBytesMax);
  });

  it("parses back to the same stamp", () => {
    fc.assert(
      fc.property(stampArbitrary, (stamp) => {
        expect(parsed(stamp.toString()).equals(stamp)).toBe(true);
      }),
    );
  });

  it("is the only text of its stamp: whatever parses, prints back as the same text", () => {
    fc.assert(
      fc.property(stampLikeText, (text) => {
        const result = LamportStamp.parse(text);
        if (result.ok) expect(result.value.toString()).toBe(text);
        else expect(result.error.code).toBe("LAMPORT_MALFORMED");
      }),
      { numRuns: 2_000 },
    );
  });

  it("sorts as the stamps do, as JavaScript strings and as UTF-8 bytes", () => {
    fc.assert(
      fc.property(stampArbitrary, stampArbitrary, (a, b) => {
        const [textA, textB] = [a.toString(), b.toString()];
        const textOrder = textA < textB ? "before" : textA > textB ? "after" : "equal";
        const byteSign = Buffer.compare(Buffer.from(textA, "utf8"), Buffer.from(textB, "utf8"));
        const byteOrder = byteSign < 0 ? "before" : byteSign > 0 ? "after" : "equal";
        expect(textOrder).toBe(a.compare(b));
        expect(byteOrder).toBe(a.compare(b));
      }),
    );
  });

  it("accepts the edges of the range", () => {
    expect(parsed("0000000000000000@a").counter).toBe(0);
    expect(parsed("9007199254740991@a").counter).toBe(counterMax);
    expect(parsed(`0000000000000001@${"Z".repeat(nodeIdBytesMax)}`).nodeId).toHaveLength(nodeIdBytesMax);
  });

  it("rejects a counter past counterMax instead of rounding it", () => {
    for (const text of ["9007199254740992@a", "9007199254740993@a", "9999999999999999@a"]) {
      const error = rejection(text);
      expect(error).toBeInstanceOf(LamportError);
      expect(error.code).toBe("LAMPORT_MALFORMED");
      expect(error.message).toMatch(/past counterMax/);
    }
  });

  it("rejects every other departure from the form with LAMPORT_MALFORMED", () => {
    const malformed = [
      "",
      "42@a", // not padded
      "00000000000000042@a", // 17 digits
      "000000000000042@a", // 15 digits
      "0000000000000042", // no node id
      "0000000000000042@", // empty node id
      "0000000000000042:a", // another separator
      "+000000000000042@a",
      " 000000000000042@a",
      "000000000000004e@a",
      "00000000000000-1@a",
      "\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0661@a", // Arabic-Indic digits
      "0000000000000042@a@b",
      "0000000000000042@a b",
      "0000000000000042@é",
      "0000000000000042@a\n",
      `0000000000000042@${"a".repeat(nodeIdBytesMax + 1)}`,
    ];
    for (const text of malformed) {
      expect(rejection(text).code, JSON.stringify(text)).toBe("LAMPORT_MALFORMED");
    }
  });

  it("quotes a rejected text in the message, cut short when it is long", () => {
    expect(rejection("42@a").message).toContain('"42@a"');
    const long = "x".repeat(10_000);
    const message = rejection(long).message;
    expect(message).toContain("10000 characters");
    expect(message.length).toBeLessThan(300);
  });

  it("returns failures as values, and never throws on any string", () => {
    fc.assert(
      fc.property(fc.string({ unit: anyCodeUnit, maxLength: stampBytesMax + 4 }), (text) => {
        const result = LamportStamp.parse(text);
        if (result.ok) expect(result.value.toString()).toBe(text);
        else expect(result.error.code).toBe("LAMPORT_MALFORMED");
      }),
    );
  });

  it("throws a TypeError when given something that is not a string (a programming mistake)", () => {
    expect(() => LamportStamp.parse(42 as unknown as string)).toThrow(TypeError);
  });
});
