/**
 * Playing a fault schedule on real timers: the live counterpart of the
 * simulator's fault events (sim/faults.ts). A schedule is data (each fault
 * has a start and a duration, counted from the run's start); a
 * `LiveNemesis` knows how to begin and end one fault on real processes
 * (an iptables rule, a SIGSTOP, a clock offset set through the admin
 * endpoint); the player runs the schedule.
 *
 * Lanes. Faults of one lane play one after the other: the next begins once
 * the previous has ended, even if its time came while the previous was still
 * ending. Lanes play side by side, so that nemeses combine: a partition and a
 * clock step and a paused process at once. A schedule keeps the faults of a
 * lane apart (planFaults, and the fault tests' planner, never overlap them),
 * so a lane only runs late when a nemesis is slower than the schedule
 * assumed; every played fault records when it really began and ended.
 *
 * A fault lasts its duration from when it began, even if its timer fired
 * late. A nemesis whose `begin` or `end` throws stops its lane: the error
 * is kept (`errors`) and the run reports it rather than judging a history
 * whose faults did not happen.
 */

import type { Fault } from "../faults/schedule.js";

/** The least a fault is: when it starts and how long it lasts, in ms from the run's start. */
export interface TimedFault {
  readonly atMs: number;
  readonly durationMs: number;
}

/** Hurts real nodes: starts a fault and heals it (a paused process resumed, a stepped clock stepped back). */
export interface LiveNemesis<F extends TimedFault = Fault> {
  begin(fault: F): Promise<void>;
  end(fault: F): Promise<void>;
}

/** A fault as it was played: when it began and ended, in ms of the runner's clock from the run's start. */
export interface PlayedFault<F extends TimedFault = Fault> {
  readonly fault: F;
  readonly description: string;
  readonly beganMs: number;
  readonly endedMs: number;
}

export interface FaultPlayerOptions<F extends TimedFault> {
  readonly faults: readonly F[];
  readonly nemesis: LiveNemesis<F>;
  /** One line per fault, for the played list and for failure messages. */
  readonly describe: (fault: F) => string;
  /** Which lane a fault plays in (default: one lane, every fault in turn). */
  readonly lane?: (fault: F) => string;
  /** Ms since the run's start, on the runner's monotonic clock. */
  readonly nowMs: () => number;
  /** Resolves after `ms` of real time (a negative wait is no wait). */
  readonly wait: (ms: number) => Promise<void>;
}

export interface FaultPlayer<F extends TimedFault> {
  /** Resolves when every lane has played its last fault, or stopped at an error. */
  readonly done: Promise<void>;
  /** The faults that began and ended, in the order they ended. */
  readonly played: readonly PlayedFault<F>[];
  /** Errors of `begin` or `end`; a lane stops at its first. */
  readonly errors: readonly unknown[];
  /** Stops every lane before its next fault; faults already on still end at their time. */
  stop(): void;
  /** Ends every fault still on now (a run that failed half way): no paused process outlives the run. */
  healNow(): Promise<void>;
}

/** Starts playing `faults`; the times count from the call. */
export function playFaults<F extends TimedFault>(options: FaultPlayerOptions<F>): FaultPlayer<F> {
  const { faults, nemesis, describe, nowMs, wait } = options;
  for (const fault of faults) {
    if (!(Number.isFinite(fault.atMs) && fault.atMs >= 0 && Number.isFinite(fault.durationMs) && fault.durationMs >= 0))
      throw new RangeError(`playFaults: ${describe(fault)} needs atMs >= 0 and durationMs >= 0, both finite`);
  }
  const lanes = new Map<string, F[]>();
  for (const fault of faults) {
    const lane = options.lane?.(fault) ?? "";
    const list = lanes.get(lane) ?? [];
    list.push(fault);
    lanes.set(lane, list);
  }
  const startedMs = nowMs();
  const sinceStart = () => nowMs() - startedMs;
  const played: PlayedFault<F>[] = [];
  const errors: unknown[] = [];
  const on = new Set<F>();
  let stopped = false;

  const playLane = async (list: readonly F[]): Promise<void> => {
    for (const fault of [...list].sort((a, b) => a.atMs - b.atMs)) {
      await wait(fault.atMs - sinceStart());
      if (stopped) return;
      const beganMs = sinceStart();
      on.add(fault);
      try {
        await nemesis.begin(fault);
        await wait(beganMs + fault.durationMs - sinceStart());
      } catch (error) {
        errors.push(error);
      }
      // Only a fault still on is ended here: healNow may have ended it already.
      if (on.delete(fault)) {
        try {
          await nemesis.end(fault);
        } catch (error) {
          errors.push(error);
        }
      }
      played.push({ fault, description: describe(fault), beganMs, endedMs: sinceStart() });
      if (errors.length > 0) return;
    }
  };

  const done = Promise.all([...lanes.values()].map(playLane)).then(() => undefined);
  return {
    done,
    played,
    errors,
    stop: () => {
      stopped = true;
    },
    healNow: async () => {
      stopped = true;
      const still = [...on];
      on.clear();
      for (const fault of still) await nemesis.end(fault).catch((error: unknown) => errors.push(error));
    },
  };
}
