/**
 * What the structures cost (the README, "Benchmarks", records a run):
 *
 * - crc32c of 64 B, 1 KiB (and 64 KiB, timed outside the harness: too long a call for mitata to batch) beside a floor that only reads the bytes
 *   (a summing loop), and beside slice-by-1 and slice-by-4 versions of the
 *   same table-driven CRC, written out here only to justify slice-by-8;
 * - hashKey of a 16-byte key (as bytes and as a string) beside a floor that
 *   reads the bucket and key once, and beside murmur3 of the bytes already
 *   concatenated (what encoding on the fly costs);
 * - a preference-list lookup beside the floor of a table lookup;
 * - MerkleTree.change in a tree of 100k keys, its owner's digests in an
 *   array by key index (as a replica keeps each beside its record), beside
 *   Map.set on a 100k-entry map (what a tree that kept its own entries paid
 *   at least), with and without reading the root after each change; then,
 *   once, building a 100k-key tree.
 *
 * Inputs rotate through prepared arrays so that the JIT cannot hoist the work.
 *
 *   node --expose-gc --import tsx bench/structures.ts [--quick | --json | --filter <text>]
 */
import { Random } from "@skew/env";
import { type BenchCase, runBenchmarks } from "@skew/harness";
import { crc32c } from "../src/checksum/index.js";
import { MerkleTree } from "../src/merkle/index.js";
import { HashRing, hashKey, murmur3 } from "../src/ring/index.js";

const random = Random.seeded(0x5eed);
const bytesOf = (length: number): Uint8Array => Uint8Array.from({ length }, () => random.int(0, 255));

// ---- crc32c -------------------------------------------------------------------------------

/** The byte-at-a-time table and slice-by-4, only to measure slice-by-8 against. */
const table1 = new Uint32Array(256);
for (let b = 0; b < 256; b++) {
  let c = b;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  table1[b] = c;
}
const table4 = new Uint32Array(4 * 256);
table4.set(table1);
for (let b = 0; b < 256; b++) {
  let c = table1[b] as number;
  for (let t = 1; t < 4; t++) {
    c = (table1[c & 0xff] as number) ^ (c >>> 8);
    table4[t * 256 + b] = c;
  }
}

function crc32cSliceBy1(bytes: Uint8Array): number {
  let crc = -1;
  for (let i = 0; i < bytes.length; i++) crc = (table1[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return ~crc >>> 0;
}

function crc32cSliceBy4(bytes: Uint8Array): number {
  const t = table4;
  let crc = -1;
  let i = 0;
  for (const end = bytes.length - 3; i < end; i += 4) {
    crc ^=
      (bytes[i] as number) |
      ((bytes[i + 1] as number) << 8) |
      ((bytes[i + 2] as number) << 16) |
      ((bytes[i + 3] as number) << 24);
    crc =
      (t[768 + (crc & 0xff)] as number) ^
      (t[512 + ((crc >>> 8) & 0xff)] as number) ^
      (t[256 + ((crc >>> 16) & 0xff)] as number) ^
      (t[crc >>> 24] as number);
  }
  for (; i < bytes.length; i++) crc = (t[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return ~crc >>> 0;
}

function byteSum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum = (sum + (bytes[i] as number)) | 0;
  return sum;
}

function crcCases(label: string, size: number, inputs: number): BenchCase[] {
  const buffers = Array.from({ length: inputs }, () => bytesOf(size));
  const mask = inputs - 1;
  let i = 0;
  const group = `crc32c ${label}`;
  return [
    {
      group,
      name: "floor: read every byte (sum)",
      role: "floor",
      fn: () => byteSum(buffers[i++ & mask] as Uint8Array),
    },
    { group, name: "slice-by-1 (bench copy)", fn: () => crc32cSliceBy1(buffers[i++ & mask] as Uint8Array) },
    { group, name: "slice-by-4 (bench copy)", fn: () => crc32cSliceBy4(buffers[i++ & mask] as Uint8Array) },
    {
      group,
      name: "crc32c (slice-by-8)",
      fn: () => crc32c(buffers[i++ & mask] as Uint8Array),
      allocation: true,
      // The checksum is an unsigned 32-bit number: V8 boxes one of 2^30 and above (three in four) as
      // a 16 B heap number when it leaves the function. The CRC itself allocates nothing.
      goal: { maxBytesPerOp: 16 },
    },
  ];
}

// ---- hashKey ------------------------------------------------------------------------------

const keyCount = 1024;
const keyMask = keyCount - 1;
const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
const word = (length: number): string =>
  String.fromCharCode(...Array.from({ length }, () => alphabet.charCodeAt(random.int(0, alphabet.length - 1))));
const buckets = Array.from({ length: 8 }, () => word(8));
const keyStrings = Array.from({ length: keyCount }, () => word(16));
const keyBytes = keyStrings.map((key) => new TextEncoder().encode(key));
const bucketOf = (i: number): string => buckets[i & 7] as string;
const concatenated = keyStrings.map((key, i) => new TextEncoder().encode(`${bucketOf(i)}\u0000${key}`));

function readOnce(bucket: string, key: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bucket.length; i++) sum = (sum + bucket.charCodeAt(i)) | 0;
  for (let i = 0; i < key.length; i++) sum = (sum + (key[i] as number)) | 0;
  return sum;
}

let h = 0;
const hashCases: BenchCase[] = [
  {
    group: "hashKey, 8-char bucket + 16-byte key",
    name: "floor: read bucket and key once (sum)",
    role: "floor",
    fn: () => readOnce(bucketOf(h), keyBytes[h++ & keyMask] as Uint8Array),
  },
  {
    group: "hashKey, 8-char bucket + 16-byte key",
    name: "murmur3 of the bytes already concatenated",
    fn: () => murmur3(concatenated[h++ & keyMask] as Uint8Array),
  },
  {
    group: "hashKey, 8-char bucket + 16-byte key",
    name: "hashKey(bucket, Uint8Array key)",
    fn: () => hashKey(bucketOf(h), keyBytes[h++ & keyMask] as Uint8Array),
    allocation: true,
    // As crc32c: only the boxed unsigned 32-bit result.
    goal: { maxBytesPerOp: 16 },
  },
  {
    group: "hashKey, 8-char bucket + 16-byte key",
    name: "hashKey(bucket, string key)",
    fn: () => hashKey(bucketOf(h), keyStrings[h++ & keyMask] as string),
    allocation: true,
    goal: { maxBytesPerOp: 16 },
  },
];

// ---- preference list ----------------------------------------------------------------------

const ring = new HashRing({ nodes: ["n1", "n2", "n3", "n4", "n5"], partitions: 64 });
const hashes = Array.from({ length: keyCount }, () => random.int(0, 0xffffffff));
const owners = ring.owners;
let p = 0;
const ringCases: BenchCase[] = [
  {
    group: "placement, 5 nodes, 64 partitions, n = 3",
    name: "floor: owners[hash >>> 26]",
    role: "floor",
    fn: () => owners[(hashes[p++ & keyMask] as number) >>> 26],
  },
  {
    group: "placement, 5 nodes, 64 partitions, n = 3",
    name: "ring.preferenceList(hash, 3)",
    fn: () => ring.preferenceList(hashes[p++ & keyMask] as number, 3),
    allocation: true,
    goal: { maxBytesPerOp: 0 },
  },
  {
    group: "placement, 5 nodes, 64 partitions, n = 3",
    name: "ring.fallbacks(hash, 3, 2)",
    fn: () => ring.fallbacks(hashes[p++ & keyMask] as number, 3, 2),
  },
];

// ---- Merkle tree --------------------------------------------------------------------------

const treeKeys = 100_000;
const ids = Array.from({ length: treeKeys }, (_, i) => `bucket\u0000key-${String(i).padStart(6, "0")}`);
const digests = Uint32Array.from({ length: 4096 }, () => random.int(0, 0xffffffff));
const indexOfId = new Map(ids.map((id, i) => [id, i]));
/** A filled tree and its owner's digests, by key index. */
const filledTree = (): { tree: MerkleTree; held: Uint32Array } => {
  const held = new Uint32Array(treeKeys);
  const tree = new MerkleTree({ digestOf: (keyId) => held[indexOfId.get(keyId) as number] });
  for (let i = 0; i < treeKeys; i++) {
    held[i] = digests[i & 4095] as number;
    tree.change(ids[i] as string, undefined, held[i] as number);
  }
  tree.root();
  return { tree, held };
};
/** Gives key `i` of `owned` the digest `next`, as a replica's write does. */
const change = (owned: { tree: MerkleTree; held: Uint32Array }, i: number, next: number): void => {
  owned.tree.change(ids[i] as string, owned.held[i] as number, next);
  owned.held[i] = next;
};
const map = new Map(ids.map((id, i) => [id, digests[i & 4095] as number]));
const setTree = filledTree();
const rootTree = filledTree();
// Successive calls visit keys in a scattered order and give each a digest it does not hold.
let m = 0;
const nextIndex = (): number => (m * 7919) % treeKeys;
const nextId = (): string => ids[nextIndex()] as string;
const nextDigest = (): number => digests[m++ & 4095] as number;
const merkleCases: BenchCase[] = [
  {
    group: "Merkle tree of 100k keys (depth 10)",
    name: "floor: Map.set on a 100k-entry map",
    role: "floor",
    fn: () => map.set(nextId(), nextDigest()),
    allocation: true,
  },
  {
    group: "Merkle tree of 100k keys (depth 10)",
    name: "tree.change(keyId, previous, next)",
    fn: () => change(setTree, nextIndex(), nextDigest()),
    allocation: true,
    // No object per call: what allocates is unsigned 32-bit numbers of 2^30 and above crossing calls
    // V8 does not inline (the two digests passed in, a hash), 16 B each.
    goal: { maxBytesPerOp: 48 },
  },
  {
    group: "Merkle tree of 100k keys (depth 10)",
    name: "tree.change then tree.root() (one dirty path)",
    fn: () => {
      change(rootTree, nextIndex(), nextDigest());
      return rootTree.tree.root();
    },
    allocation: true,
    goal: { maxBytesPerOp: 48 },
  },
];

await runBenchmarks("@skew/kv structures", [
  ...crcCases("64 B", 64, 1024),
  ...crcCases("1 KiB", 1024, 256),
  ...hashCases,
  ...ringCases,
  ...merkleCases,
]);

/**
 * Median ms of `rounds` timings of `calls` calls. For operations too long for
 * mitata to batch (past ~65 us a call, where the harness refuses to report),
 * so that a timer read per call is noise.
 */
function medianMs(fn: () => unknown, calls: number, rounds: number): number {
  const times: number[] = [];
  let sink = 0;
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    for (let c = 0; c < calls; c++) sink ^= fn() === sink ? 1 : 0;
    times.push((performance.now() - started) / calls);
  }
  if (sink === -1) throw new Error("unreachable");
  times.sort((a, b) => a - b);
  return times[Math.floor(rounds / 2)] as number;
}

const large = Array.from({ length: 16 }, () => bytesOf(65_536));
let l = 0;
const largeRows: [string, () => unknown][] = [
  ["floor: read every byte (sum)", () => byteSum(large[l++ & 15] as Uint8Array)],
  ["slice-by-1 (bench copy)", () => crc32cSliceBy1(large[l++ & 15] as Uint8Array)],
  ["slice-by-4 (bench copy)", () => crc32cSliceBy4(large[l++ & 15] as Uint8Array)],
  ["crc32c (slice-by-8)", () => crc32c(large[l++ & 15] as Uint8Array)],
];
for (const [, fn] of largeRows) medianMs(fn, 200, 1); // warm up every variant first
process.stdout.write("\ncrc32c 64 KiB (median of 9 rounds of 200 calls, timed outside the harness)\n");
for (const [name, fn] of largeRows) {
  const ms = medianMs(fn, 200, 9);
  process.stdout.write(
    `  ${name.padEnd(32)} ${(ms * 1000).toFixed(1).padStart(7)} us   ${(65_536 / ms / 1e6).toFixed(2)} GB/s\n`,
  );
}

// Building a whole tree is one long operation, timed here rather than by the harness: the median of 5 builds.
const builds: number[] = [];
for (let round = 0; round < 5; round++) {
  const started = performance.now();
  filledTree();
  builds.push(performance.now() - started);
}
builds.sort((a, b) => a - b);
process.stdout.write(
  `\nMerkle tree: 100k sets then root(), median of 5 builds: ${(builds[2] as number).toFixed(1)} ms (${(((builds[2] as number) * 1e6) / treeKeys).toFixed(0)} ns per key)\n`,
);
