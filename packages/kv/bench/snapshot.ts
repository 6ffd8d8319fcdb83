/**
 * What a snapshot read at a timestamp costs (issue 5), for 1, 10 and 100
 * keys, on the three KvNodes of bench/index.ts's LocalCluster.
 *
 * Each of 100 keys is written three times per bucket (`lww-hlc`, and
 * `lww-truetime`), and `at` is taken between the second and the third write
 * of every key: so every key has a few versions, the one a snapshot returns
 * is not the newest, and `at` is in the past of every clock, safe from the
 * start (`wait: false`, the default, must succeed; a reply that is not ok
 * throws). For `lww-hlc` `at` is the coordinating HLC's `last` then (a
 * packed HLC timestamp); for `lww-truetime` the wall time then, in ms.
 *
 * The floor is a `get` with `at` of one key at R = 2 through the same
 * cluster: the read a snapshot makes per key, without the snapshot's own
 * work (safe-time check, gathering the keys). Snapshots of 10 and 100 keys
 * are compared with the 1-key snapshot of their mode: a snapshot sends one
 * read-at per key per replica (not batched), so its cost is linear in its
 * keys, and the goal says so (at most 10x and 100x the 1-key snapshot: no
 * worse than linear), no more.
 *
 * Timed here, not by @skew/harness's runBenchmarks: mitata batches only calls
 * shorter than about 65 µs, a 10-key snapshot takes longer, and the harness
 * refused unbatched figures when this was written (it takes them past 10 µs
 * now). At tens of µs a call, a timer read per round of
 * calls is noise: each case is warmed up, then timed in rounds of calls
 * (about 50 ms each), and the median round's mean is its figure.
 *
 * Time moves 0.01 ms per key read: a key read stamps about nine HLC
 * timestamps, and an HLC issues 2048 per ms (see index.ts).
 */
import { parseBenchArgs } from "@skew/harness";
import type { ClientReply, LocalCluster } from "@skew/kv";

/** What the snapshot cases borrow from bench/index.ts's setup. */
export interface SnapshotBench {
  readonly cluster: LocalCluster;
  readonly ids: readonly string[];
  /** Moves virtual time forward, in ms. */
  readonly advance: (ms: number) => void;
  /** The manual wall time, in ms (a TrueTime bucket's `at`). */
  readonly wallNow: () => number;
  /** The packed last timestamp of a node's HLC (an HLC bucket's `at`). */
  readonly hlcLast: (id: string) => number;
  readonly resyncTrueTime: () => void;
  /** Sends a request and moves time on until it is answered (a TrueTime put's commit wait). */
  readonly requestWaiting: (coordinator: string, request: unknown) => ClientReply | undefined;
}

const group = "snapshot at a timestamp, N=3, every primary";
const snapshotModes = ["lww-hlc", "lww-truetime"] as const;
const sizes = [1, 10, 100] as const;
const keyCount = 100;
const versionsPerKey = 3;
/** The write of each key after which `at` is taken (0-based): versions before and after it. */
const atAfterVersion = 1;
/** Virtual time per key read, in ms. */
const msPerKeyRead = 0.01;
const warmupCalls = 50;
const rounds = 15;
/** The length of a timed round of calls, in ms. */
const roundMs = 50;

interface SnapshotCase {
  readonly name: string;
  /** Keys read per call. */
  readonly size: number;
  /** The case whose per-key cost this one's is compared with (absent: the floor). */
  readonly baseline?: string;
  /** The most this case's µs per key may be, over its baseline's. */
  readonly maxPerKeyRatio?: number;
  readonly fn: () => unknown;
}

/** The median over rounds of the mean µs per call. */
function measure(fn: () => unknown): number {
  let sink = 0;
  const t0 = performance.now();
  for (let c = 0; c < warmupCalls; c++) if (fn() !== undefined) sink++;
  const callsPerRound = Math.max(1, Math.ceil(roundMs / ((performance.now() - t0) / warmupCalls)));
  const means: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let c = 0; c < callsPerRound; c++) if (fn() !== undefined) sink++;
    means.push(((performance.now() - start) * 1000) / callsPerRound);
  }
  if (sink === 0) throw new Error("no call returned");
  means.sort((a, b) => a - b);
  return means[Math.floor(rounds / 2)] as number;
}

function snapshotName(mode: string, size: number): string {
  return `KvNode snapshot of ${size} key${size === 1 ? "" : "s"}, ${mode}`;
}

/** Runs the group unless `--filter` excludes it; prints a table, or with `--json` one JSON line per case. */
export function runSnapshotBench(bench: SnapshotBench, argv: readonly string[]): void {
  const args = parseBenchArgs(argv);
  const cases = snapshotCases(bench).filter(
    (c) => args.filter === undefined || group.includes(args.filter) || c.name.includes(args.filter),
  );
  if (cases.length === 0) return;
  const perKey = new Map<string, number>();
  const lines = [`[${group}]`];
  for (const c of cases) {
    if (typeof globalThis.gc === "function") globalThis.gc();
    const us = measure(c.fn);
    perKey.set(c.name, us / c.size);
    const base = perKey.get(c.baseline ?? (cases[0] as SnapshotCase).name);
    const ratio = base === undefined || c === cases[0] ? null : us / c.size / base;
    const goalMet = c.maxPerKeyRatio === undefined || ratio === null ? null : ratio <= c.maxPerKeyRatio;
    const goal = c.maxPerKeyRatio === undefined ? null : `per key <= ${c.maxPerKeyRatio}x ${c.baseline ?? "floor"}`;
    if (args.json) {
      lines.push(
        JSON.stringify({
          package: "@skew/kv",
          group,
          name: c.name,
          keys: c.size,
          usPerOp: us,
          usPerKey: us / c.size,
          perKeyRatio: ratio,
          goal,
          goalMet,
        }),
      );
    } else {
      const verdict = goalMet === null ? "" : `${goalMet ? "met" : "MISSED"}: ${goal}`;
      lines.push(
        `  ${c.name.padEnd(44)} ${us.toFixed(1).padStart(9)} µs/op ${(us / c.size).toFixed(2).padStart(8)} µs/key` +
          `${ratio === null ? "" : ` ${ratio.toFixed(2)}x per key`}  ${verdict}`,
      );
    }
  }
  process.stdout.write(`${(args.json ? lines.slice(1) : lines).join("\n")}\n`);
}

function snapshotCases(bench: SnapshotBench): SnapshotCase[] {
  const { cluster, ids } = bench;
  const keys = Array.from({ length: keyCount }, (_, k) => `snap-${k}`);
  const coordinatorOf = (k: number): string => ids[k % ids.length] as string;
  const ats = new Map<string, number>();

  for (const mode of snapshotModes) {
    for (let version = 0; version < versionsPerKey; version++) {
      for (let k = 0; k < keyCount; k++) {
        bench.advance(msPerKeyRead);
        bench.resyncTrueTime();
        const value = new Uint8Array(100).fill(version);
        const reply = bench.requestWaiting(coordinatorOf(k), { kind: "put", bucket: mode, key: keys[k], value });
        if (reply?.ok !== true) throw new Error(`put failed: ${JSON.stringify(reply)}`);
      }
      if (version === atAfterVersion) {
        // After every write so far was acknowledged, before the next: in the past of every clock.
        bench.advance(1);
        ats.set(mode, mode === "lww-hlc" ? bench.hlcLast(ids[0] as string) : bench.wallNow());
        bench.advance(1);
      }
    }
  }

  let i = 0;
  function snapshot(mode: string, size: number): unknown {
    const start = (i++ * size) % keyCount;
    const asked = keys.slice(start, start + size);
    if (asked.length < size) asked.push(...keys.slice(0, size - asked.length));
    bench.advance(msPerKeyRead * size);
    bench.resyncTrueTime();
    const reply = cluster.request(coordinatorOf(i), { kind: "snapshot", bucket: mode, keys: asked, at: ats.get(mode) });
    if (reply?.ok !== true || reply.kind !== "snapshot") throw new Error(`snapshot failed: ${JSON.stringify(reply)}`);
    // The version written before `at`, not the newest: the read really is of the past.
    const first = reply.entries[0]?.values[0];
    if (first?.[0] !== atAfterVersion) throw new Error(`snapshot read ${JSON.stringify(reply.entries[0])}`);
    return reply;
  }

  return [
    {
      name: "floor: KvNode get { at } of 1 key, lww-hlc",
      size: 1,
      fn: () => {
        const k = i++ % keyCount;
        bench.advance(msPerKeyRead);
        const reply = cluster.request(coordinatorOf(k), {
          kind: "get",
          bucket: "lww-hlc",
          key: keys[k],
          at: ats.get("lww-hlc"),
        });
        if (reply?.ok !== true) throw new Error(`get at failed: ${JSON.stringify(reply)}`);
        return reply;
      },
    },
    ...snapshotModes.flatMap((mode) =>
      sizes.map(
        (size): SnapshotCase => ({
          name: snapshotName(mode, size),
          size,
          fn: () => snapshot(mode, size),
          // One key: a get at plus the safe-time check and the gathering. More keys: linear, no worse.
          ...(size === 1 ? { maxPerKeyRatio: 3 } : { baseline: snapshotName(mode, 1), maxPerKeyRatio: 1 }),
        }),
      ),
    ),
  ];
}
