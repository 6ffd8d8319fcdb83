import { DottedVersionVectorSet, VectorClock } from "@skew/vector";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32c } from "../../src/checksum/index.js";
import { decodeRecord, encodeRecord, type KvRecord, recordsEqual, type Sibling } from "../../src/record/index.js";
import { causalStepsArb, lwwRecordArb, runCausal } from "../support/arbitraries.js";

const recordArb: fc.Arbitrary<KvRecord> = fc.oneof(
  lwwRecordArb,
  fc
    .tuple(causalStepsArb, fc.integer({ min: 0, max: 2 }))
    .map(([steps, i]) => runCausal(steps, { tombstones: true }).records[i] as KvRecord),
);

function decoded(bytes: Uint8Array): KvRecord {
  const result = decodeRecord(bytes);
  if (!result.ok) throw result.error;
  return result.value;
}

describe("record encoding", () => {
  it("decodes what it encodes, and encodes canonically", () => {
    fc.assert(
      fc.property(recordArb, (record) => {
        const bytes = encodeRecord(record);
        const back = decoded(bytes);
        expect(recordsEqual(back, record)).toBe(true);
        expect(encodeRecord(back)).toEqual(bytes);
      }),
    );
  });

  it("decodes into values of its own: the bytes it read may be reused without changing the record", () => {
    // A record is decoded from a frame's buffer; the sibling codec is handed views (@skew/vector's ValueCodec) and
    // must copy what it keeps, or a record in the replica would change when the buffer is reused.
    fc.assert(
      fc.property(recordArb, (record) => {
        const bytes = encodeRecord(record);
        const back = decoded(bytes);
        bytes.fill(0xa5);
        expect(recordsEqual(back, record)).toBe(true);
      }),
    );
  });

  it("has one encoding per record: any sealed bytes it accepts are what it would write", () => {
    // A replica stores and hashes a record in the bytes it arrived in (kv-node.ts, reusable), which is right only
    // if no other bytes decode to the same record: altered bytes, resealed so that the checksum passes, either are
    // refused or encode back to themselves. For a causal record this rests on @skew/vector's canonical encoding of
    // the set (its own tests) and on the sibling codec's fixed layout.
    fc.assert(
      fc.property(
        recordArb,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (record, edits) => {
          const bytes = encodeRecord(record).slice();
          const end = bytes.length - 4;
          for (const [at, value] of edits) bytes[at % end] = value;
          new DataView(bytes.buffer).setUint32(end, crc32c(bytes.subarray(0, end)));
          const result = decodeRecord(bytes);
          if (result.ok) expect(encodeRecord(result.value)).toEqual(bytes);
          else expect(result.error.code).toBe("RECORD_MALFORMED");
        },
      ),
      { numRuns: 4_000 },
    );
  });

  it("detects any flipped bit as corruption (CRC-32C catches every single-bit error)", () => {
    fc.assert(
      fc.property(recordArb, fc.nat(), fc.integer({ min: 0, max: 7 }), (record, at, bit) => {
        const bytes = encodeRecord(record);
        const flipped = bytes.slice();
        const index = at % flipped.length;
        flipped[index] = (flipped[index] as number) ^ (1 << bit);
        const result = decodeRecord(flipped);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.error.code).toBe("RECORD_CORRUPT");
      }),
    );
  });

  it("never accepts a truncated record", () => {
    fc.assert(
      fc.property(recordArb, fc.nat(), (record, cut) => {
        const bytes = encodeRecord(record);
        const result = decodeRecord(bytes.subarray(0, cut % bytes.length));
        expect(result.ok).toBe(false);
        if (!result.ok) expect(["RECORD_CORRUPT", "RECORD_MALFORMED"]).toContain(result.error.code);
      }),
    );
  });

  it("refuses a causal record whose sibling was written under another token than the record's fence", () => {
    const sibling = (fence: number): Sibling => ({ fence, at: 1_000 + fence, value: new Uint8Array([fence]) });
    const set = DottedVersionVectorSet.empty<Sibling>()
      .update(sibling(5), VectorClock.empty, "n1")
      .update({ fence: 5, at: 2_000, value: null }, VectorClock.empty, "n2");
    expect(decoded(encodeRecord({ kind: "causal", fence: 5, set }))).toEqual({ kind: "causal", fence: 5, set });
    // Below the fence it would have been superseded; above it, the fence would not be the highest token seen.
    for (const fence of [4, 6]) {
      const odd = set.update(sibling(fence), VectorClock.empty, "n3");
      const result = decodeRecord(encodeRecord({ kind: "causal", fence: 5, set: odd }));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.message).toMatch(/sibling's fence/);
    }
  });

  it("carries each causal sibling's stamp, and refuses a stamp that is not a finite number >= 0", () => {
    const stamped = (at: number) =>
      DottedVersionVectorSet.empty<Sibling>().update(
        { fence: 0, at, value: new Uint8Array([7]) },
        VectorClock.empty,
        "n1",
      );
    const good = stamped(123_456.5);
    const back = decoded(encodeRecord({ kind: "causal", fence: 0, set: good }));
    expect(back.kind === "causal" && back.set.values().map((s) => s.at)).toEqual([123_456.5]);
    for (const at of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const result = decodeRecord(encodeRecord({ kind: "causal", fence: 0, set: stamped(at) }));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe("RECORD_MALFORMED");
    }
  });

  it("refuses well-sealed bytes that are not a record as malformed", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 40 }), (body) => {
        const sealed = new Uint8Array(body.length + 4);
        sealed.set(body);
        new DataView(sealed.buffer).setUint32(body.length, crc32c(body));
        const result = decodeRecord(sealed);
        // The checksum holds, so a refusal is about the form; random bytes that do form a record encode back to themselves.
        if (result.ok) expect(encodeRecord(result.value)).toEqual(sealed);
        else expect(result.error.code).toBe("RECORD_MALFORMED");
      }),
    );
    const sealed = (bytes: number[]): Uint8Array => {
      const out = new Uint8Array(bytes.length + 4);
      out.set(bytes);
      new DataView(out.buffer).setUint32(bytes.length, crc32c(out.subarray(0, bytes.length)));
      return out;
    };
    const header = [0x4b, 0x02, 0x01, 0, 0, 0, 0, 0, 0, 0, 0];
    for (const [bytes, why] of [
      [[0x4c, ...header.slice(1)], /not a record/],
      // Version 1 carried no sibling stamps: refused, not read with made-up ones.
      [[0x4b, 0x01, ...header.slice(2)], /format version/],
      [[0x4b, 0x03, ...header.slice(2)], /format version/],
      [[0x4b, 0x02, 0x07, ...header.slice(3)], /unknown kind/],
      [[...header, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], /truncated node id/],
    ] as const) {
      const result = decodeRecord(sealed([...bytes]));
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe("RECORD_MALFORMED");
        expect(result.error.message).toMatch(why);
      }
    }
  });
});
