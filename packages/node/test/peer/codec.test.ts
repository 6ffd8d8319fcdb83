import type { PeerMessage } from "@skew/kv";
import fc from "fast-check";
import { Packr } from "msgpackr";
import { describe, expect, it } from "vitest";
import { decodeEnvelope, type Envelope, encodeEnvelope } from "../../src/peer/codec.js";
import { envelopeBytesMax, envelopeMessagesMax, messageDepthMax } from "../../src/peer/constants.js";
import { WireError } from "../../src/peer/errors.js";
import { plainDataProblem } from "../../src/peer/plain-data.js";
import { byteArraysIn, envelopeArb, messageArb } from "./arbitraries.js";

/** A writer that is not ours: it emits msgpackr's extensions (Date, Set, RegExp, Error, typed arrays, bigint). */
const foreignPackr = new Packr({ useRecords: false, moreTypes: true });
/** A plain writer, for bodies that are msgpack but not envelopes. */
const plainPackr = new Packr({ useRecords: false });

function envelopeOf(messages: readonly PeerMessage[]): Envelope {
  return { v: 1, cluster: "demo", from: "n1", to: "n2", sentAtMs: 1_700_000_000_000, messages };
}

const write = {
  kind: "write",
  ts: 3_481_600_000_000_005,
  op: "k7h2.1",
  bucket: "b",
  key: "k",
  fence: 0,
  record: new Uint8Array([1, 2, 3]),
} as unknown as PeerMessage;

/** The envelope's fields as a plain object, to be altered and packed by hand. */
function rawEnvelope(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...envelopeOf([write]), ...overrides };
}

function expectRefused(bytes: Uint8Array, code: WireError["code"]): WireError {
  const result = decodeEnvelope(bytes);
  if (result.ok) throw new Error(`expected ${code}, the envelope decoded`);
  expect(result.error).toBeInstanceOf(WireError);
  expect(result.error.code).toBe(code);
  return result.error;
}

/** decodeEnvelope's contract on any input: a value, never a throw; a success only for a real envelope. */
function decodesSafely(bytes: Uint8Array): void {
  let result: ReturnType<typeof decodeEnvelope> | undefined;
  expect(() => {
    result = decodeEnvelope(bytes);
  }).not.toThrow();
  if (result === undefined) throw new Error("no result");
  if (result.ok) {
    // Whatever got through is an envelope this node could have written itself.
    expect(decodeEnvelope(encodeEnvelope(result.value as unknown as Envelope))).toEqual(result);
  } else {
    expect(result.error).toBeInstanceOf(WireError);
  }
}

describe("round trips", () => {
  it("any envelope of kv-like messages with byte fields survives encode and decode", () => {
    fc.assert(
      fc.property(envelopeArb, (envelope) => {
        const decoded = decodeEnvelope(encodeEnvelope(envelope));
        expect(decoded).toEqual({ ok: true, value: envelope });
      }),
      { numRuns: 500 },
    );
  });

  it("byte fields decode as plain Uint8Arrays that own their memory, not views into the body", () => {
    fc.assert(
      fc.property(envelopeArb, (envelope) => {
        const body = encodeEnvelope(envelope);
        const decoded = decodeEnvelope(body);
        if (!decoded.ok) throw decoded.error;
        const before = byteArraysIn(envelope).length;
        const after = byteArraysIn(decoded.value);
        expect(after).toHaveLength(before);
        for (const bytes of after) {
          expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
          expect(bytes.buffer).not.toBe(body.buffer);
          expect(bytes.buffer.byteLength).toBe(bytes.byteLength);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("a Buffer value is sent and comes back a Uint8Array of the same bytes", () => {
    const message = { ...write, record: Buffer.from("hello") } as PeerMessage;
    const decoded = decodeEnvelope(encodeEnvelope(envelopeOf([message])));
    if (!decoded.ok) throw decoded.error;
    const record = decoded.value.messages[0]?.record;
    expect(Object.getPrototypeOf(record)).toBe(Uint8Array.prototype);
    expect(record).toEqual(new Uint8Array(Buffer.from("hello")));
  });

  it("kv's optional and null fields keep their meaning: an absent hint stays absent, a null record null", () => {
    const reply = { kind: "read-reply", ts: 1, op: "a.1", record: null } as unknown as PeerMessage;
    const decoded = decodeEnvelope(encodeEnvelope(envelopeOf([write, reply])));
    if (!decoded.ok) throw decoded.error;
    expect("hint" in (decoded.value.messages[0] ?? {})).toBe(false);
    expect(decoded.value.messages[1]?.record).toBeNull();
  });

  it("-0 decodes as 0 (msgpack writes it as the integer 0): the one number that changes", () => {
    const message = { ...write, fence: -0 } as PeerMessage;
    const decoded = decodeEnvelope(encodeEnvelope(envelopeOf([message])));
    if (!decoded.ok) throw decoded.error;
    expect(Object.is(decoded.value.messages[0]?.fence, 0)).toBe(true);
  });

  it("leaves the caller's buffer as it was (msgpackr caches a dataView on its input)", () => {
    const body = Buffer.from(encodeEnvelope(envelopeOf([write])));
    const copy = Buffer.from(body);
    expect(decodeEnvelope(body).ok).toBe(true);
    expect(Object.keys(body)).not.toContain("dataView");
    expect("dataView" in body).toBe(false);
    expect(body.equals(copy)).toBe(true);
  });
});

describe("decodeEnvelope never throws", () => {
  it("on arbitrary bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 1024 }), decodesSafely), { numRuns: 3000 });
  });

  it("on every truncation of a valid encoding, and refuses it as malformed", () => {
    fc.assert(
      fc.property(envelopeArb, fc.nat(), (envelope, cut) => {
        const body = encodeEnvelope(envelope);
        const prefix = body.subarray(0, cut % body.byteLength);
        decodesSafely(prefix);
        expectRefused(prefix, "ENVELOPE_MALFORMED");
      }),
      { numRuns: 2000 },
    );
  });

  it("on arbitrary msgpack-encoded JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => decodesSafely(plainPackr.pack(value))),
      { numRuns: 2000 },
    );
  });

  it("on envelopes whose fields or messages are replaced by anything a foreign msgpack writer can say", () => {
    const field = fc.constantFrom("v", "cluster", "from", "to", "sentAtMs", "messages", "message", "extra");
    const anything = fc.anything({
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withTypedArray: true,
      withSparseArray: true,
      withNullPrototype: true,
      withBoxedValues: true,
      withObjectString: true,
    });
    fc.assert(
      fc.property(field, anything, (name, value) => {
        const raw =
          name === "message"
            ? rawEnvelope({ messages: [write, { ...write, nested: value }] })
            : name === "extra"
              ? rawEnvelope({ extra: value })
              : rawEnvelope({ [name]: value });
        decodesSafely(foreignPackr.pack(raw));
      }),
      { numRuns: 1000 },
    );
  });

  it("on valid encodings with random bytes overwritten", () => {
    fc.assert(
      fc.property(
        envelopeArb,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (envelope, edits) => {
          const body = Uint8Array.from(encodeEnvelope(envelope));
          for (const [at, byte] of edits) body[at % body.byteLength] = byte;
          decodesSafely(body);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("on array and map headers that claim billions of entries", () => {
    for (const header of [
      [0xdd, 0xff, 0xff, 0xff, 0xff],
      [0xdf, 0xff, 0xff, 0xff, 0xff],
      [0xdc, 0xff, 0xff],
      [0xc6, 0xff, 0xff, 0xff, 0xff],
      [0xdb, 0x7f, 0xff, 0xff, 0xff],
    ]) {
      expectRefused(Uint8Array.from(header), "ENVELOPE_MALFORMED");
      // The same claim as the messages of an otherwise valid envelope.
      const prefix = plainPackr.pack(rawEnvelope({ messages: [] }));
      const withClaim = Uint8Array.from([...prefix.subarray(0, prefix.byteLength - 1), ...header]);
      expectRefused(withClaim, "ENVELOPE_MALFORMED");
    }
  });

  it("on nesting deep enough to overflow the decoder's stack", () => {
    expectRefused(new Uint8Array(200_000).fill(0x91), "ENVELOPE_MALFORMED");
  });

  it("on input that is not bytes at all", () => {
    for (const input of [undefined, null, "text", 42, {}, [1, 2], new ArrayBuffer(4)]) {
      expectRefused(input as unknown as Uint8Array, "ENVELOPE_MALFORMED");
    }
  });
});

describe("decodeEnvelope refuses what is not a version 1 envelope", () => {
  it("an empty body, a body that is not a map, trailing bytes", () => {
    expectRefused(new Uint8Array(0), "ENVELOPE_MALFORMED");
    expectRefused(plainPackr.pack([rawEnvelope()]), "ENVELOPE_MALFORMED");
    expectRefused(plainPackr.pack("envelope"), "ENVELOPE_MALFORMED");
    const body = plainPackr.pack(rawEnvelope());
    expect(decodeEnvelope(body).ok).toBe(true);
    expectRefused(Uint8Array.from([...body, 0xc0]), "ENVELOPE_MALFORMED");
  });

  it("another version, or no version", () => {
    expectRefused(plainPackr.pack(rawEnvelope({ v: 2 })), "ENVELOPE_VERSION_UNSUPPORTED");
    expectRefused(plainPackr.pack(rawEnvelope({ v: 0 })), "ENVELOPE_VERSION_UNSUPPORTED");
    expectRefused(plainPackr.pack(rawEnvelope({ v: "1" })), "ENVELOPE_MALFORMED");
    expectRefused(plainPackr.pack(rawEnvelope({ v: undefined })), "ENVELOPE_MALFORMED");
  });

  it("a missing, extra or mistyped field", () => {
    const { from: _from, ...withoutFrom } = rawEnvelope();
    expectRefused(plainPackr.pack(withoutFrom), "ENVELOPE_MALFORMED");
    expectRefused(plainPackr.pack(rawEnvelope({ extra: true })), "ENVELOPE_MALFORMED");
    for (const [field, value] of [
      ["from", 7],
      ["from", ""],
      ["to", null],
      ["to", ["n2"]],
      ["cluster", new Uint8Array([1])],
      ["from", "x".repeat(256)],
      ["from", "é".repeat(128)],
      ["sentAtMs", -1],
      ["sentAtMs", 1.5],
      ["sentAtMs", "1700000000000"],
      ["sentAtMs", 2 ** 60],
      ["messages", {}],
      ["messages", "write"],
    ] as const) {
      const error = expectRefused(plainPackr.pack(rawEnvelope({ [field]: value })), "ENVELOPE_MALFORMED");
      expect(error.message).toContain(field);
    }
  });

  it("a message that is not an object", () => {
    for (const message of [null, 1, "write", [write], new Uint8Array(3), true]) {
      const error = expectRefused(plainPackr.pack(rawEnvelope({ messages: [write, message] })), "ENVELOPE_MALFORMED");
      expect(error.message).toContain("message 1");
    }
  });

  it("a message holding something outside plain data, however it got there", () => {
    const exotic: Record<string, unknown> = {
      date: new Date(5),
      set: new Set([1]),
      regexp: /a+/,
      error: new Error("boom"),
      float32: new Float32Array([1.5]),
      uint16: new Uint16Array([7]),
      bigint: 2n ** 63n,
    };
    for (const [name, value] of Object.entries(exotic)) {
      const body = foreignPackr.pack(rawEnvelope({ messages: [{ ...write, deep: [{ value }] }] }));
      const result = decodeEnvelope(body);
      expect(result.ok, name).toBe(false);
    }
    // msgpackr's 0xC1 marker ("never used" in msgpack), which it decodes as an object of its own class.
    const c1 = plainPackr.pack(rawEnvelope({ messages: [{ ...write, marker: 0 }] }));
    c1[c1.byteLength - 1] = 0xc1;
    expectRefused(c1, "ENVELOPE_MALFORMED");
  });

  it("a string or key holding a lone surrogate (msgpackr's JS decoder makes one of ill-formed UTF-8)", () => {
    expect(plainDataProblem({ key: "a\ud800" }, messageDepthMax, false)).toContain("lone surrogate");
    expect(plainDataProblem({ "\udfff": 1 }, messageDepthMax, false)).toContain("lone surrogate");
    expect(plainDataProblem({ key: "a\ud83d\ude00" }, messageDepthMax, false)).toBeUndefined();
  });

  it("bigints within 2^53 from another writer's int64 come back as numbers; beyond, the message is refused", () => {
    const small = foreignPackr.pack(rawEnvelope({ sentAtMs: 2n ** 40n }));
    const decoded = decodeEnvelope(small);
    if (!decoded.ok) throw decoded.error;
    expect(decoded.value.sentAtMs).toBe(2 ** 40);
    expectRefused(foreignPackr.pack(rawEnvelope({ sentAtMs: 2n ** 60n })), "ENVELOPE_MALFORMED");
  });

  it(`nesting inside a message up to messageDepthMax (${messageDepthMax}) levels, and no deeper`, () => {
    const nested = (levels: number): unknown => {
      let value: unknown = new Uint8Array([1]);
      for (let i = 0; i < levels; i++) value = [value];
      return value;
    };
    // The message object is the first level.
    const fits = plainPackr.pack(rawEnvelope({ messages: [{ ...write, deep: nested(messageDepthMax - 1) }] }));
    expect(decodeEnvelope(fits).ok).toBe(true);
    const deeper = plainPackr.pack(rawEnvelope({ messages: [{ ...write, deep: nested(messageDepthMax) }] }));
    expect(expectRefused(deeper, "ENVELOPE_MALFORMED").message).toContain("deeper");
  });

  it(`up to envelopeMessagesMax (${envelopeMessagesMax}) messages, and no more`, () => {
    const heartbeat = { kind: "heartbeat", ts: 1, wallMs: 2 };
    const full = plainPackr.pack(
      rawEnvelope({ messages: Array.from({ length: envelopeMessagesMax }, () => heartbeat) }),
    );
    expect(decodeEnvelope(full).ok).toBe(true);
    const over = plainPackr.pack(
      rawEnvelope({ messages: Array.from({ length: envelopeMessagesMax + 1 }, () => heartbeat) }),
    );
    expectRefused(over, "ENVELOPE_TOO_LARGE");
  });

  it(`a body over envelopeBytesMax (${envelopeBytesMax} bytes), before decoding it`, () => {
    expectRefused(new Uint8Array(envelopeBytesMax + 1), "ENVELOPE_TOO_LARGE");
  });
});

describe("encodeEnvelope refuses, as the sender's bug, what would not arrive unchanged", () => {
  it("bad envelope fields", () => {
    const good = envelopeOf([write]);
    for (const bad of [
      { ...good, from: "" },
      { ...good, to: 7 },
      { ...good, cluster: "\ud800" },
      { ...good, sentAtMs: -1 },
      { ...good, sentAtMs: 0.5 },
      { ...good, v: 2 },
      { ...good, messages: "nope" },
    ]) {
      expect(() => encodeEnvelope(bad as unknown as Envelope)).toThrow(TypeError);
    }
  });

  it("values outside plain data, lone surrogates and own __proto__ keys", () => {
    const withProto = JSON.parse('{"__proto__": 1}') as unknown;
    for (const odd of [new Date(0), 1n, new Float32Array(1), new Set(), () => 1, Symbol("s"), "a\udc00b", withProto]) {
      expect(() => encodeEnvelope(envelopeOf([{ ...write, odd } as unknown as PeerMessage]))).toThrow(TypeError);
    }
    const badKey = { ...write, "k\ud800": 1 } as unknown as PeerMessage;
    expect(() => encodeEnvelope(envelopeOf([badKey]))).toThrow(TypeError);
  });

  it("more messages than envelopeMessagesMax, as a RangeError: the transport splits its batches", () => {
    const many = fc.sample(messageArb, 1)[0] as PeerMessage;
    expect(() => encodeEnvelope(envelopeOf(Array.from({ length: envelopeMessagesMax + 1 }, () => many)))).toThrow(
      RangeError,
    );
  });
});
