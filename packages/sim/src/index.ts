/**
 * @skew/sim: a deterministic simulator of unreliable networks, clocks and
 * processes, on which every distributed test of Skew runs (FoundationDB's
 * simulation and TigerBeetle's VOPR are the models; Jepsen gives the fault
 * and history vocabulary). Nodes run the real code under test with an
 * `@skew/env` Environment; one seed replays a run exactly.
 */
export { ClockControl } from "./clock-control.js";
export * as limits from "./constants.js";
export { SimError, type SimErrorCode } from "./errors.js";
export { History, type Op, type OpType } from "./history.js";
export type { RunStop, SimStats } from "./kernel.js";
export { LinkControl } from "./link-control.js";
export { type FaultKind, faultKindsDefault, Nemesis, type NemesisOptions, type NemesisPlan } from "./nemesis.js";
export type { DelayModel } from "./network/delay.js";
export { type LinkModel, linkModelDefault } from "./network/link.js";
export type { NodeContext, NodeFactory, SimNode } from "./node.js";
export { type CrashOptions, NodeControl, type PauseOptions } from "./node-control.js";
export { type FaultInjector, type PhasesOptions, type PhasesResult, runPhases, runPhasesAsync } from "./phases.js";
export { type RunSeedsOptions, replayCommand, runSeeds, seedsToRun } from "./seeds.js";
export {
  type AddNodeOptions,
  type RunAsyncOptions,
  type RunOptions,
  type RunResult,
  Simulation,
  type SimulationOptions,
} from "./simulation.js";
export { SimStore, type Store, type UnsyncedLoss } from "./storage.js";
export { formatTrace, type TraceEntry, type TraceKind } from "./trace.js";
