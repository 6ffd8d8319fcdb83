import { Random } from "@skew/env";
import { SimStore } from "@skew/sim";
import fc from "fast-check";
import { expect, test } from "vitest";

type Op = { kind: "put"; key: string; byte: number } | { kind: "delete"; key: string } | { kind: "sync" };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("put" as const),
    key: fc.constantFrom("a", "b", "c"),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant("delete" as const), key: fc.constantFrom("a", "b", "c") }),
  fc.record({ kind: fc.constant("sync" as const) }),
);

function contents(store: SimStore): Record<string, number[]> {
  return Object.fromEntries(store.keys().map((key) => [key, [...(store.get(key) ?? [])]]));
}

test("reads see every write; a crash keeps exactly what was synced (model check)", () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const store = new SimStore();
      const live = new Map<string, number[]>();
      let durable = new Map<string, number[]>();
      for (const o of ops) {
        if (o.kind === "put") {
          store.put(o.key, new Uint8Array([o.byte]));
          live.set(o.key, [o.byte]);
        } else if (o.kind === "delete") {
          store.delete(o.key);
          live.delete(o.key);
        } else {
          store.sync();
          durable = new Map(live);
        }
        expect(contents(store)).toEqual(Object.fromEntries([...live].sort()));
      }
      store.crash("all", Random.seeded(1));
      expect(contents(store)).toEqual(Object.fromEntries([...durable].sort()));
    }),
  );
});

test("'some' keeps a subset of the unsynced writes, applied in order; 'torn' may truncate one of them", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 1_000_000 }),
      fc.constantFrom("some" as const, "torn" as const),
      (seed, loss) => {
        const store = new SimStore();
        store.put("base", new Uint8Array([1, 2, 3]));
        store.sync();
        const written = [0, 1, 2, 3, 4, 5].map((i) => new Uint8Array([i, i, i, i]));
        for (const [i, value] of written.entries()) store.put(`k${i}`, value);
        const lost = store.crash(loss, Random.seeded(seed));
        const keys = store.keys();
        expect(keys).toContain("base");
        expect(keys.length - 1).toBe(6 - lost);
        for (const key of keys.filter((k) => k !== "base")) {
          const i = Number(key.slice(1));
          const value = [...(store.get(key) ?? [])];
          const full = [...(written[i] ?? [])];
          if (loss === "some") expect(value).toEqual(full);
          else expect(full.slice(0, value.length)).toEqual(value);
        }
      },
    ),
  );
});

test("values are copied in and out: mutating a buffer does not change the disk", () => {
  const store = new SimStore();
  const value = new Uint8Array([1, 2]);
  store.put("k", value);
  value[0] = 9;
  (store.get("k") as Uint8Array)[1] = 9;
  expect(store.get("k")).toEqual(new Uint8Array([1, 2]));
});
