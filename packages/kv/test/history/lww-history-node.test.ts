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
import { replayStorage, sortedAsText, storedEntries } from "../support/history-storage.js";

const keyIds = [keyIdOf("w", "x"), keyIdOf("w", "y")];
/** Nothing served yet: every version is recorded at its stamp. */
const unserved = new ServedReads();

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
);

describe("LwwHistories' storage", () => {
  it("holds exactly the versions the history keeps, and a restart rebuilds the same history", () => {
    let droppedTotal = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(opArb, { maxLength: 40 }), (versionsPerKey, ops) => {
        const buckets = new Map([["w", "lww-wall" as const]]);
        const options = { versionsPerKey, maxAgeMs: 10, collectKeysPerCall: 2 };
        const writes: StorageOp[] = [];
        const histories = new LwwHistories(buckets, options, (op) => writes.push(op));
        let nowMs = 0;
        const winners = new Map<string, { time: number; node: string }>();
        for (const op of ops) {
          if (op.kind === "write") {
            const incoming = record(op.time, op.node, op.value);
            const best = winners.get(op.key);
            if (best === undefined || op.time > best.time || (op.time === best.time && op.node > best.node)) {
              winners.set(op.key, { time: op.time, node: op.node });
            }
            histories.accept(op.key, incoming, undefined, undefined, true, unserved);
          } else {
            nowMs += 1_000; // past historyCollectIntervalMs: every tick collects
            histories.tick(nowMs, () => op.now);
          }
          const disk = replayStorage(writes);
          for (const keyId of keyIds) {
            expect(storedVersions(disk, keyId)).toEqual(keptVersions(histories, keyId));
            // The newest version kept is the key's last-write-wins winner: no bound or collection drops it.
            const newest = histories.history(keyId).at(-1);
            const winner = winners.get(keyId);
            expect(newest && [newest.at, newest.node]).toEqual(winner && [winner.time, winner.node]);
          }
        }
        droppedTotal += histories.stats.versionsDropped;
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
    // The count bound and collection dropped versions along the way, or the law above would be vacuous.
    expect(droppedTotal).toBeGreaterThan(0);
  });
});
