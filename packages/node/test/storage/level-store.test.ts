import { spawn } from "node:child_process";
import { once } from "node:events";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { StorageOp, WriteBatch } from "@skew/kv";
import { ClassicLevel } from "classic-level";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  databaseDirName,
  durabilities,
  type FlushInfo,
  groupCommitWindowMsMax,
  groupWriteBytesMaxMin,
  LevelStore,
  type LevelStoreOptions,
  StorageError,
  storedPrefixes,
} from "../../src/storage/index.js";
import { bytes, byUtf8Key, nextMicrotask, storageFixture } from "./support.js";

const fixture = storageFixture();
afterEach(() => {
  vi.restoreAllMocks();
});

function put(key: string, value: Uint8Array): StorageOp {
  return { kind: "put", key, value };
}

function del(key: string): StorageOp {
  return { kind: "delete", key };
}

/** What the db holds, read back through a store that was closed and opened again. */
async function reopenedContents(store: LevelStore): Promise<Array<[string, Uint8Array]>> {
  await store.close();
  const reopened = await fixture.open(store.dir, store.durability);
  return reopened.readAll();
}

/** A store in a new folder whose every group write is recorded in `flushes` (its `onFlush`). */
async function openRecording(
  durability: "sync" | "relaxed",
  more: Omit<LevelStoreOptions, "dir" | "durability" | "onFlush"> = {},
): Promise<{ store: LevelStore; flushes: FlushInfo[] }> {
  const flushes: FlushInfo[] = [];
  const store = await fixture.open(await fixture.dir(), durability, { ...more, onFlush: (info) => flushes.push(info) });
  return { store, flushes };
}

/** What the watch below uses of a chained batch. */
interface Chained {
  write(options: { sync: boolean }): Promise<void>;
  close(): Promise<void>;
}

/**
 * Watches the store's group writes, which go through level's chained batches:
 * `calls` gets each write's options. `failNext` makes the next write fail
 * instead of writing (the one fault LevelDB will not produce on demand).
 */
function watchWrites(): { calls: Array<{ sync: boolean }>; failNext: (error: Error) => void } {
  const original = ClassicLevel.prototype.batch as unknown as (this: unknown) => Chained;
  const calls: Array<{ sync: boolean }> = [];
  let failure: Error | undefined;
  vi.spyOn(ClassicLevel.prototype, "batch").mockImplementation(function (this: unknown) {
    const chained = original.call(this);
    const write = chained.write.bind(chained);
    chained.write = async (options) => {
      calls.push(options);
      const error = failure;
      failure = undefined;
      if (error === undefined) return write(options);
      await chained.close();
      throw error;
    };
    return chained;
  } as unknown as typeof ClassicLevel.prototype.batch);
  return { calls, failNext: (error) => (failure = error) };
}

function expectStorageError(error: unknown, code: StorageError["code"]): StorageError {
  expect(error).toBeInstanceOf(StorageError);
  expect((error as StorageError).code).toBe(code);
  return error as StorageError;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}

describe("LevelStore: layout", () => {
  it("stores every prefix in its own sublevel and gives every key back, as kv wrote it, after a reopen", async () => {
    const dir = await fixture.dir();
    const store = await fixture.open(dir);
    const entries: Array<[string, Uint8Array]> = storedPrefixes.flatMap(
      (prefix, i): Array<[string, Uint8Array]> => [
        [`${prefix}bucket\u0000key`, bytes(`value of ${prefix}`)],
        [`${prefix}b/ucket\u0000k/ey ${i}`, new Uint8Array([0, 255, i])],
      ],
    );
    // Keys whose UTF-8 order differs from JavaScript's UTF-16 order, and an empty value.
    entries.push(["v/bucket\u0000\uffff", bytes("bmp")], ["v/bucket\u0000\u{1f600}", bytes("astral")]);
    entries.push(["m/empty", new Uint8Array(0)]);
    await store.submit({ batchId: 1, ops: entries.map(([key, value]) => put(key, value)) });

    await store.close();
    const raw = new ClassicLevel<string, Uint8Array>(path.join(dir, databaseDirName), { valueEncoding: "view" });
    await raw.open();
    const rawKeys = await raw.keys().all();
    await raw.close();
    const sublevelKey = (key: string) => `!${key.slice(0, key.indexOf("/"))}!${key.slice(key.indexOf("/") + 1)}`;
    expect(rawKeys.sort()).toEqual(entries.map(([key]) => sublevelKey(key)).sort());

    const reopened = await fixture.open(dir);
    expect(await reopened.readAll()).toEqual(byUtf8Key(entries));
  });

  it("deletes, within a batch and across batches", async () => {
    const store = await fixture.open(await fixture.dir());
    await store.submit({ batchId: 1, ops: [put("v/a", bytes("1")), put("h/b", bytes("2")), put("g/c", bytes("3"))] });
    await store.submit({ batchId: 2, ops: [del("v/a"), put("hv/d", bytes("4")), del("hv/d"), del("m/never")] });
    await store.submit({ batchId: 3, ops: [del("h/b"), put("h/b", bytes("5"))] });
    expect(await reopenedContents(store)).toEqual([
      ["g/c", bytes("3")],
      ["h/b", bytes("5")],
    ]);
  });

  it("refuses a key with an unknown prefix as a programming error, and queues nothing of its batch", async () => {
    const store = await fixture.open(await fixture.dir());
    for (const key of ["x/a", "v", "", "/v", "V/a", "hx/a", "mm/a", "v/lone \ud800 surrogate"]) {
      const batch = { batchId: 1, ops: [put("v/fine", bytes("x")), put(key, bytes("y"))] };
      expect(() => store.submit(batch), key).toThrow(TypeError);
    }
    const notBytes = { batchId: 1, ops: [{ kind: "put", key: "v/a", value: "text" }] } as unknown as WriteBatch;
    expect(() => store.submit(notBytes)).toThrow(TypeError);
    const unknownKind = { batchId: 1, ops: [{ kind: "merge", key: "v/a" }] } as unknown as WriteBatch;
    expect(() => store.submit(unknownKind)).toThrow(TypeError);
    expect(() => store.submit({ batchId: 1.5, ops: [] })).toThrow(TypeError);
    await store.flush();
    expect(store.stats.writes).toBe(0);
    expect(await reopenedContents(store)).toEqual([]);
  });

  it("leaves the db equal to applying the batches to a Map in order, whenever they are submitted", async () => {
    const keyArb = fc
      .tuple(fc.constantFrom(...storedPrefixes), fc.constantFrom("a", "b", "c\u0000d", "é"))
      .map(([prefix, key]) => prefix + key);
    const opArb: fc.Arbitrary<StorageOp> = fc.oneof(
      keyArb.map(del),
      fc.tuple(keyArb, fc.uint8Array({ maxLength: 16 })).map(([key, value]) => put(key, value)),
    );
    // `pause`: let the event loop turn before the submit, so some batches queue behind a write in flight.
    const stepArb = fc.record({ ops: fc.array(opArb, { maxLength: 6 }), pause: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 1, maxLength: 20 }),
        fc.constantFrom(...durabilities),
        async (steps, durability) => {
          const store = await fixture.open(await fixture.dir(), durability);
          const model = new Map<string, Uint8Array>();
          const resolved: number[] = [];
          const submits: Array<Promise<void>> = [];
          for (const [i, step] of steps.entries()) {
            if (step.pause) await new Promise((resolve) => setImmediate(resolve));
            const batchId = i + 1;
            submits.push(store.submit({ batchId, ops: step.ops }).then(() => void resolved.push(batchId)));
            for (const op of step.ops) {
              if (op.kind === "put") model.set(op.key, op.value);
              else model.delete(op.key);
            }
          }
          await Promise.all(submits);
          expect(resolved).toEqual(steps.map((_, i) => i + 1));
          expect(store.stats.batches).toBe(steps.length);
          expect(store.stats.ops).toBe(steps.reduce((sum, step) => sum + step.ops.length, 0));
          expect(new Map(await reopenedContents(store))).toEqual(model);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("LevelStore: group commit", () => {
  it("writes batches submitted in one turn as one level write, and resolves them in submission order", async () => {
    const { store, flushes } = await openRecording("sync");
    const count = 50;
    const resolved: number[] = [];
    const submits = Array.from({ length: count }, (_, i) =>
      store.submit({ batchId: i + 1, ops: [put(`v/k${i}`, bytes(`${i}`))] }).then(() => void resolved.push(i + 1)),
    );
    await Promise.all(submits);
    expect(resolved).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    expect(store.stats.writes).toBeLessThan(count);
    expect(store.stats.writes).toBe(1);
    expect(store.stats).toMatchObject({ batches: count, batchesCoalesced: count - 1, ops: count });
    expect(flushes).toHaveLength(1);
    expect(flushes[0]).toMatchObject({ batches: count, metaPuts: 0, ops: count, bytes: store.stats.bytes });
  });

  it("coalesces the batches submitted while a write is in flight into the next write", async () => {
    const { store, flushes } = await openRecording("sync");
    const resolved: number[] = [];
    const submit = (batchId: number) =>
      store.submit({ batchId, ops: [put(`v/k${batchId}`, bytes("x"))] }).then(() => void resolved.push(batchId));
    const first = submit(1);
    await nextMicrotask(); // the first write has taken batch 1; it cannot complete before the event loop turns
    const rest = Array.from({ length: 49 }, (_, i) => submit(i + 2));
    await Promise.all([first, ...rest]);
    expect(resolved).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(flushes.map((flush) => flush.batches)).toEqual([1, 49]);
    expect(store.stats).toMatchObject({ writes: 2, batches: 50, batchesCoalesced: 48 });
    expect(await reopenedContents(store)).toHaveLength(50);
  });

  it("inside a busy period, waits the group commit window: batches submitted meanwhile join the next write", async () => {
    const { store, flushes } = await openRecording("sync", { groupCommitWindowMs: groupCommitWindowMsMax });
    const submit = (batchId: number) => store.submit({ batchId, ops: [put(`v/k${batchId}`, bytes("x"))] });
    const first = submit(1);
    await nextMicrotask(); // the first write is under way with batch 1 only
    const queued = submit(2); // queued while a write runs: a busy period
    await first;
    // A turn of the event loop later: without the window, batch 2's write would be under way alone by now.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const late = Array.from({ length: 8 }, (_, i) => submit(i + 3));
    await Promise.all([queued, ...late]);
    expect(flushes.map((flush) => flush.batches)).toEqual([1, 9]);
    expect(await reopenedContents(store)).toHaveLength(10);
  });

  it("starts the first write after an idle spell at once, whatever the window", async () => {
    const { store, flushes } = await openRecording("sync", { groupCommitWindowMs: groupCommitWindowMsMax });
    const first = store.submit({ batchId: 1, ops: [put("v/a", bytes("a"))] });
    // Had the write waited the window, a batch submitted a turn later would have joined it.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const second = store.submit({ batchId: 2, ops: [put("v/b", bytes("b"))] });
    await Promise.all([first, second]);
    expect(flushes.map((flush) => flush.batches)).toEqual([1, 1]);
  });

  it("reports every write to onFlush, with counts that add up to the stats", async () => {
    const { store, flushes } = await openRecording("relaxed");
    let batchId = 0;
    for (let round = 0; round < 5; round++) {
      const submits = Array.from({ length: round + 1 }, () => {
        batchId++;
        return store.submit({ batchId, ops: [put(`h/${batchId}`, bytes("hint")), del(`g/${batchId}`)] });
      });
      store.enqueueMeta(`m/round`, bytes(`${round}`));
      await Promise.all(submits);
    }
    const sum = (pick: (info: FlushInfo) => number) => flushes.reduce((total, info) => total + pick(info), 0);
    expect(flushes).toHaveLength(store.stats.writes);
    expect(sum((info) => info.batches)).toBe(store.stats.batches);
    expect(sum((info) => info.batches)).toBe(batchId);
    expect(sum((info) => info.metaPuts)).toBe(5);
    expect(sum((info) => info.ops)).toBe(store.stats.ops);
    expect(sum((info) => info.bytes)).toBe(store.stats.bytes);
    // "h/1" is 3 bytes and "hint" 4; "g/1" 3: the bytes are the keys' and the values'.
    expect(flushes[0]?.bytes).toBe(3 + 4 + 3 + "m/round".length + 1);
    for (const info of flushes) expect(info.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("splits a long queue into writes of at most groupWriteBytesMax, in order, and writes a larger batch whole", async () => {
    const max = groupWriteBytesMaxMin;
    const { store, flushes } = await openRecording("sync", { groupWriteBytesMax: max });
    const sizes = [100, 100, 300, 500, 200, 2 * max, 50, 900, 10, 10, 10];
    const resolved: number[] = [];
    const submits = sizes.map((size, i) =>
      store
        .submit({ batchId: i + 1, ops: [put(`v/${i}`, new Uint8Array(size).fill(i))] })
        .then(() => void resolved.push(i + 1)),
    );
    await Promise.all(submits);
    expect(resolved).toEqual(sizes.map((_, i) => i + 1));
    for (const info of flushes) if (info.batches > 1) expect(info.bytes).toBeLessThanOrEqual(max);
    expect(flushes.some((info) => info.batches === 1 && info.bytes > max)).toBe(true);
    expect(flushes.length).toBeGreaterThan(1);
    expect(flushes.length).toBeLessThan(sizes.length);
    expect(flushes.reduce((total, info) => total + info.batches, 0)).toBe(sizes.length);
    const contents = new Map(await reopenedContents(store));
    for (const [i, size] of sizes.entries()) expect(contents.get(`v/${i}`)).toEqual(new Uint8Array(size).fill(i));
  });
});

describe("LevelStore: metadata", () => {
  it("makes a meta put enqueued before a batch durable by the time that batch's promise resolves", async () => {
    const { store, flushes } = await openRecording("sync");
    store.enqueueMeta("m/bound", bytes("1000"));
    const seen = await store
      .submit({ batchId: 1, ops: [put("v/a", bytes("a"))] })
      .then(() => store.readMeta("m/bound"));
    expect(seen).toEqual(bytes("1000"));
    expect(flushes).toEqual([expect.objectContaining({ batches: 1, metaPuts: 1, ops: 2 })]);
    expect(await reopenedContents(store)).toEqual([
      ["m/bound", bytes("1000")],
      ["v/a", bytes("a")],
    ]);
  });

  it("puts a meta put enqueued while a write is in flight into the next write, before the batches after it", async () => {
    const { store, flushes } = await openRecording("sync");
    const first = store.submit({ batchId: 1, ops: [put("v/a", bytes("a"))] }).then(() => store.readMeta("m/bound"));
    await nextMicrotask(); // the first write is under way with batch 1 only
    expect(store.metaPending).toBe(false);
    store.enqueueMeta("m/bound", bytes("2000"));
    expect(store.metaPending).toBe(true);
    const second = store.submit({ batchId: 2, ops: [put("v/b", bytes("b"))] }).then(() => store.readMeta("m/bound"));
    expect(await first).toBeUndefined();
    expect(await second).toEqual(bytes("2000"));
    expect(store.metaPending).toBe(false);
    expect(flushes.map(({ batches, metaPuts }) => ({ batches, metaPuts }))).toEqual([
      { batches: 1, metaPuts: 0 },
      { batches: 1, metaPuts: 1 },
    ]);
    expect(new Map(await reopenedContents(store)).get("m/bound")).toEqual(bytes("2000"));
  });

  it("writes a meta put with no batch after it, and keeps submission order within a write", async () => {
    const store = await fixture.open(await fixture.dir());
    store.enqueueMeta("m/alone", bytes("a"));
    expect(store.metaPending).toBe(true);
    await store.flush();
    expect(store.metaPending).toBe(false);
    expect(store.stats.writes).toBe(1);
    expect(await store.readMeta("m/alone")).toEqual(bytes("a"));

    store.enqueueMeta("m/x", bytes("meta first"));
    const batch = store.submit({ batchId: 1, ops: [put("m/x", bytes("batch second")), put("m/y", bytes("batch"))] });
    store.enqueueMeta("m/y", bytes("meta last"));
    await batch;
    await store.flush();
    expect(store.stats.writes).toBe(2);
    const contents = new Map(await reopenedContents(store));
    expect(contents.get("m/x")).toEqual(bytes("batch second"));
    expect(contents.get("m/y")).toEqual(bytes("meta last"));
  });

  it("refuses a meta key outside m/ and a value that is not bytes", async () => {
    const store = await fixture.open(await fixture.dir());
    expect(() => store.enqueueMeta("v/a", bytes("x"))).toThrow(TypeError);
    expect(() => store.enqueueMeta("mx", bytes("x"))).toThrow(TypeError);
    expect(() => store.enqueueMeta("m/a", "x" as unknown as Uint8Array)).toThrow(TypeError);
    await expect(store.readMeta("v/a")).rejects.toThrow(TypeError);
    expect(() => store.enqueueMeta(Symbol() as never, bytes("x"))).toThrow(
      /the key must start with m\/, got a symbol$/,
    );
    await expect(store.readMeta({ toString: 0 } as never)).rejects.toThrow(
      /the key must start with m\/, got an object$/,
    );
    expect(() => store.submit({ batchId: Object.create(null), ops: [] })).toThrow(/batchId .*, got an object$/);
    await store.flush();
    expect(store.stats.writes).toBe(0);
  });
});

describe("LevelStore: durability", () => {
  it.each(durabilities)("keeps %s writes across close and reopen", async (durability) => {
    const dir = await fixture.dir();
    const store = await fixture.open(dir, durability);
    expect(store.durability).toBe(durability);
    const writes = watchWrites();
    const submits = Array.from({ length: 10 }, (_, i) =>
      store.submit({ batchId: i + 1, ops: [put(`v/${i}`, bytes(`${durability} ${i}`)), del(`v/${i - 1}`)] }),
    );
    store.enqueueMeta("m/durability", bytes(durability));
    await Promise.all(submits);
    // "sync" asks LevelDB to fsync its log before the write completes; "relaxed" leaves that to the OS.
    expect(writes.calls.length).toBe(store.stats.writes);
    for (const options of writes.calls) expect(options).toEqual({ sync: durability === "sync" });
    expect(await reopenedContents(store)).toEqual([
      ["m/durability", bytes(durability)],
      ["v/9", bytes(`${durability} 9`)],
    ]);
  });

  it("syncs a write carrying a batch that asks for it, under relaxed durability too", async () => {
    const store = await fixture.open(await fixture.dir(), "relaxed");
    const writes = watchWrites();
    // Submitted in one turn, the three share a group write: the one that asks makes the whole write synced.
    await Promise.all([
      store.submit({ batchId: 1, ops: [put("v/a", bytes("a"))] }),
      store.submit({ batchId: 2, ops: [put("m/incarnation", bytes("1"))], sync: true }),
      store.submit({ batchId: 3, ops: [put("v/b", bytes("b"))] }),
    ]);
    expect(writes.calls).toEqual([{ sync: true }]);
    await store.submit({ batchId: 4, ops: [put("v/c", bytes("c"))] });
    expect(writes.calls).toEqual([{ sync: true }, { sync: false }]);
    expect(store.stats).toMatchObject({ writes: 2, writesSynced: 1, batches: 4 });
    for (const sync of [false, "yes", 1]) {
      const submit = () => store.submit({ batchId: 5, ops: [put("v/d", bytes("d"))], sync } as unknown as WriteBatch);
      expect(submit).toThrow(/sync is true or absent/);
    }
    expect(store.stats.batches).toBe(4);
  });

  it("close waits for the writes queued and in flight, then refuses everything", async () => {
    const store = await fixture.open(await fixture.dir());
    const submits = Array.from({ length: 5 }, (_, i) =>
      store.submit({ batchId: i + 1, ops: [put(`v/${i}`, bytes("x"))] }),
    );
    store.enqueueMeta("m/last", bytes("y"));
    const closing = store.close();
    expect(store.closed).toBe(true);
    expectStorageError(await rejection(store.submit({ batchId: 6, ops: [] })), "STORAGE_CLOSED");
    await closing;
    await Promise.all(submits); // all resolved: close wrote them
    expect(store.close()).toBe(closing);

    const error = expectStorageError(await rejection(store.submit({ batchId: 7, ops: [] })), "STORAGE_CLOSED");
    expect(error.message).toContain(store.dir);
    expectStorageError(
      thrown(() => store.enqueueMeta("m/late", bytes("z"))),
      "STORAGE_CLOSED",
    );
    expectStorageError(await rejection(store.readAll()), "STORAGE_CLOSED");
    expectStorageError(await rejection(store.readMeta("m/last")), "STORAGE_CLOSED");

    const reopened = await fixture.open(store.dir);
    expect((await reopened.readAll()).map(([key]) => key)).toEqual(["m/last", "v/0", "v/1", "v/2", "v/3", "v/4"]);
  });
});

describe("LevelStore: failures", () => {
  it("rejects every submit of a failed write and every one after it, and stops writing", async () => {
    const store = await fixture.open(await fixture.dir());
    await store.submit({ batchId: 1, ops: [put("v/before", bytes("kept"))] });
    // The one fault LevelDB will not produce on demand: its next write fails.
    const writes = watchWrites();
    writes.failNext(new Error("EIO: simulated disk failure"));
    const carried = [2, 3].map((batchId) =>
      rejection(store.submit({ batchId, ops: [put(`v/${batchId}`, bytes("x"))] })),
    );
    store.enqueueMeta("m/lost", bytes("x"));
    await nextMicrotask(); // the failing write has taken batches 2 and 3
    const queued = rejection(store.submit({ batchId: 4, ops: [put("v/4", bytes("x"))] }));
    for (const error of await Promise.all([...carried, queued])) {
      const failure = expectStorageError(error, "STORAGE_WRITE_FAILED");
      expect(failure.message).toMatch(/cannot continue/);
    }
    expect(writes.calls).toHaveLength(1);
    expect(store.stats).toMatchObject({ writes: 1, writesFailed: 1, batches: 1 });

    const later = expectStorageError(await rejection(store.submit({ batchId: 5, ops: [] })), "STORAGE_WRITE_FAILED");
    expect(later.cause).toBeInstanceOf(StorageError);
    expectStorageError(
      thrown(() => store.enqueueMeta("m/later", bytes("x"))),
      "STORAGE_WRITE_FAILED",
    );
    expectStorageError(await rejection(store.flush()), "STORAGE_WRITE_FAILED");
    expect(writes.calls).toHaveLength(1);
    expect(await reopenedContents(store)).toEqual([["v/before", bytes("kept")]]);
  });

  it("refuses to open a directory another open store holds, and says so", async () => {
    const dir = await fixture.dir();
    const holder = await fixture.open(dir);
    const error = expectStorageError(await rejection(fixture.open(dir)), "STORAGE_OPEN_FAILED");
    expect(error.message).toContain(dir);
    expect(error.message).toMatch(/in use by another process or another open store/);
    await holder.submit({ batchId: 1, ops: [put("v/a", bytes("still works"))] });
    expect(await reopenedContents(holder)).toEqual([["v/a", bytes("still works")]]);
  });

  it("refuses to open a directory another process holds, and opens it once that process is gone", async () => {
    const dir = await fixture.dir();
    const location = path.join(dir, databaseDirName);
    const script = [
      'import { ClassicLevel } from "classic-level";',
      "const db = new ClassicLevel(process.argv[1]);",
      "await db.open();",
      'process.stdout.write("locked\\n");',
      "setInterval(() => {}, 1000);",
    ].join("\n");
    const child = spawn(process.execPath, ["--input-type=module", "-e", script, location], {
      cwd: path.resolve(import.meta.dirname, "../.."),
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const [line] = (await once(child.stdout, "data")) as [Buffer];
      expect(line.toString()).toBe("locked\n");
      const error = expectStorageError(await rejection(fixture.open(dir)), "STORAGE_OPEN_FAILED");
      expect(error.message).toMatch(/in use by another process/);
    } finally {
      child.kill("SIGKILL");
      await once(child, "exit");
    }
    const store = await fixture.open(dir);
    expect(await store.readAll()).toEqual([]);
  });

  it("fails to open where no directory can be made, naming the path", async () => {
    const dir = await fixture.dir();
    const file = path.join(dir, "a-file");
    await writeFile(file, "not a directory");
    const error = expectStorageError(await rejection(fixture.open(file)), "STORAGE_OPEN_FAILED");
    expect(error.message).toContain(file);
    const below = expectStorageError(await rejection(fixture.open(path.join(file, "below"))), "STORAGE_OPEN_FAILED");
    expect(below.message).toContain(path.join(file, "below"));
  });

  it("refuses bad options with STORAGE_INVALID_OPTIONS, naming the option", async () => {
    const dir = await fixture.dir();
    const bad: Array<[unknown, RegExp]> = [
      [null, /dir, durability/],
      [{ durability: "sync" }, /dir/],
      [{ dir: "", durability: "sync" }, /dir/],
      [{ dir: "   ", durability: "sync" }, /dir/],
      [{ dir: `${dir}\u0000x`, durability: "sync" }, /dir/],
      [{ dir, durability: "fast" }, /durability must be one of sync, relaxed/],
      [{ dir }, /durability/],
      [{ dir, durability: "sync", onFlush: "metrics" }, /onFlush/],
      [{ dir, durability: "sync", groupWriteBytesMax: groupWriteBytesMaxMin - 1 }, /groupWriteBytesMax/],
      [{ dir, durability: "sync", groupWriteBytesMax: 4096.5 }, /groupWriteBytesMax/],
      [{ dir, durability: "sync", groupCommitWindowMs: -1 }, /groupCommitWindowMs/],
      [{ dir, durability: "sync", groupCommitWindowMs: groupCommitWindowMsMax + 1 }, /groupCommitWindowMs/],
      [{ dir, durability: "sync", groupCommitWindowMs: Number.NaN }, /groupCommitWindowMs/],
      [{ dir, durability: "sync", groupCommitWindowMs: "2" }, /groupCommitWindowMs/],
      // Values whose conversion to text throws are named all the same.
      [{ dir: { toString: 0 }, durability: "sync" }, /dir must be a non-empty path, got an object$/],
      [{ dir, durability: Symbol() }, /durability must be one of sync, relaxed, got a symbol$/],
      [{ dir, durability: "sync", groupWriteBytesMax: Object.create(null) }, /groupWriteBytesMax .*, got an object$/],
      [{ dir, durability: "sync", groupCommitWindowMs: { toString: 0 } }, /groupCommitWindowMs .*, got an object$/],
    ];
    for (const [options, names] of bad) {
      const error = expectStorageError(
        await rejection(LevelStore.open(options as LevelStoreOptions)),
        "STORAGE_INVALID_OPTIONS",
      );
      expect(error.message).toMatch(names);
    }
  });
});
