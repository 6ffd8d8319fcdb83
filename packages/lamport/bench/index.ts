/**
 * What a Lamport clock costs, beside the floor of each operation (see
 * shared/BENCHMARKING.md): a tick beside `n++`, a receive beside `Math.max`,
 * a compare beside a subtraction, the text form beside a bare concatenation
 * and a bare `Number(slice)`. Inputs rotate through prepared arrays so that
 * the JIT cannot hoist the work out of the loop.
 *
 *   npm run build && npm run bench [-- --json | --quick | --filter <text>]
 */
import { Random } from "@skew/env";
import { runBenchmarks } from "@skew/harness";
import { compareLamportStamps, LamportClock, LamportStamp } from "@skew/lamport";

/** Inputs per rotation: a power of two, so that `i & mask` picks the next one. */
const inputCount = 1024;
const mask = inputCount - 1;

/** Deterministic inputs (no Math.random: the same figures mean the same work on every run). */
const random = Random.seeded(1978);
const next = (): number => random.float();
const nodeIds = ["node-a", "node-b", "replica-3", "eu-west-1:7"];
/** Counters a few apart, so that the comparisons go every way and the ties fall to the node id. */
const stamps = Array.from({ length: inputCount }, () =>
  LamportStamp.of(1_000_000 + Math.floor(next() * 4), nodeIds[Math.floor(next() * nodeIds.length)] ?? "node-a"),
);
const plainStamps = stamps.map((s) => ({ counter: s.counter, nodeId: s.nodeId }));
const texts = stamps.map((s) => s.toString());
/** How far a received message is ahead of (positive) or behind (negative) the receiver. */
const receiveDeltas = Array.from({ length: inputCount }, () => Math.floor(next() * 9) - 4);

let i = 0;

// tick: the clock's counter against a plain counter field.
const ticking = new LamportClock("node-a");
const plainCounter = { value: 0 };

// receive: max(local, remote) + 1, against the same formula on a plain field.
const receiving = new LamportClock("node-a", { counter: 1_000_000 });
const plainReceiver = { value: 1_000_000 };

// send / stamp: a stamp object against an object literal of the same shape.
const sending = new LamportClock("node-a");

await runBenchmarks("@skew/lamport", [
  { group: "tick", name: "n++ on an object field", role: "floor", fn: () => ++plainCounter.value, allocation: true },
  {
    group: "tick",
    name: "LamportClock.tick()",
    fn: () => ticking.tick(),
    allocation: true,
    goal: { maxRatio: 3, maxBytesPerOp: 0 },
  },

  {
    group: "receive",
    name: "Math.max(local, remote) + 1",
    role: "floor",
    fn: () => {
      plainReceiver.value = Math.max(plainReceiver.value, plainReceiver.value + (receiveDeltas[i++ & mask] ?? 0)) + 1;
      return plainReceiver.value;
    },
    allocation: true,
  },
  {
    group: "receive",
    name: "LamportClock.receive(counter)",
    fn: () => receiving.receive(receiving.value + (receiveDeltas[i++ & mask] ?? 0)),
    allocation: true,
    // Beyond the floor, receive checks the remote counter (a number, an integer, in range) and the overflow:
    // a few ns, no more, and nothing allocated.
    goal: { maxRatio: 5, maxBytesPerOp: 0 },
  },

  {
    group: "send",
    name: "{ counter: ++n, nodeId }",
    role: "floor",
    fn: () => ({ counter: ++plainCounter.value, nodeId: "node-a" }),
    allocation: true,
  },
  {
    group: "send",
    name: "LamportClock.send()",
    fn: () => sending.send(),
    allocation: true,
    // One object, like the floor: a stamp is its two fields and nothing more.
    goal: { maxRatio: 2, maxBytesPerOp: 48 },
  },

  {
    group: "compare",
    name: "a.counter - b.counter",
    role: "floor",
    fn: () => {
      const k = i++;
      return (plainStamps[k & mask]?.counter ?? 0) - (plainStamps[(k + 1) & mask]?.counter ?? 0);
    },
  },
  {
    group: "compare",
    name: "compareLamportStamps(a, b)",
    fn: () => {
      const k = i++;
      return compareLamportStamps(stamps[k & mask] as LamportStamp, stamps[(k + 1) & mask] as LamportStamp);
    },
    allocation: true,
    goal: { maxRatio: 3, maxBytesPerOp: 0 },
  },
  {
    group: "compare",
    name: "a.compare(b) (an Ordering)",
    fn: () => {
      const k = i++;
      return (stamps[k & mask] as LamportStamp).compare(stamps[(k + 1) & mask] as LamportStamp);
    },
    allocation: true,
    goal: { maxRatio: 3, maxBytesPerOp: 0 },
  },

  {
    group: "serialize",
    name: 'counter + "@" + nodeId, unpadded',
    role: "floor",
    fn: () => {
      const s = plainStamps[i++ & mask];
      return `${s?.counter}@${s?.nodeId}`;
    },
  },
  {
    group: "serialize",
    name: "stamp.toString()",
    fn: () => (stamps[i++ & mask] as LamportStamp).toString(),
    goal: { maxRatio: 2 },
  },

  {
    group: "parse",
    name: "Number(slice) + slice (no checks)",
    role: "floor",
    fn: () => {
      const text = texts[i++ & mask] ?? "";
      return Number(text.slice(0, 16)) + text.slice(17).length;
    },
  },
  {
    group: "parse",
    name: "LamportStamp.parse(text)",
    fn: () => LamportStamp.parse(texts[i++ & mask] ?? ""),
    // Every character checked, a stamp and a Result built: still within 2x of slicing without a check.
    goal: { maxRatio: 2 },
  },
]);
