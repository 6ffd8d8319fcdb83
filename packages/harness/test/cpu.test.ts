import { describe, expect, it } from "vitest";
import { processesCpuMs } from "../src/cpu.js";

describe.runIf(process.platform === "linux")("processesCpuMs (Linux: /proc)", () => {
  it("reads a process's CPU time, which grows as it works, and sums several", () => {
    const before = processesCpuMs([process.pid]) as number;
    expect(before).toBeGreaterThanOrEqual(0);
    // Busy for 100 ms of wall time: at least a few clock ticks of CPU.
    const until = Date.now() + 100;
    let spin = 0;
    while (Date.now() < until) spin++;
    expect(spin).toBeGreaterThan(0);
    const after = processesCpuMs([process.pid]) as number;
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
