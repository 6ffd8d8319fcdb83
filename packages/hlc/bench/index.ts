/**
 * @skew/hlc benchmarks: each operation beside its floor and its npm peers, in
 * one process (BENCHMARKING.md). Reading the wall clock is most of the cost
 * of `now()` and `receive()`, so their floor is a bare `Date.now()`, and the
 * clock under test reads a `SystemWallClock` (that same `Date.now()`).
 *
 * Run: npm run build && npm run bench [-- --json | --quick | --filter <text>]
 */
import HLC from "@consento/hlc";
import { SystemWallClock } from "@skew/env/system";
import { type BenchCase, runBenchmarks } from "@skew/harness";
import {
  compare,
  decodeBinary,
  decodeString,
  encodeBinaryInto,
  encodeString,
  HybridLogicalClock,
  type Timestamp,
  timestamp,
} from "@skew/hlc";
import * as tpp from "@tpp/hybrid-logical-clock";

/** Inputs rotate through arrays of this size (a power of two, indexed with a mask). */
const inputs = 1024;
const mask = inputs - 1;

const startMs = Date.now();

/** Timestamps from 2 s before the start to 400 ms after it (inside the default max offset), in random order. */
const remotes: Timestamp[] = Array.from({ length: inputs }, () =>
  timestamp(startMs - 2000 + Math.floor(Math.random() * 2400), Math.floor(Math.random() * 64)),
);
const remoteStrings = remotes.map(encodeString);
const remoteBytes = remotes.map((ts) => {
  const bytes = new Uint8Array(8);
  encodeBinaryInto(ts, bytes);
  return bytes;
});

const consentoRemotes = remotes.map((ts) => new HLC.Timestamp(BigInt(Math.floor(ts / 2048)) * 1_000_000n, ts % 2048));
const consentoJson = consentoRemotes.map((ts) => JSON.stringify(ts));
const consentoBytes = consentoRemotes.map((ts) => HLC.codec.encode(ts));
const tppRemotes = remotes.map((ts) => `${Math.floor(ts / 2048)}:${ts % 2048}:0f1e2d3c4b5a69788796a5b4c3d2e1f0`);

function clock(node: string): HybridLogicalClock {
  return new HybridLogicalClock({ wall: new SystemWallClock(), node });
}

const nowClock = clock("bench-now");
const boxedClock = clock("bench-boxed");
const receiveClock = clock("bench-receive");
const consentoNow = new HLC();
const consentoReceive = new HLC();
const scratch = new Uint8Array(8);
const consentoScratch = new Uint8Array(12);

let i = 0;
const next = (): number => {
  i = (i + 1) & mask;
  return i;
};

/*
 * The clock cases return `result > 0` rather than the result. The harness
 * keeps each result in an object field, and a fresh double stored there is
 * boxed into a 16-byte HeapNumber (about 6 ns here), which `Date.now()` does
 * not pay twice: its result already is one. Comparing in the case keeps both
 * sides unboxed, so the ratio is the clock's own work; the group after shows
 * the boxed figures too.
 */
const cases: BenchCase[] = [
  { group: "now()", name: "Date.now()", role: "floor", fn: () => Date.now() > 0, allocation: true },
  {
    group: "now()",
    name: "@skew/hlc HybridLogicalClock.now()",
    fn: () => nowClock.now() > 0,
    goal: { maxRatio: 1.05, maxBytesPerOp: 16 },
    allocation: true,
  },
  { group: "now()", name: "@consento/hlc now()", role: "peer", fn: () => consentoNow.now(), allocation: true },
  { group: "now()", name: "@tpp/hybrid-logical-clock nxt()", role: "peer", fn: () => tpp.nxt(), allocation: true },

  {
    group: "now(), the double returned and boxed",
    name: "Date.now()",
    role: "floor",
    fn: () => Date.now(),
    allocation: true,
  },
  {
    group: "now(), the double returned and boxed",
    name: "Date.now() + 1 (any fresh double)",
    role: "peer",
    fn: () => Date.now() + 1,
    allocation: true,
  },
  {
    group: "now(), the double returned and boxed",
    name: "@skew/hlc HybridLogicalClock.now()",
    fn: () => boxedClock.now(),
    allocation: true,
  },

  // receive's floor reads the clock and the rotating input, as receive must: the input fetch is the benchmark's, not the clock's.
  {
    group: "receive",
    name: "Date.now(), beside the same input fetch",
    role: "floor",
    fn: () => Date.now() > (remotes[next()] as number),
    allocation: true,
  },
  { group: "receive", name: "Date.now()", role: "peer", fn: () => Date.now() > 0, allocation: true },
  {
    group: "receive",
    name: "@skew/hlc HybridLogicalClock.receive(remote, peer)",
    fn: () => receiveClock.receive(remotes[next()] as Timestamp, "peer") > 0,
    goal: { maxRatio: 1.1, maxBytesPerOp: 16 },
    allocation: true,
  },
  {
    group: "receive",
    name: "@consento/hlc update(remote)",
    role: "peer",
    fn: () => consentoReceive.update(consentoRemotes[next()] as HLC.Timestamp),
    allocation: true,
  },
  {
    group: "receive",
    name: "@tpp/hybrid-logical-clock recv(remote)",
    role: "peer",
    fn: () => tpp.recv(tppRemotes[next()] as string),
    allocation: true,
  },

  {
    group: "encode sortable string",
    name: "@skew/hlc encodeString",
    fn: () => encodeString(remotes[next()] as Timestamp),
    goal: { maxNs: 35 },
  },
  {
    group: "encode sortable string",
    name: "@consento/hlc JSON.stringify(timestamp) (its only text form; does not sort)",
    role: "peer",
    fn: () => JSON.stringify(consentoRemotes[next()]),
  },
  {
    group: "decode sortable string",
    name: "@skew/hlc decodeString",
    fn: () => decodeString(remoteStrings[next()] as string),
    goal: { maxNs: 35 },
  },
  {
    group: "decode sortable string",
    name: "@consento/hlc new Timestamp(JSON.parse(text))",
    role: "peer",
    fn: () => new HLC.Timestamp(JSON.parse(consentoJson[next()] as string)),
  },

  {
    group: "encode 8-byte binary",
    name: "@skew/hlc encodeBinaryInto",
    fn: () => encodeBinaryInto(remotes[next()] as Timestamp, scratch, 0),
  },
  {
    group: "encode 8-byte binary",
    name: "@consento/hlc codec.encode (12 bytes)",
    role: "peer",
    fn: () => HLC.codec.encode(consentoRemotes[next()] as HLC.Timestamp, consentoScratch, 0),
  },
  {
    group: "decode 8-byte binary",
    name: "@skew/hlc decodeBinary",
    fn: () => decodeBinary(remoteBytes[next()] as Uint8Array),
  },
  {
    group: "decode 8-byte binary",
    name: "@consento/hlc codec.decode (12 bytes)",
    role: "peer",
    fn: () => HLC.codec.decode(consentoBytes[next()] as Uint8Array),
  },

  {
    group: "compare",
    name: "@skew/hlc compare",
    fn: () => compare(remotes[next()] as Timestamp, remotes[i ^ 1] as Timestamp),
    goal: { maxNs: 3 },
  },
  {
    group: "compare",
    name: "@consento/hlc Timestamp.compare",
    role: "peer",
    fn: () => HLC.Timestamp.compare(consentoRemotes[next()] as HLC.Timestamp, consentoRemotes[i ^ 1] as HLC.Timestamp),
  },
];

await runBenchmarks("@skew/hlc", cases);
