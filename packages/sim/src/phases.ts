/**
 * A run in two phases, as TigerBeetle's VOPR runs a seed: a safety phase with
 * faults on, in which the invariant is checked after every event (a broken
 * invariant is never "eventually fine"), then a liveness phase in which every
 * fault is healed and the system must converge by a deadline (a protocol that
 * is safe because it does nothing fails here). A failure is a `SimError`
 * carrying the seed, the virtual time, the nemesis plan and the end of the
 * trace.
 */
import { faultDurationMaxMs, runForMaxMs } from "./constants.js";
import { SimError } from "./errors.js";
import type { RunResult, Simulation } from "./simulation.js";
import { formatTrace } from "./trace.js";
import { checkDurationMs } from "./validate.js";

/** What runPhases needs of a nemesis (`Nemesis` is one). */
export interface FaultInjector {
  start(): void;
  stop(): void;
  describe(): string;
}

export interface PhasesOptions {
  /** Length of the faulty phase, in true ms. */
  readonly safetyMs: number;
  /** Deadline for convergence once every fault is healed, in true ms. */
  readonly livenessMs: number;
  /** Started at the beginning of the safety phase and stopped at its end. */
  readonly nemesis?: FaultInjector;
  /** Checked after every event of both phases: return a description of what is wrong, or nothing. Throwing also counts. */
  readonly invariant?: () => string | undefined;
  /** True once the system has converged (all replicas agree, every client answered). */
  readonly converged: () => boolean;
  /** Trace lines to include in a failure message (default 40). */
  readonly traceLines?: number;
}

export interface PhasesResult {
  readonly safety: RunResult;
  readonly liveness: RunResult;
  /** True ms from the start of the liveness phase to convergence. */
  readonly convergedAfterMs: number;
}

/** Runs both phases with synchronous nodes. */
export function runPhases<M>(sim: Simulation<M>, options: PhasesOptions): PhasesResult {
  const plan = prepare(sim, options);
  plan.begin();
  const safety = sim.run({ forMs: options.safetyMs, afterEvent: plan.check });
  plan.heal();
  const liveness = sim.run({ forMs: options.livenessMs, afterEvent: plan.check, until: options.converged });
  return plan.finish(safety, liveness);
}

/** Runs both phases with promise-based nodes. */
export async function runPhasesAsync<M>(sim: Simulation<M>, options: PhasesOptions): Promise<PhasesResult> {
  const plan = prepare(sim, options);
  plan.begin();
  const safety = await sim.runAsync({ forMs: options.safetyMs, afterEvent: plan.check });
  plan.heal();
  const liveness = await sim.runAsync({ forMs: options.livenessMs, afterEvent: plan.check, until: options.converged });
  return plan.finish(safety, liveness);
}

function prepare<M>(sim: Simulation<M>, options: PhasesOptions) {
  checkDurationMs("runPhases: safetyMs", options.safetyMs, runForMaxMs);
  checkDurationMs("runPhases: livenessMs", options.livenessMs, faultDurationMaxMs);
  if (typeof options.converged !== "function") throw new TypeError("runPhases: converged must be a function");
  const invariant = options.invariant;
  const lines = options.traceLines ?? 40;
  let livenessStartMs = 0;
  const context = (): string => {
    const nemesis = options.nemesis === undefined ? "" : `\nnemesis: ${options.nemesis.describe()}`;
    const trace = formatTrace(sim.trace().slice(-lines));
    return `seed ${sim.seed}, at ${sim.nowMs} ms${nemesis}\nlast events:\n${trace}`;
  };
  const check: () => void =
    invariant === undefined
      ? () => {}
      : () => {
          let problem: string | undefined;
          try {
            problem = invariant();
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            throw new SimError("INVARIANT_VIOLATED", `invariant violated: ${message}\n${context()}`, { cause: error });
          }
          if (typeof problem === "string")
            throw new SimError("INVARIANT_VIOLATED", `invariant violated: ${problem}\n${context()}`);
        };
  return {
    check,
    begin(): void {
      options.nemesis?.start();
    },
    heal(): void {
      options.nemesis?.stop();
      sim.healAll();
      livenessStartMs = sim.nowMs;
    },
    finish(safety: RunResult, liveness: RunResult): PhasesResult {
      if (liveness.stop !== "until") {
        throw new SimError(
          "LIVENESS_TIMEOUT",
          `not converged ${options.livenessMs} ms after the faults healed (${liveness.stop === "idle" ? "no events left" : "deadline"})\n${context()}`,
        );
      }
      return { safety, liveness, convergedAfterMs: sim.nowMs - livenessStartMs };
    },
  };
}
