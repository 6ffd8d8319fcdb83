import { describe, expect, it } from "vitest";
import { processesCpuMs } from "../src/cpu.js";

describe.runIf(process.platform === "linux")("processesCpuMs (Linux: /proc)", () => {
  it("reads a process's CPU time, which grows as it works, and sums several", () => {
    const before = processesCpuMs([process.pid]) as number;
    expect(before).toBeGreaterThanOrEqual(0);
    // Work until the figure moves (it counts clock ticks of CPU, 10 ms each). Wall time is no measure of that: on a
    // loaded machine 100 ms of spinning once got no tick at all. The deadline only bounds a figure that never moves.
    const deadline = Date.now() + 10_000;
    let after = before;
    while (after === before && Date.now() < deadline) {
      const until = Date.now() + 5;
      while (Date.now() < until);
      after = processesCpuMs([process.pid]) as number;
    }
    expect(after).toBeGreaterThan(before);
    expect(processesCpuMs([process.pid, process.pid])).toBeGreaterThanOrEqual(2 * after);
  });

  it("gives no figure for no process, a process without an id, or one that does not exist", () => {
    expect(processesCpuMs([])).toBeUndefined();
    expect(processesCpuMs([process.pid, undefined])).toBeUndefined();
    // Above Linux's pid_max (2^22): no such process.
    expect(processesCpuMs([2 ** 23])).toBeUndefined();
  });
});
