/**
 * @skew/vector benchmarks: `npm run build && npm run bench` (add `--quick`,
 * `--json`, `--filter <text>`). They import "@skew/vector" by name, so they
 * measure the compiled dist/.
 *
 * - compare and merge of 16-entry clocks against the npm peers
 *   `@thi.ng/vclock` and `vectorclock`, in one process and one run. Goal:
 *   under 50 ns and at least 15x faster than the faster peer. Two kinds of
 *   input for ours: clocks built independently (`VectorClock.from`, a full
 *   merge-walk over two id arrays of interned ids) and clocks derived from
 *   one ancestor (sharing their id array), plus, for information, clocks
 *   just decoded (equal ids in distinct strings, compared by content).
 * - a DVV set write after 10, 100 and 1000 clients have written the key:
 *   its cost must not grow with the number of clients (goal: at most 1.5x
 *   the 10-client cost), while the client-id version vector beside it does.
 *
 * Every case rotates through 256 prepared inputs so that the JIT cannot hoist
 * the work out of the loop.
 */
import { Random } from "@skew/env";
import { type BenchCase, runBenchmarks } from "@skew/harness";
import { DottedVersionVectorSet, VectorClock } from "@skew/vector";
import * as thing from "@thi.ng/vclock";
import * as mixu from "vectorclock";

const inputCount = 256;
const mask = inputCount - 1;
const entryCount = 16;
const random = Random.seeded(0x5eed);
const nodes = Array.from({ length: entryCount }, (_, i) => `replica-${String(i).padStart(2, "0")}`);

type Counters = number[];

/**
 * Pairs of counter vectors over the same 16 nodes. `concurrent` pairs have
 * each side ahead at one node (a merge must build a new clock); otherwise a
 * quarter each of before, after, equal and concurrent.
 */
function counterPairs(onlyConcurrent: boolean): [Counters, Counters][] {
  const pairs: [Counters, Counters][] = [];
  for (let k = 0; k < inputCount; k++) {
    const base = nodes.map(() => random.int(1, 1_000_000));
    const left = base.slice();
    const right = base.slice();
    const kind = onlyConcurrent ? 3 : k % 4;
    const i = random.int(0, entryCount - 1);
    const j = (i + random.int(1, entryCount - 1)) % entryCount;
    if (kind === 0 || kind === 3) right[i] = (right[i] as number) + 1; // right ahead at i
    if (kind === 1 || kind === 3) left[j] = (left[j] as number) + 1; // left ahead at j
    pairs.push([left, right]);
  }
  return pairs;
}

const record = (counters: Counters): Record<string, number> =>
  Object.fromEntries(nodes.map((node, i) => [node, counters[i] as number]));

/** Ours, built independently: two id arrays, a full merge-walk. */
const independent = (pairs: [Counters, Counters][]): [VectorClock, VectorClock][] =>
  pairs.map(([l, r]) => [VectorClock.from(record(l)), VectorClock.from(record(r))]);

/** Ours, derived from one ancestor by increments: one shared id array. */
function derived(pairs: [Counters, Counters][]): [VectorClock, VectorClock][] {
  return pairs.map(([l, r]) => {
    const ancestor = VectorClock.from(nodes.map((node, i) => [node, Math.min(l[i] as number, r[i] as number)]));
    const advance = (target: Counters): VectorClock => {
      let clock = ancestor;
      for (let i = 0; i < entryCount; i++) {
        for (let n = clock.get(nodes[i] as string); n < (target[i] as number); n++) {
          clock = clock.increment(nodes[i] as string);
        }
      }
      return clock;
    };
    return [advance(l), advance(r)];
  });
}

const mixedPairs = counterPairs(false);
const concurrentPairs = counterPairs(true);

function clockCases(
  group: string,
  pairs: [Counters, Counters][],
  floor: { name: string; fn: (a: Counters, b: Counters) => unknown },
  ours: (a: VectorClock, b: VectorClock) => unknown,
  thingOp: (a: thing.VClock, b: thing.VClock) => unknown,
  mixuOp: (a: mixu.Clock, b: mixu.Clock) => unknown,
  allocationFree: boolean,
): BenchCase[] {
  // Ratios and goals are taken against the faster peer; the floor is there to show what the machine allows.
  const baseline = "@thi.ng/vclock";
  const goal = { maxNs: 50, minSpeedup: 15, ...(allocationFree ? { maxBytesPerOp: 0 } : {}) };
  const ind = independent(pairs);
  const der = derived(pairs);
  const dec = ind.map(([x, y]) => [VectorClock.decode(x.encode()), VectorClock.decode(y.encode())] as const);
  const objects = pairs.map(([l, r]) => [record(l), record(r)] as const);
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let e = 0;
  let f = 0;
  return [
    {
      group,
      name: floor.name,
      role: "floor",
      fn: () => {
        const pair = pairs[f++ & mask] as [Counters, Counters];
        return floor.fn(pair[0], pair[1]);
      },
    },
    {
      group,
      name: "@skew/vector VectorClock, independently built",
      baseline,
      fn: () => {
        const pair = ind[a++ & mask] as [VectorClock, VectorClock];
        return ours(pair[0], pair[1]);
      },
      goal,
      allocation: true,
    },
    {
      group,
      name: "@skew/vector VectorClock, derived from one ancestor",
      baseline,
      fn: () => {
        const pair = der[b++ & mask] as [VectorClock, VectorClock];
        return ours(pair[0], pair[1]);
      },
      goal,
      allocation: true,
    },
    {
      group,
      name: "@skew/vector VectorClock, decoded from bytes (equal ids, not shared)",
      baseline,
      fn: () => {
        const pair = dec[e++ & mask] as readonly [VectorClock, VectorClock];
        return ours(pair[0], pair[1]);
      },
      allocation: true,
    },
    {
      group,
      name: "@thi.ng/vclock",
      role: "peer",
      fn: () => {
        const pair = objects[c++ & mask] as readonly [thing.VClock, thing.VClock];
        return thingOp(pair[0], pair[1]);
      },
    },
    {
      group,
      name: "vectorclock",
      role: "peer",
      fn: () => {
        const pair = objects[d++ & mask] as readonly [mixu.Clock, mixu.Clock];
        return mixuOp(pair[0], pair[1]);
      },
    },
  ];
}

/**
 * A key after `clients` clients each read it and wrote it back through one
 * of three replicas, each write racing the previous one (its context is the
 * one read before the previous write landed), so the key keeps two siblings.
 * Returns the set and the contexts clients would send next.
 */
function keyAfterClients(clients: number): { set: DottedVersionVectorSet<number>; contexts: VectorClock[] } {
  const replicas = ["replica-a", "replica-b", "replica-c"];
  let set = DottedVersionVectorSet.empty<number>();
  let previousRead = set.join();
  for (let k = 0; k < clients; k++) {
    const read = set.join();
    set = set.update(k, previousRead, replicas[k % 3] as string);
    previousRead = read;
  }
  return { set, contexts: [set.join(), previousRead] };
}

/** The same clients with one version vector entry each (Riak before DVV, with client ids): the context of the next write. */
function clientVectorAfter(clients: number): VectorClock {
  return VectorClock.from(Array.from({ length: clients }, (_, k) => [`client-${k}`, 1] as const));
}

function writeCases(): BenchCase[] {
  const group = "write after N clients wrote the key";
  const cases: BenchCase[] = [];
  const replicas = ["replica-a", "replica-b", "replica-c"];
  const keys = [10, 100, 1000].map((clients) => ({ clients, ...keyAfterClients(clients) }));
  const dvvName = ({ clients, set }: (typeof keys)[number]): string =>
    `DVV set update, ${clients} clients (${set.join().size} entries, ${set.size} siblings)`;
  for (const key of keys) {
    const { set, contexts } = key;
    let i = 0;
    cases.push({
      group,
      name: dvvName(key),
      baseline: dvvName(keys[0] as (typeof keys)[number]),
      fn: () => {
        const k = i++;
        return set.update(k, contexts[k & 1] as VectorClock, replicas[k % 3] as string);
      },
      ...(key.clients === 10 ? {} : { goal: { maxRatio: 1.5 } }),
    });
  }
  for (const clients of [10, 100, 1000]) {
    const stored = clientVectorAfter(clients);
    const contexts = Array.from({ length: inputCount }, (_, k) => stored.increment(`client-${k % clients}`));
    let i = 0;
    cases.push({
      group,
      name: `client-id version vector merge + increment, ${clients} clients (${clients} entries)`,
      baseline: "client-id version vector merge + increment, 10 clients (10 entries)",
      fn: () => {
        const k = i++;
        return stored.merge(contexts[k & mask] as VectorClock).increment(`client-${k % clients}`);
      },
    });
  }
  return cases;
}

function codecCases(): BenchCase[] {
  const group = "encode / decode, 16 entries";
  const clocks = independent(mixedPairs).map(([x]) => x);
  const bytes = clocks.map((clock) => clock.encode());
  const texts = clocks.map((clock) => clock.encodeText());
  const records = mixedPairs.map(([l]) => record(l));
  const json = records.map((r) => JSON.stringify(r));
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let e = 0;
  let f = 0;
  return [
    { group, name: "VectorClock.encode", fn: () => (clocks[a++ & mask] as VectorClock).encode() },
    { group, name: "VectorClock.decode", fn: () => VectorClock.decode(bytes[b++ & mask] as Uint8Array) },
    { group, name: "VectorClock.encodeText", fn: () => (clocks[c++ & mask] as VectorClock).encodeText() },
    { group, name: "VectorClock.decodeText", fn: () => VectorClock.decodeText(texts[d++ & mask] as string) },
    {
      group,
      name: "JSON.stringify of a { node: counter } record",
      role: "peer",
      fn: () => JSON.stringify(records[e++ & mask]),
    },
    {
      group,
      name: "JSON.parse of a { node: counter } record",
      role: "peer",
      fn: () => JSON.parse(json[f++ & mask] as string),
    },
  ];
}

function incrementCases(): BenchCase[] {
  const group = "increment, 16 entries";
  const clocks = independent(mixedPairs).map(([x]) => x);
  const records = mixedPairs.map(([l]) => record(l));
  const mutable = mixedPairs.map(([l]) => record(l));
  let a = 0;
  let b = 0;
  let c = 0;
  return [
    {
      group,
      name: "@skew/vector VectorClock.increment",
      fn: () => {
        const k = a++;
        return (clocks[k & mask] as VectorClock).increment(nodes[k & 15] as string);
      },
    },
    {
      group,
      name: "@thi.ng/vclock inc",
      role: "peer",
      fn: () => {
        const k = b++;
        return thing.inc(records[k & mask] as thing.VClock, nodes[k & 15] as string);
      },
    },
    {
      group,
      name: "vectorclock increment (mutates in place)",
      role: "peer",
      fn: () => {
        const k = c++;
        return mixu.increment(mutable[k & mask] as mixu.Clock, nodes[k & 15] as string);
      },
    },
  ];
}

/** The relation of two counter arrays over the same ids: the loop at the heart of compare, with nothing around it. */
function relationOfCounters(a: Counters, b: Counters): number {
  let relation = 0;
  for (let i = 0; i < a.length; i++) {
    const p = a[i] as number;
    const q = b[i] as number;
    if (p === q) continue;
    relation |= p > q ? 1 : 2;
    if (relation === 3) return 3;
  }
  return relation;
}

/** A new array of entrywise maxima: the copy and the loop at the heart of merge, with nothing around them. */
function maxOfCounters(a: Counters, b: Counters): Counters {
  const out = a.slice();
  for (let i = 0; i < out.length; i++) if ((b[i] as number) > (out[i] as number)) out[i] = b[i] as number;
  return out;
}

await runBenchmarks("@skew/vector", [
  ...clockCases(
    "compare, 16 entries",
    mixedPairs,
    { name: "relation loop over two number[16] (no ids)", fn: relationOfCounters },
    (x, y) => x.compare(y),
    (x, y) => thing.compare(x, y),
    (x, y) => mixu.compare(x, y),
    true,
  ),
  ...clockCases(
    "merge, 16 entries, concurrent",
    concurrentPairs,
    { name: "slice + entrywise max of two number[16] (no ids)", fn: maxOfCounters },
    (x, y) => x.merge(y),
    (x, y) => thing.merge(x, y),
    (x, y) => mixu.merge(x, y),
    false,
  ),
  ...incrementCases(),
  ...codecCases(),
  ...writeCases(),
]);
