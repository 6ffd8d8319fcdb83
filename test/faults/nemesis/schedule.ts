/**
 * The fault tests' nemeses, as data drawn from a seed before the run: which
 * fault hits which nodes (or links) when, and for how long. The same seed
 * gives the same schedule, so a failing run is replayed from its seed alone
 * (real time itself is not replayable: when the operating system runs whom
 * is not ours to fix).
 *
 * Fourteen nemeses in five families:
 *
 * - partitions, real packet drops in the nodes' network namespaces
 *   (lab/netns.ts): one node isolated; a majority and a minority; one node
 *   whose packets to everyone are dropped while it still hears them
 *   (asymmetric: the chapter's 4.1, declared dead while it works); a bridge
 *   (two sides that only one node in the middle sees both of: Jepsen's);
 *   random links cut;
 * - packet faults on links: random loss (iptables' `statistic` match) and
 *   delay with jitter (a relay on the link: this kernel has no netem);
 * - process faults: `kill -9` then a restart on the same data; SIGSTOP then
 *   SIGCONT, longer than the failure detector needs to suspect the node
 *   (the chapter's GC pause and zombie leaseholder);
 * - clock faults through the nodes' admin endpoint: a bump of seconds to
 *   minutes either way; a strobe between two offsets; a drift;
 * - disk faults while a node is down: the tail of its write-ahead log cut
 *   (the writes a power cut loses under relaxed durability) and a stored
 *   record corrupted (caught by its checksum, repaired from a replica).
 *
 * Lanes. Faults of one nemesis never overlap; different nemeses do, so that
 * they combine. The process faults (kill, pause, both disk faults) share one
 * lane: a node is never killed while it is paused, and at most two nodes
 * (a minority of five) are down at once.
 */
import type { Random } from "@skew/env";
import type { Link } from "../lab/netns.js";

export const nemesisNames = [
  "partition-isolate",
  "partition-halves",
  "partition-asymmetric",
  "partition-bridge",
  "partition-links",
  "loss",
  "delay",
  "kill",
  "pause",
  "clock-bump",
  "clock-strobe",
  "clock-drift",
  "disk-unsynced",
  "disk-corrupt",
] as const;
export type NemesisName = (typeof nemesisNames)[number];

/** Nemeses that only mean something under relaxed durability: a synced write is on the disk. */
export const relaxedOnlyNemeses: readonly NemesisName[] = ["disk-unsynced"];

interface Timed {
  /** Ms from the workload's start. */
  readonly atMs: number;
  readonly durationMs: number;
}

export type { Link } from "../lab/netns.js";

export type LiveFault = Timed &
  (
    | { readonly kind: "partition-isolate"; readonly node: string }
    | { readonly kind: "partition-halves"; readonly minority: readonly string[]; readonly majority: readonly string[] }
    /** Packets from `node` to every other node dropped; `node` still hears them. */
    | { readonly kind: "partition-asymmetric"; readonly node: string }
    /** `left` and `right` cannot talk; `bridge` talks to both. */
    | {
        readonly kind: "partition-bridge";
        readonly bridge: string;
        readonly left: readonly string[];
        readonly right: readonly string[];
      }
    /** Each of these links cut both ways. */
    | { readonly kind: "partition-links"; readonly cut: readonly Link[] }
    | { readonly kind: "loss"; readonly links: readonly Link[]; readonly probability: number }
    | { readonly kind: "delay"; readonly links: readonly Link[]; readonly meanMs: number; readonly jitterMs: number }
    /** Killed with SIGKILL at `atMs`, restarted on the same data after `durationMs`. */
    | { readonly kind: "kill"; readonly nodes: readonly string[] }
    | { readonly kind: "pause"; readonly nodes: readonly string[] }
    /** The clock stepped by `deltaMs`, stepped back at the end. */
    | { readonly kind: "clock-bump"; readonly node: string; readonly deltaMs: number }
    /** The clock flips between its offset and the offset plus `deltaMs` every `periodMs`. */
    | { readonly kind: "clock-strobe"; readonly node: string; readonly deltaMs: number; readonly periodMs: number }
    /** The clock gains `driftPpm` (loses, when negative) until the end, when it is set right. */
    | { readonly kind: "clock-drift"; readonly node: string; readonly driftPpm: number }
    /** Killed, the last `tailMs` of its write-ahead log cut away, restarted after `durationMs`. */
    | { readonly kind: "disk-unsynced"; readonly node: string; readonly tailMs: number }
    /** Killed, a byte flipped in one stored record (drawn with `seed`), restarted after `durationMs`. */
    | { readonly kind: "disk-corrupt"; readonly node: string; readonly seed: number }
  );

/** How each nemesis is drawn: its durations, in ms, and how far apart its faults come on average. */
interface Shape {
  readonly durationMsMin: number;
  readonly durationMsMax: number;
}

/**
 * Durations. A partition or a packet fault lasts 1 to 4 s: longer than the failure detector needs to suspect a
 * node (phi 8 over 200 ms heartbeats: about a second), so hints and sloppy quorums happen. A pause lasts 2 to
 * 5 s for the same reason (the zombie must be declared dead while it sleeps). A killed node stays down 0.5 to
 * 3 s, plus its restart. Clock faults last 2 to 5 s: long enough for many writes to be stamped wrong.
 */
export const nemesisShapes: Readonly<Record<NemesisName, Shape>> = {
  "partition-isolate": { durationMsMin: 1_000, durationMsMax: 4_000 },
  "partition-halves": { durationMsMin: 1_000, durationMsMax: 4_000 },
  "partition-asymmetric": { durationMsMin: 1_000, durationMsMax: 4_000 },
  "partition-bridge": { durationMsMin: 1_000, durationMsMax: 4_000 },
  "partition-links": { durationMsMin: 1_000, durationMsMax: 4_000 },
  loss: { durationMsMin: 1_000, durationMsMax: 4_000 },
  delay: { durationMsMin: 1_000, durationMsMax: 4_000 },
  kill: { durationMsMin: 500, durationMsMax: 3_000 },
  pause: { durationMsMin: 2_000, durationMsMax: 5_000 },
  "clock-bump": { durationMsMin: 2_000, durationMsMax: 5_000 },
  "clock-strobe": { durationMsMin: 2_000, durationMsMax: 5_000 },
  "clock-drift": { durationMsMin: 2_000, durationMsMax: 5_000 },
  "disk-unsynced": { durationMsMin: 500, durationMsMax: 2_000 },
  "disk-corrupt": { durationMsMin: 500, durationMsMax: 2_000 },
};

/** Between two faults of one nemesis, on average (exponential draws): a fault every few seconds. */
export const nemesisGapMsMeanDefault = 3_000;
/** Clock bumps: 1 s to 2 min either way, log-uniform (most are seconds, some are minutes). */
export const clockBumpMsMin = 1_000;
export const clockBumpMsMax = 120_000;
/** Strobes: 100 ms to 10 s apart, flipping every 50 to 200 ms (each flip is one admin request). */
export const clockStrobeMsMin = 100;
export const clockStrobeMsMax = 10_000;
export const strobePeriodMsMin = 50;
export const strobePeriodMsMax = 200;
/**
 * Drifts of 1% to 10% either way (the admin endpoint's limit is 100,000 ppm): a bad oscillator shows in
 * seconds, not in days.
 */
export const clockDriftPpmMin = 10_000;
export const clockDriftPpmMax = 100_000;
/** Loss of 5% to 30% of the packets on a link: TCP retransmits, requests slow down and some time out. */
export const lossProbabilityMin = 0.05;
export const lossProbabilityMax = 0.3;
/** Delays of 10 to 300 ms with jitter up to half: past 125 ms a quorum round trip misses a 250 ms timeout. */
export const delayMsMin = 10;
export const delayMsMax = 300;
/**
 * How far ahead of real time the faults can have pushed a node's clock, ms: its HLC keeps that lead after
 * the clock is set right (an HLC never goes back), and its peers refuse its messages (past the max offset)
 * until real time catches up. So a replica cut off that way converges up to this much later.
 */
export function clockLeadMsMax(faults: readonly LiveFault[]): number {
  let lead = 0;
  for (const fault of faults) {
    if (fault.kind === "clock-bump" || fault.kind === "clock-strobe") lead = Math.max(lead, fault.deltaMs);
    if (fault.kind === "clock-drift") lead = Math.max(lead, (fault.driftPpm * fault.durationMs) / 1e6);
  }
  return lead;
}

/** The unsynced tail a power cut takes: the writes of the last 50 to 1000 ms. */
export const unsyncedTailMsMin = 50;
export const unsyncedTailMsMax = 1_000;

export interface NemesisPlanOptions {
  readonly nemeses: readonly NemesisName[];
  /** The node ids, at least three (a majority must exist). */
  readonly nodes: readonly string[];
  /** The window: faults begin at or after `fromMs` and have healed by `toMs`. */
  readonly fromMs: number;
  readonly toMs: number;
  readonly random: Random;
  /** Default `nemesisGapMsMeanDefault`. */
  readonly gapMsMean?: number;
  /** The largest clock bump, either way (default `clockBumpMsMax`; at least `clockBumpMsMin`). */
  readonly clockBumpMsMax?: number;
}

/** Process faults share a lane: one node is never killed while paused, nor two faults restart one node at once. */
export function laneOf(fault: LiveFault): string {
  switch (fault.kind) {
    case "kill":
    case "pause":
    case "disk-unsynced":
    case "disk-corrupt":
      return "process";
    default:
      return fault.kind;
  }
}

/**
 * Draws the schedule. Every nemesis named gets at least one fault when the window holds its shortest one
 * (so that a short run still exercises each), and then one after another, exponential gaps apart, each
 * healed before `toMs`. Faults that share a lane (`laneOf`) are kept apart: taken in order of start, a fault
 * that would begin before its lane's previous one ended waits for it, and is dropped when it no longer fits
 * (cut to the window, it would be shorter than its nemesis's shortest).
 */
export function planNemesis(options: NemesisPlanOptions): LiveFault[] {
  const { nemeses, nodes, fromMs, toMs, random } = options;
  const gapMsMean = options.gapMsMean ?? nemesisGapMsMeanDefault;
  for (const name of nemeses) {
    if (!(nemesisNames as readonly string[]).includes(name)) {
      throw new TypeError(`unknown nemesis ${JSON.stringify(name)}; one of ${nemesisNames.join(", ")}`);
    }
  }
  if (new Set(nodes).size !== nodes.length || nodes.length < 3) {
    throw new RangeError(`planNemesis: at least 3 distinct nodes are needed, got ${nodes.join(", ")}`);
  }
  if (!(Number.isFinite(fromMs) && Number.isFinite(toMs) && fromMs >= 0 && toMs >= fromMs)) {
    throw new RangeError(`planNemesis: need 0 <= fromMs <= toMs, got ${fromMs} and ${toMs}`);
  }
  if (!(gapMsMean > 0 && Number.isFinite(gapMsMean))) throw new RangeError("planNemesis: gapMsMean must be > 0");
  const bumpMsMax = options.clockBumpMsMax ?? clockBumpMsMax;
  if (!(Number.isFinite(bumpMsMax) && bumpMsMax >= clockBumpMsMin)) {
    throw new RangeError(`planNemesis: clockBumpMsMax must be at least ${clockBumpMsMin} ms, got ${bumpMsMax}`);
  }
  const drawn: LiveFault[] = [];
  // One independent stream per nemesis, in the order of `nemesisNames`: adding a nemesis to a run does not
  // change the faults the others draw for the same seed.
  for (const name of nemesisNames) {
    const stream = random.fork();
    if (!nemeses.includes(name)) continue;
    const { durationMsMin, durationMsMax } = nemesisShapes[name];
    const window = toMs - fromMs;
    if (window < durationMsMin) continue;
    // The first within the first gap (or the window's room for it), the next ones exponential gaps apart.
    let atMs = fromMs + stream.float() * Math.min(gapMsMean, window - durationMsMin);
    while (atMs + durationMsMin <= toMs) {
      const durationMs = Math.min(durationMsMin + stream.float() * (durationMsMax - durationMsMin), toMs - atMs);
      drawn.push(drawFault(name, atMs, durationMs, nodes, stream, bumpMsMax));
      atMs += durationMs + stream.exponential(gapMsMean);
    }
  }
  drawn.sort((a, b) => a.atMs - b.atMs || nemesisNames.indexOf(a.kind) - nemesisNames.indexOf(b.kind));
  const laneFreeMs = new Map<string, number>();
  const faults: LiveFault[] = [];
  for (const fault of drawn) {
    const lane = laneOf(fault);
    const atMs = Math.max(fault.atMs, laneFreeMs.get(lane) ?? fromMs);
    const durationMs = Math.min(fault.durationMs, toMs - atMs);
    if (durationMs < nemesisShapes[fault.kind].durationMsMin) continue;
    laneFreeMs.set(lane, atMs + durationMs);
    faults.push({ ...fault, atMs, durationMs });
  }
  faults.sort((a, b) => a.atMs - b.atMs || nemesisNames.indexOf(a.kind) - nemesisNames.indexOf(b.kind));
  return faults;
}

function drawFault(
  name: NemesisName,
  atMs: number,
  durationMs: number,
  nodes: readonly string[],
  random: Random,
  bumpMsMax: number,
) {
  const timed = { atMs, durationMs };
  const shuffled = random.shuffle([...nodes]);
  const minority = Math.floor((nodes.length - 1) / 2);
  const sign = () => (random.float() < 0.5 ? -1 : 1);
  const logUniform = (min: number, max: number) => min * (max / min) ** random.float();
  const pairs = nodes.flatMap((from, i) => nodes.slice(i + 1).map((to) => ({ from, to })));
  const directed = nodes.flatMap((from) => nodes.filter((to) => to !== from).map((to) => ({ from, to })));
  switch (name) {
    case "partition-isolate":
      return { ...timed, kind: name, node: shuffled[0] as string } satisfies LiveFault;
    case "partition-halves":
      return {
        ...timed,
        kind: name,
        minority: shuffled.slice(0, minority).sort(),
        majority: shuffled.slice(minority).sort(),
      } satisfies LiveFault;
    case "partition-asymmetric":
      return { ...timed, kind: name, node: shuffled[0] as string } satisfies LiveFault;
    case "partition-bridge": {
      const side = Math.floor((nodes.length - 1) / 2);
      return {
        ...timed,
        kind: name,
        bridge: shuffled[0] as string,
        left: shuffled.slice(1, 1 + side).sort(),
        right: shuffled.slice(1 + side).sort(),
      } satisfies LiveFault;
    }
    case "partition-links": {
      // Each link cut with probability 1/3, and at least one.
      const cut = pairs.filter(() => random.float() < 1 / 3);
      return { ...timed, kind: name, cut: cut.length > 0 ? cut : [random.pick(pairs)] } satisfies LiveFault;
    }
    case "loss": {
      const links = directed.filter(() => random.float() < 1 / 2);
      return {
        ...timed,
        kind: name,
        links: links.length > 0 ? links : [random.pick(directed)],
        probability: lossProbabilityMin + random.float() * (lossProbabilityMax - lossProbabilityMin),
      } satisfies LiveFault;
    }
    case "delay": {
      // Every link into and out of one or two nodes: a slow machine or a slow rack.
      const slow = new Set(shuffled.slice(0, random.int(1, 2)));
      const meanMs = logUniform(delayMsMin, delayMsMax);
      return {
        ...timed,
        kind: name,
        links: directed.filter(({ from, to }) => slow.has(from) || slow.has(to)),
        meanMs,
        jitterMs: (random.float() * meanMs) / 2,
      } satisfies LiveFault;
    }
    case "kill":
    case "pause":
      return { ...timed, kind: name, nodes: shuffled.slice(0, random.int(1, minority)).sort() } satisfies LiveFault;
    case "clock-bump":
      return {
        ...timed,
        kind: name,
        node: shuffled[0] as string,
        deltaMs: sign() * Math.round(logUniform(clockBumpMsMin, bumpMsMax)),
      } satisfies LiveFault;
    case "clock-strobe":
      return {
        ...timed,
        kind: name,
        node: shuffled[0] as string,
        deltaMs: sign() * Math.round(logUniform(clockStrobeMsMin, clockStrobeMsMax)),
        periodMs: Math.round(strobePeriodMsMin + random.float() * (strobePeriodMsMax - strobePeriodMsMin)),
      } satisfies LiveFault;
    case "clock-drift":
      return {
        ...timed,
        kind: name,
        node: shuffled[0] as string,
        driftPpm: sign() * Math.round(clockDriftPpmMin + random.float() * (clockDriftPpmMax - clockDriftPpmMin)),
      } satisfies LiveFault;
    case "disk-unsynced":
      return {
        ...timed,
        kind: name,
        node: shuffled[0] as string,
        tailMs: Math.round(unsyncedTailMsMin + random.float() * (unsyncedTailMsMax - unsyncedTailMsMin)),
      } satisfies LiveFault;
    case "disk-corrupt":
      return {
        ...timed,
        kind: name,
        node: shuffled[0] as string,
        seed: random.int(0, 2 ** 31 - 1),
      } satisfies LiveFault;
  }
}

/** "1.2s isolate n3 for 2.1s", for logs, the run's folder and failure messages. */
export function describeLiveFault(fault: LiveFault): string {
  const at = `${(fault.atMs / 1_000).toFixed(2)}s`;
  const lasting = `for ${(fault.durationMs / 1_000).toFixed(2)}s`;
  const links = (links: readonly Link[]) => links.map(({ from, to }) => `${from}->${to}`).join(" ");
  const signed = (ms: number) => `${ms >= 0 ? "+" : ""}${ms} ms`;
  switch (fault.kind) {
    case "partition-isolate":
      return `${at} isolate ${fault.node} ${lasting}`;
    case "partition-halves":
      return `${at} split ${fault.minority.join(",")} | ${fault.majority.join(",")} ${lasting}`;
    case "partition-asymmetric":
      return `${at} drop everything ${fault.node} sends (it still hears) ${lasting}`;
    case "partition-bridge":
      return `${at} bridge ${fault.left.join(",")} | ${fault.bridge} | ${fault.right.join(",")} ${lasting}`;
    case "partition-links":
      return `${at} cut ${fault.cut.map(({ from, to }) => `${from}-${to}`).join(" ")} ${lasting}`;
    case "loss":
      return `${at} lose ${(fault.probability * 100).toFixed(0)}% on ${links(fault.links)} ${lasting}`;
    case "delay":
      return `${at} delay ${fault.meanMs.toFixed(0)}±${fault.jitterMs.toFixed(0)} ms on ${links(fault.links)} ${lasting}`;
    case "kill":
      return `${at} kill -9 ${fault.nodes.join(",")}, restart ${lasting} later`;
    case "pause":
      return `${at} SIGSTOP ${fault.nodes.join(",")} ${lasting}`;
    case "clock-bump":
      return `${at} bump ${fault.node}'s clock ${signed(fault.deltaMs)} ${lasting}`;
    case "clock-strobe":
      return `${at} strobe ${fault.node}'s clock by ${signed(fault.deltaMs)} every ${fault.periodMs} ms ${lasting}`;
    case "clock-drift":
      return `${at} drift ${fault.node}'s clock ${fault.driftPpm >= 0 ? "+" : ""}${fault.driftPpm} ppm ${lasting}`;
    case "disk-unsynced":
      return `${at} kill ${fault.node}, cut the last ${fault.tailMs} ms of its log, restart ${lasting} later`;
    case "disk-corrupt":
      return `${at} kill ${fault.node}, corrupt a stored record (seed ${fault.seed}), restart ${lasting} later`;
  }
}
