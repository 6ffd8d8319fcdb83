/**
 * What the interval clock costs, beside the floor of each operation (see
 * shared/BENCHMARKING.md). Reading TrueTime is reading the monotonic clock
 * plus a few multiplications, so `now()`, `after(t)` and `before(t)` are
 * measured beside `performance.now()` (and `Date.now()`, and the
 * `SystemMonotonicClock` they read through). Marzullo's intersection is
 * measured for 3, 5 and 15 sources (the fewest that can outvote a liar, a
 * common NTP configuration, and a large one), and a whole `sync` of 5 samples
 * beside it. Inputs rotate through prepared arrays so that the JIT
 * cannot hoist the work out of the loop.
 *
 *   npm run build && npm run bench [-- --json | --quick | --filter <text>]
 */
import { Random } from "@skew/env";
import { SystemMonotonicClock, SystemTimers } from "@skew/env/system";
import { runBenchmarks } from "@skew/harness";
import { findAgreement, type TimeSample, TrueTimeClock, type TrueTimeInterval } from "@skew/truetime";

/** Inputs per rotation: a power of two, so that `i & mask` picks the next one. */
const inputCount = 1024;
const mask = inputCount - 1;

/** Deterministic inputs (no Math.random: the same figures mean the same work on every run). */
const random = Random.seeded(2012);
const next = (): number => random.float();

const monotonic = new SystemMonotonicClock();
const clock = new TrueTimeClock({ monotonic, timers: new SystemTimers({ unref: true }) });
const epochMs = 1_700_000_000_000;
clock.sync([{ source: "gps", monotonicMs: monotonic.now(), earliest: epochMs - 3, latest: epochMs + 3 }]);

/** Timestamps around now, some certainly past, some certainly future, some inside the interval. */
const timestamps = Array.from({ length: inputCount }, () => epochMs + (next() - 0.5) * 30);

/** `count` sources per set: a majority around true time, the rest wrong by up to a second. */
function sourceSets(count: number): TrueTimeInterval[][] {
  return Array.from({ length: inputCount }, () =>
    Array.from({ length: count }, (_, source) => {
      const wrong = source >= Math.floor(count / 2) + 1;
      const center = epochMs + (wrong ? (next() - 0.5) * 2_000 : (next() - 0.5) * 4);
      const halfWidth = 1 + next() * 5;
      return { earliest: center - halfWidth, latest: center + halfWidth };
    }),
  );
}
const threeSources = sourceSets(3);
const fiveSources = sourceSets(5);
const fifteenSources = sourceSets(15);
const fiveSamples: TimeSample[][] = fiveSources.map((set) =>
  set.map((interval, source) => ({ source: `ntp-${source}`, monotonicMs: 0, ...interval })),
);
const syncing = new TrueTimeClock({ monotonic, timers: new SystemTimers({ unref: true }) });

let i = 0;

await runBenchmarks("@skew/truetime", [
  { group: "read the clock", name: "performance.now()", role: "floor", fn: () => performance.now(), allocation: true },
  {
    group: "read the clock",
    name: "Date.now()",
    role: "floor",
    baseline: "performance.now()",
    fn: () => Date.now(),
    allocation: true,
  },
  {
    group: "read the clock",
    name: "SystemMonotonicClock.now()",
    role: "floor",
    baseline: "performance.now()",
    fn: () => monotonic.now(),
    allocation: true,
  },
  {
    group: "read the clock",
    name: "TrueTimeClock.now()",
    fn: () => clock.now(),
    allocation: true,
    // The monotonic read, two multiply-adds with their rounding slack, and one {earliest, latest} object
    // (72 B beyond the floor's 16: the object and its two doubles).
    goal: { maxRatio: 1.5, maxBytesPerOp: 88 },
  },

  { group: "after / before", name: "performance.now()", role: "floor", fn: () => performance.now(), allocation: true },
  {
    group: "after / before",
    name: "SystemMonotonicClock.now()",
    role: "floor",
    baseline: "performance.now()",
    fn: () => monotonic.now(),
    allocation: true,
  },
  {
    group: "after / before",
    name: "TrueTimeClock.after(t)",
    fn: () => clock.after(timestamps[i++ & mask] ?? epochMs),
    allocation: true,
    // The 16 B are the floor's: the double performance.now() hands back. The comparison adds nothing.
    goal: { maxRatio: 1.5, maxBytesPerOp: 16 },
  },
  {
    group: "after / before",
    name: "TrueTimeClock.before(t)",
    fn: () => clock.before(timestamps[i++ & mask] ?? epochMs),
    allocation: true,
    goal: { maxRatio: 1.5, maxBytesPerOp: 16 },
  },

  // These allocate their answer (arrays of indices, names); the heap probe cannot size that reliably, so it is not asked.
  {
    group: "agree",
    name: "findAgreement, 3 sources",
    fn: () => findAgreement(threeSources[i++ & mask] ?? []),
    goal: { maxNs: 500 },
  },
  {
    group: "agree",
    name: "findAgreement, 5 sources",
    fn: () => findAgreement(fiveSources[i++ & mask] ?? []),
    goal: { maxNs: 500 },
  },
  {
    group: "agree",
    name: "findAgreement, 15 sources",
    fn: () => findAgreement(fifteenSources[i++ & mask] ?? []),
    goal: { maxNs: 1_500 },
  },
  {
    group: "agree",
    name: "TrueTimeClock.sync, 5 samples",
    fn: () => syncing.sync(fiveSamples[i++ & mask] ?? []),
    goal: { maxNs: 1_500 },
  },
]);
