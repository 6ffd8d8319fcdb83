/**
 * node/lww-history.ts on its own: what it writes to storage as versions come
 * and the count bound and collection drop them. Storage must hold exactly
 * the versions the history keeps (and the key's horizon once something was
 * dropped), whatever the arrival order, so that a restarted replica rebuilds
 * the same history from it.
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

describe("LwwHistories' storage", () => {
  it("holds exactly the versions the history keeps, answers a served read alike ever after, and survives a restart", () => {
    let droppedTotal = 0;
    let lateTotal = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(opArb, { maxLength: 40 }), (versionsPerKey, ops) => {
        // lww-truetime: a mode with a safe time, so reads of the past are served and later versions can be late.
        const buckets = new Map([["w", "lww-truetime" as const]]);
        const options = { versionsPerKey, maxAgeMs: 10, collectKeysPerCall: 2 };
        const writes: StorageOp[] = [];
        const histories = new LwwHistories(buckets, options, (op) => writes.push(op));
        let nowMs = 0;
        const winners = new Map<string, { time: number; node: string }>();
        const served = new ServedReads();
        /** Reads of the past answered: each must keep its answer (or be refused below a raised horizon). */
        const given = new GivenAnswers((keyId, t) => answer(histories, keyId, t));
        for (const op of ops) {
          if (op.kind === "write") {
            const incoming = record(op.time, op.node, op.value);
            const best = winners.get(op.key);
            const won = best === undefined || op.time > best.time || (op.time === best.time && op.node > best.node);
            if (won) winners.set(op.key, { time: op.time, node: op.node });
            histories.accept(op.key, incoming, undefined, undefined, won, served);
          } else if (op.kind === "serve") {
            given.give(op.key, op.t);
            served.served("lww-truetime", op.t);
          } else {
            nowMs += 1_000; // past historyCollectIntervalMs: every tick collects
            histories.tick(nowMs, () => op.now);
          }
          // Repeatable: the same version, unless the horizon rose past t and the read is refused outright.
          expect(given.changed()).toEqual([]);
          const disk = replayStorage(writes);
          for (const keyId of keyIds) {
            expect(storedVersions(disk, keyId)).toEqual(keptVersions(histories, keyId));
            // The newest version kept is the key's last-write-wins winner (visible from its stamp, or from above a
            // read of the past already served when it came late): no bound or collection drops it.
            const newest = histories.history(keyId).at(-1);
            const winner = winners.get(keyId);
            expect(newest?.node).toBe(winner?.node);
            if (newest !== undefined && winner !== undefined) expect(newest.at).toBeGreaterThanOrEqual(winner.time);
          }
        }
        droppedTotal += histories.stats.versionsDropped;
        lateTotal += histories.stats.versionsLate;
        // A restarted replica reads storage back: the same versions and the same horizons.
        const disk = replayStorage(writes);
        const restarted = new LwwHistories(buckets, options, (op) => writes.push(op));
        for (const [key, bytes] of disk) expect(restarted.restore(key, bytes)).toBe(true);
        for (const keyId of keyIds) {
          expect(keptVersions(restarted, keyId)).toEqual(keptVersions(histories, keyId));
          expect(restarted.horizon(keyId)).toBe(histories.horizon(keyId));
        }
      }),
      { numRuns: 300 },
    );
    // The count bound and collection dropped versions, and winners came late after served reads, along the way,
    // or the law above would be vacuous.
    expect(droppedTotal).toBeGreaterThan(0);
    expect(lateTotal).toBeGreaterThan(0);
  });
});
