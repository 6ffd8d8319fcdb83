/**
 * The CPU time processes have used, for CPU per request beside requests per
 * second: on a machine whose cores the measured processes and the load
 * generator share, what a request costs decides how many fit. Linux only
 * (it reads `/proc/<pid>/stat`: user + system time of every thread of the
 * process, in clock ticks of 1/100 s, USER_HZ on every architecture Node
 * runs on); elsewhere, or when a process is gone, there is no figure.
 */
import { readFileSync } from "node:fs";

const ticksPerSecond = 100;

/** User + system CPU time of these processes together, ms; undefined when any cannot be read. */
export function processesCpuMs(pids: readonly (number | undefined)[]): number | undefined {
  if (process.platform !== "linux" || pids.length === 0) return undefined;
  let ticks = 0;
  for (const pid of pids) {
    if (pid === undefined) return undefined;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      return undefined;
    }
    // The command name (field 2) is in parentheses and may hold spaces: count the fields after its ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const user = Number(fields[11]);
    const system = Number(fields[12]);
    if (!Number.isFinite(user) || !Number.isFinite(system)) return undefined;
    ticks += user + system;
  }
  return (ticks * 1000) / ticksPerSecond;
}
