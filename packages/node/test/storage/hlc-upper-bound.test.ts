import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeHlcUpperBound, encodeHlcUpperBound, hlcUpperBoundKey, StorageError } from "../../src/storage/index.js";
import { storageFixture } from "./support.js";

const fixture = storageFixture();

function corruptCode(bytes: Uint8Array): string | undefined {
  try {
    decodeHlcUpperBound(bytes);
    return undefined;
  } catch (error) {
    return error instanceof StorageError ? error.code : "not a StorageError";
  }
}

describe("HLC upper bound encoding", () => {
  it("decodes what it encodes", () => {
    fc.assert(fc.property(fc.maxSafeNat(), (boundMs) => decodeHlcUpperBound(encodeHlcUpperBound(boundMs)) === boundMs));
  });

  it("reports any flipped bit as STORAGE_CORRUPT", () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.nat({ max: 12 * 8 - 1 }), (boundMs, bit) => {
        const bytes = encodeHlcUpperBound(boundMs);
        bytes[bit >> 3] = (bytes[bit >> 3] as number) ^ (1 << (bit & 7));
        expect(corruptCode(bytes)).toBe("STORAGE_CORRUPT");
      }),
    );
  });

  it("reports bytes of the wrong length as STORAGE_CORRUPT, naming the key", () => {
    const bytes = encodeHlcUpperBound(1_704_067_200_000);
    for (const wrong of [bytes.subarray(0, 11), new Uint8Array(0), new Uint8Array([...bytes, 0])]) {
      expect(corruptCode(wrong)).toBe("STORAGE_CORRUPT");
    }
    expect(() => decodeHlcUpperBound(new Uint8Array(3))).toThrow(hlcUpperBoundKey);
  });

  it("refuses to encode a bound that is not a non-negative safe integer of ms", () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1]) {
      expect(() => encodeHlcUpperBound(bad), String(bad)).toThrow(RangeError);
    }
    for (const bad of [{ toString: 0 }, Object.create(null), Symbol()] as never[]) {
      expect(() => encodeHlcUpperBound(bad)).toThrow(/^encodeHlcUpperBound: the bound must be .*, got an? \w+$/);
    }
  });
});

describe("LevelStore.readHlcUpperBound", () => {
  it("is undefined until a bound is persisted, then the last one persisted, across a reopen", async () => {
    const dir = await fixture.dir();
    const store = await fixture.open(dir);
    expect(await store.readHlcUpperBound()).toBeUndefined();
    store.enqueueMeta(hlcUpperBoundKey, encodeHlcUpperBound(1_000));
    store.enqueueMeta(hlcUpperBoundKey, encodeHlcUpperBound(2_000));
    await store.flush();
    expect(await store.readHlcUpperBound()).toBe(2_000);
    await store.close();
    const reopened = await fixture.open(dir);
    expect(await reopened.readHlcUpperBound()).toBe(2_000);
  });

  it("reports a stored bound that fails its checksum as STORAGE_CORRUPT", async () => {
    const store = await fixture.open(await fixture.dir());
    const bytes = encodeHlcUpperBound(5_000);
    bytes[0] = (bytes[0] as number) ^ 1;
    await store.submit({ batchId: 1, ops: [{ kind: "put", key: hlcUpperBoundKey, value: bytes }] });
    await expect(store.readHlcUpperBound()).rejects.toMatchObject({ code: "STORAGE_CORRUPT" });
  });
});
