/**
 * The fallback's hint store (node/hints.ts): bounded, merged per primary and
 * key, fenced like a replica, durable under a parseable key, deleted only
 * when the primary acknowledged the version it was sent.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { hintDeliveriesInFlightMax, hintDeliveryRetryMs } from "../../src/constants.js";
import { HintStore, hintStorageKey, parseHintStorageKey } from "../../src/node/hints.js";
import { keyIdOf } from "../../src/node/storage.js";
import { encodeRecord, type LwwRecord } from "../../src/record/index.js";

function lww(time: number, value: string, fence = 0): LwwRecord {
  return { kind: "lww", stamp: { fence, time, node: "n1" }, value: new TextEncoder().encode(value) };
}

const key = keyIdOf("b", "k");
const fits = (): boolean => true;

function ops(): () => string {
  let n = 0;
  return () => `op${++n}`;
}

describe("hint storage keys", () => {
  test("round-trip any primary and key id, NULs and colons included", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), fc.string(), (primary, bucket, k) => {
        const keyId = keyIdOf(bucket.replaceAll("\u0000", ""), k);
        fc.pre(!keyId.startsWith("\u0000"));
        expect(parseHintStorageKey(hintStorageKey(primary, keyId))).toEqual({ primary, keyId });
      }),
    );
  });

  test("refuse what is not one", () => {
    for (const bad of ["v/b\u0000k", "h/", "h/x:n1b\u0000k", "h/9:n1b\u0000k", "h/0:b\u0000k", "h/2:n1bk"]) {
      expect(parseHintStorageKey(bad)).toBeUndefined();
    }
  });
});

describe("HintStore", () => {
  test("keeps one hint per primary and key, merged by the join; refuses past hintsMax", () => {
    const store = new HintStore(2);
    const first = store.accept("n3", key, lww(1, "a"), 0);
    expect(first).toMatchObject({ refused: null, changed: true, op: { kind: "put", key: hintStorageKey("n3", key) } });
    expect(store.accept("n3", key, lww(0, "older"), 0)).toEqual({ refused: null, changed: false, op: undefined });
    expect(store.accept("n3", key, lww(2, "b"), 0)).toMatchObject({ refused: null, changed: true });
    expect(store.accept("n4", key, lww(1, "c"), 0)).toMatchObject({ refused: null, changed: true });
    expect(store.size).toBe(2);
    expect(store.accept("n5", key, lww(1, "d"), 0)).toEqual({ refused: "HINTS_FULL" });
    // A full store still merges into a hint it holds: that takes no room.
    expect(store.accept("n4", key, lww(3, "e"), 0)).toMatchObject({ refused: null, changed: true });
    const held = [...store.entries()].map((h) => [
      h.primary,
      new TextDecoder().decode((h.record as LwwRecord).value as Uint8Array),
    ]);
    expect(held).toEqual([
      ["n3", "b"],
      ["n4", "e"],
    ]);
    expect(store.recordsFor(key)).toHaveLength(2);
    expect(store.recordsFor(keyIdOf("b", "other"))).toEqual([]);
  });

  test("refuses a hinted write whose fencing token is below the hint's, as a replica would", () => {
    const store = new HintStore(10);
    store.accept("n3", key, lww(1, "a", 34), 34);
    expect(store.accept("n3", key, lww(9, "zombie", 33), 33)).toEqual({ refused: "FENCED" });
    expect(store.accept("n3", key, lww(2, "b", 34), 34)).toMatchObject({ refused: null, changed: true });
  });

  test("hands off only to primaries not suspected, paced, retried after the retry time", () => {
    const store = new HintStore(1_000);
    for (let i = 0; i < hintDeliveriesInFlightMax + 5; i++)
      store.accept(`p${i % 2}`, keyIdOf("b", `k${i}`), lww(1, "v"), 0);
    const next = ops();
    const suspectP1 = (peer: string): boolean => peer === "p1";
    const first = store.takeDeliveries(0, suspectP1, next);
    expect(first.length).toBeGreaterThan(0);
    expect(first.every((d) => d.primary === "p0")).toBe(true);
    expect(first).toHaveLength(Math.ceil((hintDeliveriesInFlightMax + 5) / 2));
    expect(store.takeDeliveries(hintDeliveryRetryMs - 1, suspectP1, next)).toEqual([]); // in flight
    const all = store.takeDeliveries(hintDeliveryRetryMs - 1, () => false, next);
    expect(all).toHaveLength(hintDeliveriesInFlightMax - first.length); // the cap
    const retried = store.takeDeliveries(hintDeliveryRetryMs, () => false, next);
    expect(retried.map((d) => d.keyId)).toEqual(first.map((d) => d.keyId));
  });

  test("deletes a hint on the ack of the version sent, and not on a stale ack, a damaged one, or another sender's", () => {
    const store = new HintStore(10);
    store.accept("n3", key, lww(1, "a"), 0);
    const next = ops();
    const [sent] = store.takeDeliveries(0, () => false, next);
    if (sent === undefined) throw new Error("nothing delivered");
    expect(store.acknowledged(sent.op, "n4", false)).toBeUndefined(); // not the primary
    store.accept("n3", key, lww(2, "b"), 0); // changed while in flight
    expect(store.acknowledged(sent.op, "n3", false)).toBeUndefined();
    expect(store.size).toBe(1);
    const [again] = store.takeDeliveries(0, () => false, next);
    expect(again?.record).toMatchObject({ stamp: { time: 2 } });
    expect(store.acknowledged(again?.op as string, "n3", true)).toBeUndefined(); // damaged: sent again later
    const [third] = store.takeDeliveries(0, () => false, next);
    expect(store.acknowledged(third?.op as string, "n3", false)).toEqual({
      kind: "delete",
      key: hintStorageKey("n3", key),
    });
    expect(store.size).toBe(0);
    expect(store.recordsFor(key)).toEqual([]);
    expect(store.acknowledged(third?.op as string, "n3", false)).toBeUndefined(); // a duplicate ack
  });

  test("restores what it stored, and refuses damaged bytes", () => {
    const store = new HintStore(10);
    const bytes = encodeRecord(lww(1, "a"));
    expect(store.restore(hintStorageKey("n3", key), bytes, fits)).toBe(true);
    const damaged = bytes.slice();
    damaged[damaged.length - 1] = (damaged[damaged.length - 1] as number) ^ 1;
    expect(store.restore(hintStorageKey("n4", key), damaged, fits)).toBe(false);
    expect(store.restore(hintStorageKey("n5", key), bytes, () => false)).toBe(false);
    expect([...store.entries()].map((h) => h.primary)).toEqual(["n3"]);
  });
});
