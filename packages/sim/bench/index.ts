/**
 * Throughput of the simulator (the goals of issue 3): network deliveries per
 * wall-clock second, and how much faster than real time a 5-node cluster
 * runs through 60 simulated seconds of faults. Beside each, its floor: a
 * bare binary heap doing one push and one pop per event, the least any
 * discrete-event simulator must do.
 *
 * These are whole-run throughputs (millions of events), not ns-scale
 * operations, so they are timed directly rather than through mitata; each
 * figure is the median of several runs in one process.
 *
 *   cd packages/sim && npm run build && npm run bench [-- --json] [-- --quick]
 */
import os from "node:os";
import { parseBenchArgs } from "@skew/harness";
import { Nemesis, type NodeContext, Simulation } from "@skew/sim";

const args = parseBenchArgs(process.argv.slice(2));
const repeats = args.quick ? 1 : 5;
const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? "unknown", node: process.version };

interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly goal: string | null;
  readonly goalMet: boolean | null;
}

function median(xs: number[]): number {
  const sorted = xs.slice().sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function timed(fn: () => number): { ms: number; count: number } {
  globalThis.gc?.();
  const start = performance.now();
  const count = fn();
  return { ms: performance.now() - start, count };
}

/** Five nodes pass tokens: each delivery sends the token on to a random peer. */
function deliveries(count: number, faulty = false): number {
  const ids = ["n1", "n2", "n3", "n4", "n5"];
  const sim = faulty
    ? new Simulation<number>({
        seed: 1,
        link: { delay: { kind: "pareto", minMs: 0.5, alpha: 2 }, lossProbability: 0.01, duplicateProbability: 0.01 },
      })
    : new Simulation<number>({ seed: 1, traceKeep: 0 });
  for (const id of ids) {
    sim.addNode(id, (ctx: NodeContext<number>) => {
      const peers = ctx.peers;
      const random = ctx.env.random;
      return {
        onStart: () => {
          for (let token = 0; token < 200; token++) ctx.send(peers[token % peers.length] as string, token);
        },
        onMessage: (_from, token) => ctx.send(peers[random.int(0, peers.length - 1)] as string, token),
      };
    });
  }
  sim.run({ until: () => sim.stats.delivered >= count });
  return sim.stats.delivered;
}

/** The floor: one push and one pop of a (time, seq) heap per event, with a drawn delay. */
function heapFloor(count: number): number {
  const times: number[] = [];
  const seqs: number[] = [];
  let size = 0;
  let seq = 0;
  let x = 123456789;
  const push = (time: number): void => {
    let i = size++;
    const s = seq++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent] as number;
      if (pt < time || (pt === time && (seqs[parent] as number) < s)) break;
      times[i] = pt;
      seqs[i] = seqs[parent] as number;
      i = parent;
    }
    times[i] = time;
    seqs[i] = s;
  };
  const pop = (): number => {
    const top = times[0] as number;
    const lastTime = times[--size] as number;
    const lastSeq = seqs[size] as number;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size) {
        const r = child + 1;
        if (
          (times[r] as number) < (times[child] as number) ||
          ((times[r] as number) === (times[child] as number) && (seqs[r] as number) < (seqs[child] as number))
        )
          child = r;
      }
      const ct = times[child] as number;
      if (lastTime < ct || (lastTime === ct && lastSeq < (seqs[child] as number))) break;
      times[i] = ct;
      seqs[i] = seqs[child] as number;
      i = child;
    }
    times[i] = lastTime;
    seqs[i] = lastSeq;
    return top;
  };
  for (let i = 0; i < 1000; i++) push(i);
  for (let n = 0; n < count; n++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    push(pop() + 500 + ((x >>> 0) % 1000));
  }
  return count;
}

/** Five nodes heartbeat every 10 ms to each peer for 60 simulated seconds under a swarm nemesis. */
let minutePlan = "";
function faultyMinute(): number {
  const ids = ["n1", "n2", "n3", "n4", "n5"];
  const sim = new Simulation<number>({ seed: 7, traceKeep: 0 });
  for (const id of ids) {
    sim.addNode(id, (ctx: NodeContext<number>) => {
      let beat = 0;
      const tick = (): void => {
        beat++;
        for (const peer of ctx.peers) ctx.send(peer, beat);
        ctx.env.timers.schedule(10, tick);
      };
      return { onStart: tick, onMessage: () => {} };
    });
  }
  const nemesis = Nemesis.swarm(sim, {
    faults: ["partition", "pause", "crash", "clock", "clog", "limp", "network"],
    subset: false,
  });
  minutePlan = nemesis.describe();
  nemesis.start();
  sim.run({ forMs: 60_000 });
  return sim.stats.events;
}

const figures: Figure[] = [];
const deliveryCount = args.quick ? 200_000 : 2_000_000;
deliveries(100_000); // warm the JIT
heapFloor(100_000);
const simRuns = Array.from({ length: repeats }, () => timed(() => deliveries(deliveryCount)));
const floorRuns = Array.from({ length: repeats }, () => timed(() => heapFloor(deliveryCount)));
const perSecond = (runs: { ms: number; count: number }[]) => median(runs.map((r) => (r.count / r.ms) * 1000));
const simRate = perSecond(simRuns);
figures.push({
  name: "network deliveries (5 nodes, 1000 tokens in flight)",
  value: Math.round(simRate),
  unit: "deliveries/s",
  goal: ">= 1,000,000",
  goalMet: simRate >= 1_000_000,
});
const faultyRuns = Array.from({ length: repeats }, () => timed(() => deliveries(deliveryCount, true)));
const faultyRate = perSecond(faultyRuns);
figures.push({
  name: "  same, lossy long-tailed links, last 1000 trace entries kept",
  value: Math.round(faultyRate),
  unit: "deliveries/s",
  goal: ">= 1,000,000",
  goalMet: faultyRate >= 1_000_000,
});
figures.push({
  name: "floor: bare heap push+pop per event",
  value: Math.round(perSecond(floorRuns)),
  unit: "events/s",
  goal: null,
  goalMet: null,
});

faultyMinute(); // warm
const minuteRuns = Array.from({ length: repeats }, () => timed(faultyMinute));
const minuteMs = median(minuteRuns.map((r) => r.ms));
figures.push({
  name: "5 nodes, 60 simulated s, swarm faults: wall time",
  value: Math.round(minuteMs),
  unit: "ms",
  goal: "< 1000",
  goalMet: minuteMs < 1000,
});
figures.push({
  name: "  simulated time / wall time",
  value: Math.round(60_000 / minuteMs),
  unit: "x",
  goal: null,
  goalMet: null,
});
figures.push({
  name: "  events dispatched in that run",
  value: minuteRuns[0]?.count ?? 0,
  unit: "events",
  goal: null,
  goalMet: null,
});

const selected = figures.filter((f) => args.filter === undefined || f.name.includes(args.filter));
if (args.json) {
  for (const f of selected)
    process.stdout.write(`${JSON.stringify({ package: "@skew/sim", ...f, name: f.name.trim(), machine })}\n`);
} else {
  const rows = selected.map((f) => [
    f.name,
    f.value.toLocaleString("en-US"),
    f.unit,
    f.goal ?? "",
    f.goalMet === null ? "" : f.goalMet ? "met" : "MISSED",
  ]);
  const header = ["measure", "value", "unit", "goal", ""];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 1 ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join("  ");
  process.stdout.write(
    `@skew/sim  (machine: ${machine.cpus} cores, ${machine.model}, node ${machine.node}; median of ${repeats})\n`,
  );
  process.stdout.write(`${line(header)}\n${rows.map(line).join("\n")}\n`);
  process.stdout.write(`faulty run's nemesis (seed 7): ${minutePlan}\n`);
}
