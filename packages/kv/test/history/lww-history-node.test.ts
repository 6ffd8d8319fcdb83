/**
 * node/lww-history.ts on its own: what it writes to storage as versions come
 * and the count bound and collection drop them. Storage must hold exactly
 * the versions the history keeps that the replica's record cannot give back
 * (every one, once a key has a history of its own; none while its record,
 * its one version so far, answers for it) and the key's horizon once
 * something was dropped, whatever the arrival order, so that a replica
 * restarted from storage and its records answers as before. A key its
 * record answers for answers, lists and stores as it would with a history
 * of its own from its first version.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { historyPrefix, LwwHistories } from "../../src/node/lww-history.js";
import { ServedReads } from "../../src/node/served-reads.js";
import type { StorageOp } from "../../src/node/storage.js";
import { keyIdOf } from "../../src/node/storage.js";
import type { LwwRecord } from "../../src/record/index.js";
import { GivenAnswers, replayStorage, sortedAsText, storedEntries } from "../support/history-storage.js";

const keyIds = [keyIdOf("w", "x"), keyIdOf("w", "y")];

function record(time: number, node: string, value: number): LwwRecord {
  return { kind: "lww", stamp: { fence: 0, time, node }, value: new Uint8Array([value]) };
}

/** The stored versions (not horizons) of `keyId`, as [at, node]. */
const storedVersions = (disk: ReadonlyMap<string, Uint8Array>, keyId: string): unknown[] =>
  storedEntries(disk, historyPrefix, keyId);

function keptVersions(histories: LwwHistories, keyId: string): unknown[] {
  return sortedAsText(histories.history(keyId).map((v) => [v.at, v.node]));
}

const opArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("write" as const),
      key: fc.constantFrom(...keyIds),
      time: fc.integer({ min: 1, max: 40 }),
      node: fc.constantFrom("n1", "n2"),
      value: fc.integer({ min: 0, max: 2 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("collect" as const), now: fc.integer({ min: 0, max: 60 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("serve" as const),
      key: fc.constantFrom(...keyIds),
      t: fc.integer({ min: 0, max: 40 }),
    }),
  },
);

/** What a read of `keyId` at `t` answers here: the version's (at, node), none, or the horizon it was refused below. */
function answer(histories: LwwHistories, keyId: string, t: number): unknown {
  const found = histories.versionAt(keyId, t);
  if (found === undefined) return undefined;
  return found.ok ? found.value && [found.value.at, found.value.node] : { truncated: found.error.horizon };
}

describe("LwwHistories: keys the record answers for", () => {
  it("answers from the record until a second version, and keeps the past when the record goes", () => {
    const writes: StorageOp[] = [];
    const records = new Map<string, LwwRecord>();
    const unserved = new ServedReads();
    const h = new LwwHistories(
      new Map([["w", "lww-wall" as const]]),
      {},
      (op) => writes.push(op),
      (id) => records.get(id),
    );
    const [x, y] = keyIds as [string, string];
    const first = record(10, "n1", 1);
    records.set(x, first);
    h.accept(x, first, undefined, undefined, true, unserved);
    h.accept(x, first, undefined, first, false, unserved); // the same record again: a duplicate
    expect(h.answeredByRecord(x)).toBe(true);
    expect([answer(h, x, 9), answer(h, x, 10)]).toEqual([undefined, [10, "n1"]]);
    expect(replayStorage(writes).size).toBe(0); // the record holds the one version
    const second = record(20, "n2", 2);
    records.set(x, second);
    h.accept(x, second, undefined, first, true, unserved);
    expect(h.answeredByRecord(x)).toBe(false);
    expect([answer(h, x, 10), answer(h, x, 20)]).toEqual([
      [10, "n1"],
      [20, "n2"],
    ]);
    expect(storedVersions(replayStorage(writes), x)).toEqual(
      sortedAsText([
        [10, "n1"],
        [20, "n2"],
      ]),
    );

    // A tombstone the replica removes keeps answering reads of the past: the history takes it (and stores it) first.
    const deleted: LwwRecord = { kind: "lww", stamp: { fence: 0, time: 30, node: "n1" }, value: null };
    records.set(y, deleted);
    h.accept(y, deleted, undefined, undefined, true, unserved);
    h.recordRemoved(y, deleted);
    records.delete(y);
    expect(h.answeredByRecord(y)).toBe(false);
    expect(h.history(y)).toEqual([{ at: 30, node: "n1", bytes: 0, tombstone: true }]);
    expect(storedVersions(replayStorage(writes), y)).toEqual([[30, "n1"]]);
  });
});

describe("LwwHistories' storage", () => {
  it("holds exactly the versions the history keeps that the records cannot give back, answers a served read alike ever after, and survives a restart", () => {
    let droppedTotal = 0;
    let lateTotal = 0;
    let answeredByRecordTotal = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(opArb, { maxLength: 40 }), (versionsPerKey, ops) => {
        // lww-truetime: a mode with a safe time, so reads of the past are served and later versions can be late.
        const buckets = new Map([["w", "lww-truetime" as const]]);
        const options = { versionsPerKey, maxAgeMs: 10, collectKeysPerCall: 2 };
        const writes: StorageOp[] = [];
        const held = new Map<string, LwwRecord>(); // the replica's records: each key's last-write-wins winner
        const histories = new LwwHistories(
          buckets,
          options,
          (op) => writes.push(op),
          (id) => held.get(id),
        );
        // The same replica as if every key had a history of its own from its first version, as before keys the
        // record answers for: each version is followed by the adoption a removal of the record would make.
        const ownWrites: StorageOp[] = [];
        const own = new LwwHistories(
          buckets,
          options,
          (op) => ownWrites.push(op),
          (id) => held.get(id),
        );
        let nowMs = 0;
        const served = new ServedReads();
        /** Reads of the past answered: each must keep its answer (or be refused below a raised horizon). */
        const given = new GivenAnswers((keyId, t) => answer(histories, keyId, t));
        for (const op of ops) {
          if (op.kind === "write") {
            const incoming = record(op.time, op.node, op.value);
            const best = held.get(op.key);
            const won =
              best === undefined ||
              op.time > best.stamp.time ||
              (op.time === best.stamp.time && op.node > best.stamp.node);
            if (won) held.set(op.key, incoming);
            histories.accept(op.key, incoming, undefined, best, won, served);
            own.accept(op.key, incoming, undefined, best, won, served);
            own.recordRemoved(op.key, held.get(op.key) as LwwRecord);
          } else if (op.kind === "serve") {
            given.give(op.key, op.t);
            served.served("lww-truetime", op.t);
          } else {
            nowMs += 1_000; // past historyCollectIntervalMs: every tick collects
            histories.tick(nowMs, () => op.now);
            own.tick(nowMs, () => op.now);
          }
          // Repeatable: the same version, unless the horizon rose past t and the read is refused outright.
          expect(given.changed()).toEqual([]);
          const disk = replayStorage(writes);
          const ownDisk = replayStorage(ownWrites);
          for (const keyId of keyIds) {
            const byRecord = histories.answeredByRecord(keyId);
            expect(storedVersions(disk, keyId)).toEqual(byRecord ? [] : keptVersions(histories, keyId));
            // A key the record answers for answers, lists and stores (its horizon) as one with a history of its own.
            expect(histories.history(keyId)).toEqual(own.history(keyId));
            expect(histories.horizon(keyId)).toBe(own.horizon(keyId));
            for (let t = 0; t <= 41; t++) expect(answer(histories, keyId, t)).toEqual(answer(own, keyId, t));
            if (!byRecord) expect(storedVersions(disk, keyId)).toEqual(storedVersions(ownDisk, keyId));
            // The newest version kept is the key's last-write-wins winner (visible from its stamp, or from above a
            // read of the past already served when it came late): no bound or collection drops it.
            const newest = histories.history(keyId).at(-1);
            const winner = held.get(keyId)?.stamp;
            expect(newest?.node).toBe(winner?.node);
            if (newest !== undefined && winner !== undefined) expect(newest.at).toBeGreaterThanOrEqual(winner.time);
          }
        }
        droppedTotal += histories.stats.versionsDropped;
        lateTotal += histories.stats.versionsLate;
        for (const keyId of keyIds) if (held.has(keyId) && histories.answeredByRecord(keyId)) answeredByRecordTotal++;
        // A restarted replica reads storage back, beside its records: the same versions, the same horizons and the
        // same answer to every read.
        const disk = replayStorage(writes);
        const restarted = new LwwHistories(
          buckets,
          options,
          (op) => writes.push(op),
          (id) => held.get(id),
        );
        for (const [key, bytes] of disk) expect(restarted.restore(key, bytes)).toBe(true);
        for (const keyId of keyIds) {
          expect(keptVersions(restarted, keyId)).toEqual(keptVersions(histories, keyId));
          expect(restarted.horizon(keyId)).toBe(histories.horizon(keyId));
          for (let t = 0; t <= 41; t++) expect(answer(restarted, keyId, t)).toEqual(answer(histories, keyId, t));
        }
      }),
      { numRuns: 300 },
    );
    // The count bound and collection dropped versions, and winners came late after served reads, along the way,
    // or the law above would be vacuous.
    expect(droppedTotal).toBeGreaterThan(0);
    expect(lateTotal).toBeGreaterThan(0);
    // And keys ended with their record answering for them, beside keys with a history of their own.
    expect(answeredByRecordTotal).toBeGreaterThan(0);
  });
});
