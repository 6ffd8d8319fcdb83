/**
 * The store under a real @skew/kv node: what the node hands out is written,
 * the node's acknowledgements wait for it, and a node started from
 * `readAll` after a reopen serves what was acknowledged before, with its HLC
 * restored from the bound the store persisted.
 */
import { ManualEnvironment } from "@skew/env/manual";
import { HybridLogicalClock, wallOf } from "@skew/hlc";
import { type ClientReply, decodeCount, KvNode, type RequestId } from "@skew/kv";
import { LamportClock } from "@skew/lamport";
import { TrueTimeClock } from "@skew/truetime";
import { describe, expect, it } from "vitest";
import { encodeHlcUpperBound, hlcUpperBoundKey, type LevelStore } from "../../src/storage/index.js";
import { bytes, storageFixture } from "./support.js";

const fixture = storageFixture();

const buckets = { hlc: "lww-hlc", causal: "causal", lamport: "lww-lamport" } as const;
const one = { n: 1, r: 1, w: 1 } as const;
/** Where kv keeps its dot epoch (packages/kv/src/node/storage.ts): part of the stored layout. */
const dvvEpochKey = "m/dvv-epoch";

function startNode(
  env: ManualEnvironment,
  store: LevelStore,
  stored: Array<[string, Uint8Array]>,
  restoredMs?: number,
  durability: "sync" | "relaxed" = store.durability,
) {
  const hlc = new HybridLogicalClock({
    wall: env.wall,
    node: "n1",
    upperBound: {
      restoredMs,
      persist: (boundMs) => store.enqueueMeta(hlcUpperBoundKey, encodeHlcUpperBound(boundMs)),
    },
  });
  const clocks = {
    wall: env.wall,
    hlc,
    lamport: new LamportClock("n1"),
    truetime: new TrueTimeClock({ monotonic: env.monotonic, timers: env.timers }),
  };
  const node = new KvNode({ id: "n1", nodes: ["n1"], buckets, clocks, stored, durability });
  return { node, hlc };
}

/** A driver's loop, cut to one node: every batch to the store, `handleDurable` as each resolves, in order. */
async function settle(env: ManualEnvironment, node: KvNode, store: LevelStore): Promise<Map<RequestId, ClientReply>> {
  const durable: number[] = [];
  for (let batches = node.pollWrites(); batches.length > 0; batches = node.pollWrites()) {
    await Promise.all(
      batches.map((batch) =>
        store.submit(batch).then(() => {
          durable.push(batch.batchId);
          node.handleDurable(batch.batchId, env.monotonic.now());
        }),
      ),
    );
  }
  expect(durable).toEqual([...durable].sort((a, b) => a - b));
  return new Map(node.pollReplies().map(({ requestId, reply }) => [requestId, reply]));
}

describe("LevelStore under a KvNode", () => {
  it("restores what the node acknowledged, and the HLC's bound, after a reopen", async () => {
    const env = new ManualEnvironment({ wallStartMs: 1_704_067_200_000 });
    const dir = await fixture.dir();
    const store = await fixture.open(dir);
    const first = startNode(env, store, await store.readAll());
    first.node.handleClientRequest(1, { kind: "put", bucket: "hlc", key: "k", value: bytes("hlc value"), ...one }, 0);
    first.node.handleClientRequest(2, { kind: "put", bucket: "causal", key: "k", value: bytes("causal"), ...one }, 0);
    first.node.handleClientRequest(3, { kind: "put", bucket: "lamport", key: "k", value: bytes("lamport"), ...one }, 0);
    expect(first.node.pollReplies()).toEqual([]); // nothing is acknowledged before it is durable
    const replies = await settle(env, first.node, store);
    for (const id of [1, 2, 3]) expect(replies.get(id)).toMatchObject({ ok: true, kind: "put" });
    const boundMs = first.hlc.upperBoundMs;
    expect(boundMs).toBeGreaterThan(env.wall.now());
    expect(store.metaPending).toBe(false);
    // The bound went out with the batches it came before, not later (close would write it anyway).
    expect(await store.readHlcUpperBound()).toBe(boundMs);
    await store.close();

    env.wall.jump(-60_000); // the machine's clock steps back a minute across the restart
    const reopened = await fixture.open(dir);
    const stored = await reopened.readAll();
    expect(stored.some(([key]) => key.startsWith("v/"))).toBe(true);
    const restoredMs = await reopened.readHlcUpperBound();
    expect(restoredMs).toBe(boundMs);
    const second = startNode(env, reopened, stored, restoredMs);
    expect(second.node.stats.recordsCorruptRestored).toBe(0);
    for (const [id, bucket] of [
      [11, "hlc"],
      [12, "causal"],
      [13, "lamport"],
    ] as const) {
      second.node.handleClientRequest(id, { kind: "get", bucket, key: "k", ...one }, 0);
    }
    const reads = await settle(env, second.node, reopened);
    expect(reads.get(11)).toMatchObject({ ok: true, values: [bytes("hlc value")] });
    expect(reads.get(12)).toMatchObject({ ok: true, values: [bytes("causal")] });
    expect(reads.get(13)).toMatchObject({ ok: true, values: [bytes("lamport")] });
    // The restarted clock starts at the bound, above every timestamp issued before the restart.
    expect(wallOf(second.hlc.now())).toBeGreaterThanOrEqual(boundMs as number);
  });

  it.each(["sync", "relaxed"] as const)(
    "keeps the dot epoch across clean closes only under sync durability (%s); a start after a kill bumps it",
    async (durability) => {
      const env = new ManualEnvironment({ wallStartMs: 1_704_067_200_000 });
      const dir = await fixture.dir();
      const epochs: Array<number | undefined> = [];
      // Three runs that close cleanly, then one that is killed (closed neither by the node nor the store's close:
      // what a kill leaves is what the store made durable), then one more start.
      for (const ending of ["close", "close", "close", "kill", "close"] as const) {
        const store = await fixture.open(dir, durability);
        const { node } = startNode(env, store, await store.readAll());
        await settle(env, node, store);
        // The batch that starts the node (its incarnation, and the epoch) is synced whatever the durability.
        expect(store.stats.writesSynced).toBeGreaterThanOrEqual(1);
        epochs.push(decodeCount(await store.readMeta(dvvEpochKey)));
        if (ending === "close") {
          node.close();
          await settle(env, node, store);
          expect(() => node.tick(env.monotonic.now())).toThrow(/closed/);
        }
        await store.close();
      }
      // Sync: a clean close leaves every dot sent in a durable record; only the start after the kill bumps it.
      // Relaxed: a machine crash may take back what the store counted durable, so every start bumps it.
      expect(epochs).toEqual(
        durability === "relaxed" ? [1, 2, 3, 4, 5] : [undefined, undefined, undefined, undefined, 1],
      );
    },
  );

  it("refuses a durability that is neither sync nor relaxed", async () => {
    const env = new ManualEnvironment({ wallStartMs: 1_704_067_200_000 });
    const store = await fixture.open(await fixture.dir());
    for (const durability of ["fast", "", "SYNC"]) {
      expect(() => startNode(env, store, [], undefined, durability as "sync")).toThrow(
        /durability is "sync" or "relaxed"/,
      );
    }
    expect(store.stats.batches).toBe(0);
  });
});
