/**
 * Seeded tests for this package: `seededTest(name, count, body)` runs `body`
 * for `count` seeds and, on failure, reports the seed and the command that
 * replays it (`SEED=<n> npx vitest run -t "<name>"`, from packages/sim).
 */
import { type FaultKind, Nemesis, runPhases, runSeeds, Simulation } from "@skew/sim";
import { test } from "vitest";
import { newer, Register, type RegisterMessage, type RegisterState } from "./toy/register.js";

export function seededTest(name: string, count: number, body: (seed: number) => void | Promise<void>): void {
  test(name, async () => {
    await runSeeds({ count, env: process.env, test: name }, body);
  });
}

/** A three-node cluster of the toy register; `nodes` always holds each node's current process. */
export function registerCluster(seed: number, options: { syncs?: boolean } = {}) {
  const ids = ["n1", "n2", "n3"];
  const sim = new Simulation<RegisterMessage>({ seed });
  const nodes = new Map<string, Register>();
  for (const id of ids) {
    sim.addNode(id, (context) => {
      const node = new Register(context, options);
      nodes.set(id, node);
      return node;
    });
  }
  const at = (id: string): Register => {
    const node = nodes.get(id);
    if (node === undefined) throw new Error(`no process for ${id} yet`);
    return node;
  };
  return { sim, nodes, at };
}

/** What a `Probe` node saw: each message with the true time it was handled. */
export interface Received<M> {
  readonly from: string;
  readonly message: M;
  readonly atMs: number;
}

/**
 * A node that does nothing but record what it receives and let the test send
 * through it: the smallest thing to point a fault at.
 */
export function probeCluster<M = number>(seed: number, ids: readonly string[], options: { link?: object } = {}) {
  const sim = new Simulation<M>({ seed, ...(options.link === undefined ? {} : { link: options.link }) });
  const received = new Map<string, Received<M>[]>();
  const senders = new Map<string, (to: string, message: M) => void>();
  for (const id of ids) {
    received.set(id, []);
    sim.addNode(id, (context) => {
      senders.set(id, context.send);
      return {
        onMessage: (from, message) => {
          received.get(id)?.push({ from, message, atMs: sim.nowMs });
        },
      };
    });
  }
  sim.run({ forMs: 0 }); // start every process
  const send = (from: string, to: string, message: M): void => {
    const sendFrom = senders.get(from);
    if (sendFrom === undefined) throw new Error(`no process for ${from}`);
    sendFrom(to, message);
  };
  const inbox = (id: string): Received<M>[] => received.get(id) ?? [];
  return { sim, send, inbox };
}

/**
 * One swarm run of the toy register in VOPR's two phases. Safety: no
 * replica's state ever goes back to an older one (the register is synced
 * before it is gossiped, so not even a crash may undo it). Liveness: after
 * healing, every replica holds the newest write ever made. Clients write at
 * random up nodes and record Jepsen history.
 */
export function swarmRegister(seed: number, options: { syncs?: boolean; faults?: readonly FaultKind[] } = {}) {
  const cluster = registerCluster(seed, options.syncs === undefined ? {} : { syncs: options.syncs });
  const { sim, nodes } = cluster;
  const nemesis = Nemesis.swarm(sim, options.faults === undefined ? {} : { faults: options.faults });
  const seen = new Map<string, RegisterState>();
  let newest: RegisterState | undefined;
  let writes = 0;
  const writeSomewhere = (): void => {
    const ready = sim.nodeIds.filter((id) => sim.node(id).up && !sim.node(id).paused);
    if (ready.length > 0) {
      const id = sim.random.pick(ready);
      const process = `c${writes++}`;
      sim.history.invoke(process, "write", process);
      const state = nodes.get(id)?.write(process);
      if (state !== undefined && (newest === undefined || newer(state, newest))) newest = state;
      sim.history.ok(process);
    }
    if (sim.nowMs < 20_000) sim.after(sim.random.exponential(300), writeSomewhere);
  };
  sim.after(1, writeSomewhere);
  runPhases(sim, {
    safetyMs: 20_000,
    livenessMs: 10_000,
    nemesis,
    invariant: () => {
      for (const [id, node] of nodes) {
        const before = seen.get(id);
        if (before !== undefined && newer(before, node.state)) {
          return `${id} went back from ${JSON.stringify(before)} to ${JSON.stringify(node.state)}`;
        }
        seen.set(id, node.state);
      }
      return undefined;
    },
    converged: () =>
      newest !== undefined &&
      [...nodes.values()].every(
        (node) => node.state.stampMs === newest?.stampMs && node.state.writer === newest.writer,
      ),
  });
  return { sim, writes, ops: sim.history.ops.length };
}
