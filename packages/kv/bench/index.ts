/**
 * What a request costs the store's logic, per conflict mode, beside its
 * floor (see shared/BENCHMARKING.md), then what its structures cost
 * (structures.ts).
 *
 * A put at N = 3, W = 2 runs on three KvNodes in one process (LocalCluster:
 * messages delivered at once, batches durable at once), from the client's
 * request to the last replica's acknowledgement. Its floor is the work no
 * replicated put can skip: encoding the record once (with its checksum) and
 * storing the bytes at three replicas, here three Map.set. A get at R = 2
 * asks all three replicas and merges what they hold; its floor is three
 * Map.get and decoding the three records. The ratio is what coordination
 * costs on top: request validation, the preference list, six or more
 * messages with an HLC timestamp each, the replicas' merges, the durable
 * outbox.
 *
 * `lww-truetime` waits before it answers a put (commit wait: until its stamp,
 * TrueTime's `latest`, has certainly passed). Here each node's TrueTime clock
 * is re-synced with a ±0 ms interval from the wall time whenever 100 ms of
 * virtual time has passed, so its epsilon stays below 0.05 ms, and a put is
 * sent, then virtual time moves on in 0.01 ms steps, the cluster running at
 * each, until the reply comes. So its figure is the CPU cost of the protocol
 * including the wait's ticks, not the wall-clock length of the wait (twice
 * epsilon and more; the simulator measures that).
 *
 * Keys rotate over 1024; causal puts carry the context of the key's last
 * write, so each supersedes the one before (one sibling, as a
 * read-modify-write client keeps it). Time moves 10 µs per request: each
 * request stamps about nine HLC timestamps (one per message), and an HLC
 * issues 2048 per millisecond before it carries into its wall part; at 1 µs
 * per request the clocks ran ahead of the wall clock by more than the 500 ms
 * max offset within a second of virtual time, and the nodes rightly refused
 * each other's messages.
 *
 * A second put group writes keys never written before, the load of the
 * cluster benchmarks (`@skew/node`'s and the comparison with etcd write a
 * new key per put): no history to keep up, but every key's record, history
 * entry and Merkle leaf stay, and the collector copies them on the way to
 * the old generation. Its floor encodes a record and stores it under a new
 * key at three replicas. A fresh cluster (and fresh floor maps) takes over
 * every `freshKeysPerCluster` keys, so memory stays bounded.
 *
 * Then snapshot.ts: snapshot reads at a timestamp of 1, 10 and 100 keys.
 *
 * After the timed tables, dvv-size.ts prints what a causal key's dotted
 * version vector set weighs after many concurrent clients, and
 * heap-per-key.ts what a stored key costs a replica in memory (sizes, not
 * times).
 *
 *   npm run build && npm run bench [-- --json | --quick | --filter <text>]
 */
import { ManualEnvironment } from "@skew/env/manual";
import { type BenchCase, runBenchmarks } from "@skew/harness";
import { HybridLogicalClock } from "@skew/hlc";
import {
  type ClientReply,
  type ConflictMode,
  decodeRecord,
  encodeRecord,
  LocalCluster,
  type LwwRecord,
} from "@skew/kv";
import { LamportClock } from "@skew/lamport";
import { TrueTimeClock } from "@skew/truetime";
import { manualCluster } from "../test/support/manual-cluster.js";
import { runSnapshotBench } from "./snapshot.js";

const ids = ["n1", "n2", "n3"];
const modes: readonly ConflictMode[] = ["lww-wall", "lww-lamport", "lww-hlc", "lww-truetime", "causal"];
const buckets = Object.fromEntries(modes.map((mode) => [mode, mode])) as Record<string, ConflictMode>;
const keyCount = 1024;
const mask = keyCount - 1;
const keys = Array.from({ length: keyCount }, (_, k) => `key-${k}`);
const value = new Uint8Array(100).fill(42);

const env = new ManualEnvironment({ wallStartMs: 1_704_067_200_000 });
const truetimes: TrueTimeClock[] = [];
const hlcs = new Map<string, HybridLogicalClock>();
const cluster = new LocalCluster({
  nodes: ids,
  buckets,
  now: () => env.monotonic.now(),
  clocks: (id) => {
    const truetime = new TrueTimeClock({ monotonic: env.monotonic, timers: env.timers });
    truetimes.push(truetime);
    const hlc = new HybridLogicalClock({ wall: env.wall, node: id });
    hlcs.set(id, hlc);
    return {
      wall: env.wall,
      hlc,
      lamport: new LamportClock(id),
      truetime,
    };
  },
});

/** How much virtual time may pass before the TrueTime clocks are re-synced: epsilon grows 0.4 µs per ms (2 x 200 ppm). */
const resyncEveryMs = 100;
/** How far virtual time moves between runs of the cluster while a TrueTime put waits. */
const commitWaitStepMs = 0.01;
/** The most steps a put may wait: 10 ms of virtual time, 100 times the longest wait expected. */
const commitWaitStepsMax = 1000;
let syncedAtMs = Number.NEGATIVE_INFINITY;

/** Syncs every node's TrueTime clock to the manual wall time with no error, when `resyncEveryMs` has passed. */
function resyncTrueTime(): void {
  const nowMs = env.monotonic.now();
  if (nowMs - syncedAtMs < resyncEveryMs) return;
  const wall = env.wall.now();
  for (const truetime of truetimes) {
    const synced = truetime.sync([{ source: "reference", monotonicMs: nowMs, earliest: wall, latest: wall }]);
    if (!synced.ok) throw new Error(`TrueTime sync failed: ${synced.error.message}`);
  }
  syncedAtMs = nowMs;
}
resyncTrueTime();

/** Sends `request` and, when the reply waits on time (commit wait), moves time on in small steps until it comes. */
function requestWaiting(coordinator: string, request: unknown): ClientReply | undefined {
  const id = cluster.send(coordinator, request);
  for (let step = 0; step < commitWaitStepsMax; step++) {
    const reply = cluster.reply(id);
    if (reply !== undefined) return reply;
    env.advance(commitWaitStepMs);
    cluster.run();
  }
  throw new Error(`no reply after ${commitWaitStepsMax} steps of ${commitWaitStepMs} ms`);
}
const contexts = new Map<string, string>();
let i = 0;

function put(mode: ConflictMode): unknown {
  const k = i++ & mask;
  const key = keys[k] as string;
  const coordinator = ids[k % ids.length] as string;
  env.advance(0.01);
  resyncTrueTime();
  const contextKey = `${mode}/${key}`;
  const context = contexts.get(contextKey);
  const reply = requestWaiting(coordinator, {
    kind: "put",
    bucket: mode,
    key,
    value,
    ...(context === undefined ? {} : { context }),
  });
  if (reply?.ok !== true) throw new Error(`put failed: ${JSON.stringify(reply)}`);
  if (mode === "causal") contexts.set(contextKey, reply.context);
  return reply;
}

function get(mode: ConflictMode): unknown {
  const k = i++ & mask;
  env.advance(0.01);
  resyncTrueTime();
  const reply = cluster.request(ids[k % ids.length] as string, { kind: "get", bucket: mode, key: keys[k] as string });
  if (reply?.ok !== true) throw new Error(`get failed: ${JSON.stringify(reply)}`);
  return reply;
}

// Every key written once in every mode, so that gets find a record and puts overwrite one.
for (const mode of modes) for (let k = 0; k < keyCount; k++) put(mode);

/** Keys a fresh cluster takes before the next one replaces it: about 110 MB of causal keys at three replicas. */
const freshKeysPerCluster = 16_384;
const freshModes = ["lww-hlc", "causal"] as const satisfies readonly ConflictMode[];

/** A cluster of its own for the new-key rows, on its own manual clock (as heap-per-key.ts's). */
function freshCluster(): { readonly cluster: LocalCluster; readonly env: ManualEnvironment; written: number } {
  return { ...manualCluster(Object.fromEntries(freshModes.map((mode) => [mode, mode]))), written: 0 };
}
let fresh = freshCluster();

function putNew(mode: ConflictMode): unknown {
  if (fresh.written === freshKeysPerCluster) fresh = freshCluster();
  const n = fresh.written++;
  fresh.env.advance(0.01);
  const reply = fresh.cluster.request(ids[n % ids.length] as string, {
    kind: "put",
    bucket: mode,
    key: `new-${n}`,
    value,
  });
  if (reply?.ok !== true) throw new Error(`put failed: ${JSON.stringify(reply)}`);
  return reply;
}

let freshFloor = { stores: ids.map(() => new Map<string, Uint8Array>()), written: 0 };

const floorStores = ids.map(() => new Map<string, Uint8Array>());
const floorRecord: LwwRecord = { kind: "lww", stamp: { fence: 0, time: 1_704_067_200_000, node: "n1" }, value };
for (const store of floorStores) for (const key of keys) store.set(key, encodeRecord(floorRecord));

const cases: BenchCase[] = [
  {
    group: "put, N=3 W=2",
    name: "encode + 3 Map.set",
    role: "floor",
    fn: () => {
      const key = keys[i++ & mask] as string;
      const bytes = encodeRecord(floorRecord);
      for (const store of floorStores) store.set(key, bytes);
      return bytes;
    },
  },
  ...modes.map(
    (mode): BenchCase => ({
      group: "put, N=3 W=2",
      name: `KvNode put, ${mode}`,
      fn: () => put(mode),
      // Seven messages, four batches, three merges and a reply: tens of floors, not hundreds.
      goal: { maxRatio: 60 },
    }),
  ),
  {
    group: "put to a new key, N=3 W=2",
    name: "encode + 3 Map.set, new key",
    role: "floor",
    fn: () => {
      if (freshFloor.written === freshKeysPerCluster) {
        freshFloor = { stores: ids.map(() => new Map<string, Uint8Array>()), written: 0 };
      }
      const key = `new-${freshFloor.written++}`;
      const bytes = encodeRecord(floorRecord);
      for (const store of freshFloor.stores) store.set(key, bytes);
      return bytes;
    },
  },
  ...freshModes.map(
    (mode): BenchCase => ({
      group: "put to a new key, N=3 W=2",
      name: `KvNode put to a new key, ${mode}`,
      fn: () => putNew(mode),
      goal: { maxRatio: 60 },
    }),
  ),
  {
    group: "get, N=3 R=2",
    name: "3 Map.get + decode",
    role: "floor",
    fn: () => {
      const key = keys[i++ & mask] as string;
      let last: unknown;
      for (const store of floorStores) last = decodeRecord(store.get(key) as Uint8Array);
      return last;
    },
  },
  ...modes.map(
    (mode): BenchCase => ({
      group: "get, N=3 R=2",
      name: `KvNode get, ${mode}`,
      fn: () => get(mode),
      goal: { maxRatio: 60 },
    }),
  ),
];

await runBenchmarks("@skew/kv", cases);
runSnapshotBench(
  {
    cluster,
    ids,
    advance: (ms) => env.advance(ms),
    wallNow: () => env.wall.now(),
    hlcLast: (id) => (hlcs.get(id) as HybridLogicalClock).last,
    resyncTrueTime,
    requestWaiting,
  },
  process.argv.slice(2),
);
await import("./dvv-size.js");
await import("./heap-per-key.js");
await import("./structures.js");
