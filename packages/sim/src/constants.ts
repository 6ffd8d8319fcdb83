/**
 * Every limit of the simulator, with its unit at the end of its name
 * (TigerBeetle's habit). They bound the work one run can do and the values a
 * scenario can set, so that a runaway protocol or a typo in a test stops with
 * a clear error instead of spinning forever. Checked against each other at
 * the bottom of the file.
 */

/** Virtual time is kept in integer microseconds (see time.ts); this many make a millisecond. */
export const usPerMs = 1_000;

/** Events one call to `run`/`runAsync` may dispatch before it stops with `EVENTS_EXHAUSTED`. */
export const eventsPerRunMax = 100_000_000;

/**
 * Events one run may dispatch at a single instant of virtual time: past this,
 * time has stopped advancing (a timer that reschedules itself with delay 0).
 */
export const eventsPerInstantMax = 1_000_000;

/** Longest a single `run({ forMs })` may ask to advance, and the longest timer a node may set: one simulated year. */
export const runForMaxMs = 365 * 86_400_000;

/** Nodes in one simulation (links are a dense `nodesMax` x `nodesMax` matrix). */
export const nodesMax = 256;

/** Longest network delay one message can draw; long-tailed distributions are cut here. */
export const delayMaxMs = 60_000;

/** Longest pause, clog, limp service time, partition or restart delay a scenario may ask for: one simulated day. */
export const faultDurationMaxMs = 86_400_000;

/** Largest wall-clock offset or step: ten years, far past any NTP misconfiguration worth simulating. */
export const clockOffsetMaxMs = 10 * 365 * 86_400_000;

/** Largest oscillator drift. Google assumes 200 ppm; 100,000 ppm (10%) is a clock that is plainly broken. */
export const driftPpmMax = 100_000;

/** NTP's kernel discipline slews at most 500 ppm; the default rate of `ClockControl.slew`. */
export const slewPpmDefault = 500;

/** Fastest slew a scenario may ask for (a clock running twice as fast). */
export const slewPpmMax = 1_000_000;

/** Flips one `strobe` may make (each flip is one event). */
export const strobeFlipsMax = 100_000;

/** Wall-clock origin of every node before offsets: 2024-01-01T00:00:00Z. */
export const epochMsDefault = 1_704_067_200_000;

/** Monotonic clocks start at a random reading in [0, this]: "meaningless across machines", so tests catch code that compares them. */
export const monotonicOriginMaxMs = 1_000_000_000;

/** Trace entries kept in memory by default (the hash covers every entry regardless). */
export const traceKeepDefault = 1_000;

/** Most trace entries a simulation may keep in memory. */
export const traceKeepMax = 10_000_000;

/**
 * Promise-job turns `runAsync` lets pass after each event by default: an
 * `await` chain up to this deep, started by one event, settles before the next.
 */
export const microtaskTurnsDefault = 64;

/** Most microtask turns a scenario may ask for between events. */
export const microtaskTurnsMax = 100_000;

/** Largest value one `SimStore.put` accepts. */
export const valueBytesMax = 16 * 1024 * 1024;

/** Messages a link may hold in flight when its model does not say (a switch buffer). */
export const linkQueueMaxDefault = 100_000;

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`@skew/sim constants: ${message}`);
}

check(Number.isSafeInteger(faultDurationMaxMs * usPerMs * 1_000), "durations in us must stay far below 2^53");
check(delayMaxMs <= faultDurationMaxMs, "a delay is a kind of fault duration");
check(faultDurationMaxMs <= runForMaxMs, "a fault must fit in a run");
check(eventsPerInstantMax <= eventsPerRunMax, "an instant is part of a run");
check(slewPpmDefault <= slewPpmMax, "the default slew must be allowed");
check(traceKeepDefault <= traceKeepMax, "the default trace must be allowed");
check(microtaskTurnsDefault <= microtaskTurnsMax, "the default microtask turns must be allowed");
check(driftPpmMax < 1_000_000, "a clock must keep running forward");
