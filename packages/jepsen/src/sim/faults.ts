/**
 * A nemesis schedule (faults/schedule.ts) played on the simulator: each
 * fault and its healing become scripted steps at virtual times.
 */
import type { Simulation } from "@skew/sim";
import type { Fault } from "../faults/schedule.js";

/** Schedules every fault of `faults`, with times counted from now. */
export function applyFaults<M>(sim: Simulation<M>, faults: readonly Fault[]): void {
  for (const fault of faults) {
    const { atMs, durationMs, node } = fault;
    switch (fault.kind) {
      case "partition":
        sim.after(atMs, () => sim.isolate(node));
        sim.after(atMs + durationMs, () => sim.heal());
        break;
      case "pause":
        sim.after(atMs, () => sim.node(node).pause(durationMs));
        break;
      case "clock-step":
        sim.after(atMs, () => sim.clock(node).step(fault.deltaMs));
        sim.after(atMs + durationMs, () => sim.clock(node).step(-fault.deltaMs));
        break;
    }
  }
}
