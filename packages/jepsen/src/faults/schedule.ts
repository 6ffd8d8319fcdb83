/**
 * Nemesis schedules as data: which fault hits which node when, and for how
 * long, drawn from a seed before the run starts. Data, so that the same
 * schedule drives the simulator (sim/faults.ts) and real processes
 * (iptables, SIGSTOP, the admin endpoint's clock offset), is printed with a
 * failure, and is replayed from the seed alone.
 *
 * Faults of one kind never overlap (the next starts after the previous has
 * healed) and all have healed by the end of the window, so that the run's
 * tail and its final read see a healthy cluster.
 */
import { checkNumber, describeValue, type Random } from "@skew/env";

export const faultKinds = ["none", "partition", "pause", "clock-step"] as const;
export type FaultKind = (typeof faultKinds)[number];

export type Fault =
  /** One node cut off from every other, both ways, then healed. */
  | { readonly kind: "partition"; readonly atMs: number; readonly durationMs: number; readonly node: string }
  /** A stop-the-world pause (a GC, a VM stall): nothing handled, messages queue, the clocks keep running. */
  | { readonly kind: "pause"; readonly atMs: number; readonly durationMs: number; readonly node: string }
  /** The wall clock stepped by `deltaMs` (backward when negative), and stepped back when NTP corrects it. */
  | {
      readonly kind: "clock-step";
      readonly atMs: number;
      readonly durationMs: number;
      readonly node: string;
      readonly deltaMs: number;
    };

export interface FaultPlanOptions {
  readonly kind: FaultKind;
  readonly nodes: readonly string[];
  /** The window, in ms from the start of the run: faults begin at or after `fromMs` and have healed by `toMs`. */
  readonly fromMs: number;
  readonly toMs: number;
  readonly random: Random;
  /** Mean gap before each fault, drawn exponentially (default `faultGapMsMeanDefault`). */
  readonly gapMsMean?: number;
  /** Each fault lasts a uniform draw in [min, max] (defaults `faultDurationMsMinDefault`, `...MaxDefault`). */
  readonly durationMsMin?: number;
  readonly durationMsMax?: number;
  /** A clock step is a uniform draw in [-stepMsMax, +stepMsMax] (default `clockStepMsMaxDefault`). */
  readonly stepMsMax?: number;
}

/** Faults come every 200 ms on average: several per second of run, so that most writes meet one. */
export const faultGapMsMeanDefault = 200;
/**
 * A fault lasts 100 to 500 ms: longer than a request's quorum timeout in the comparison (250 ms), so that
 * writes fail and time out, and short enough that a one-second window sees more than one.
 */
export const faultDurationMsMinDefault = 100;
export const faultDurationMsMaxDefault = 500;
/**
 * Steps of up to 200 ms either way: NTP steps a clock that is more than 128 ms off (ntpd's step threshold),
 * and 200 ms stays below the HLC's 500 ms max offset, so that a step alone does not cut a node off.
 */
export const clockStepMsMaxDefault = 200;

/** Draws a schedule; `kind` "none" gives an empty one. */
export function planFaults(options: FaultPlanOptions): Fault[] {
  const { kind, nodes, fromMs, toMs, random } = options;
  const gapMsMean = options.gapMsMean ?? faultGapMsMeanDefault;
  const durationMsMin = options.durationMsMin ?? faultDurationMsMinDefault;
  const durationMsMax = options.durationMsMax ?? faultDurationMsMaxDefault;
  const stepMsMax = options.stepMsMax ?? clockStepMsMaxDefault;
  if (!(faultKinds as readonly string[]).includes(kind)) {
    throw new TypeError(`planFaults: kind must be one of ${faultKinds.join(", ")}, got ${describeValue(kind)}`);
  }
  if (nodes.length === 0) throw new RangeError("planFaults: at least one node is needed");
  const times = { fromMs, toMs, gapMsMean, durationMsMin, durationMsMax, stepMsMax };
  for (const [name, value] of Object.entries(times)) checkNumber(`planFaults: ${name}`, value);
  if (!(fromMs >= 0 && toMs >= fromMs && Number.isFinite(toMs))) {
    throw new RangeError(`planFaults: need 0 <= fromMs <= toMs, got ${fromMs} and ${toMs}`);
  }
  if (!(gapMsMean > 0 && durationMsMin > 0 && durationMsMax >= durationMsMin && stepMsMax >= 0)) {
    throw new RangeError(
      "planFaults: gapMsMean and durationMsMin must be > 0, durationMsMax >= durationMsMin, stepMsMax >= 0",
    );
  }
  const faults: Fault[] = [];
  if (kind === "none") return faults;
  for (let atMs = fromMs + random.exponential(gapMsMean); atMs < toMs; ) {
    const durationMs = Math.min(durationMsMin + random.float() * (durationMsMax - durationMsMin), toMs - atMs);
    const node = random.pick(nodes);
    if (kind === "clock-step") {
      faults.push({ kind, atMs, durationMs, node, deltaMs: (random.float() * 2 - 1) * stepMsMax });
    } else {
      faults.push({ kind, atMs, durationMs, node });
    }
    atMs += durationMs + random.exponential(gapMsMean);
  }
  return faults;
}

/** "412.0ms pause n2 for 230.5ms", for logs and failure messages. */
export function describeFault(fault: Fault): string {
  const at = `${fault.atMs.toFixed(1)}ms`;
  const lasting = `for ${fault.durationMs.toFixed(1)}ms`;
  switch (fault.kind) {
    case "partition":
      return `${at} isolate ${fault.node} ${lasting}`;
    case "pause":
      return `${at} pause ${fault.node} ${lasting}`;
    case "clock-step":
      return `${at} step ${fault.node}'s clock ${fault.deltaMs >= 0 ? "+" : ""}${fault.deltaMs.toFixed(1)}ms ${lasting}`;
  }
}
