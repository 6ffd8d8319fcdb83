/**
 * Fenced writes under a lease (src/workloads/fenced.ts, chapter 4.3) on a
 * simulated 3-replica cluster whose coordinators the nemesis pauses (100 to
 * 500 ms, against 100 ms leases): a writer's write sent just before its
 * lease ran out sits at a paused coordinator until a newer holder has
 * written, and lands as a zombie. The store must refuse it, and the fencing
 * checker must find nothing, in a causal bucket and in last-write-wins
 * ones; the same runs with the tokens stripped from the requests (a store
 * that ignores them) must be caught. And the lease service's laws, by
 * fast-check.
 */
import { Random } from "@skew/env";
import { type ClientRequest, type ConflictMode, conflictModes } from "@skew/kv";
import { runSeeds } from "@skew/sim";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applyFaults,
  type Driver,
  type FencedStats,
  type FencedVerdict,
  fencedClientsOf,
  judgeFenced,
  KvCluster,
  type Lease,
  LeaseService,
  planFaults,
  registerCodec,
  startFenced,
  type WorkloadClient,
  warmupMs,
} from "../../src/index.js";
import { handHistory } from "../checkers/support.js";
import { replayIn } from "../support/replay.js";

const nodes = ["n1", "n2", "n3"];
const runMs = 1_000;
const quorum = { timeoutMs: 250 };
const clientTimeoutMs = 500;
const drainMsMax = 10_000;
const settleMs = 500;

/** The cluster as a store that ignores fencing tokens: every request leaves without its `fence`. */
function withoutTokens(cluster: KvCluster): Driver {
  const clients = new Map<string, WorkloadClient>();
  return {
    history: cluster.history,
    client(id) {
      let client = clients.get(id);
      if (client === undefined) {
        const inner = cluster.client(id);
        client = {
          call(node, request, done, timeoutMs) {
            const { fence: _dropped, ...unfenced } = request as ClientRequest & { fence?: number };
            inner.call(node, unfenced as ClientRequest, done, timeoutMs);
          },
          after: (delayMs, action) => inner.after(delayMs, action),
        };
        clients.set(id, client); // the same object each time: a workload's `idle` compares them
      }
      return client;
    },
  };
}

interface FencedRun {
  readonly verdict: FencedVerdict;
  readonly stats: FencedStats;
  readonly tokens: number;
}

function runFenced(mode: ConflictMode, seed: number, tokens: "sent" | "stripped" = "sent"): FencedRun {
  const { writers, readers } = fencedClientsOf(nodes);
  const reader = "final-reader";
  const cluster = new KvCluster({
    seed,
    nodes,
    clients: [...writers, ...readers].map(({ client }) => client).concat(reader),
    buckets: { [mode]: mode },
  });
  const { sim } = cluster;
  sim.run({ forMs: warmupMs });
  const workload = startFenced({
    driver: tokens === "sent" ? cluster : withoutTokens(cluster),
    nowMs: () => sim.nowMs,
    nodes,
    bucket: mode,
    key: "fenced",
    random: sim.random.fork(),
    quorum,
    clientTimeoutMs,
  });
  applyFaults(sim, planFaults({ kind: "pause", nodes, fromMs: 100, toMs: runMs - 100, random: Random.seeded(seed) }));
  sim.run({ forMs: runMs });
  workload.stop();
  sim.healAll();
  sim.run({ forMs: drainMsMax, until: () => workload.idle });
  expect(workload.idle, "the writers drained").toBe(true);
  sim.run({ forMs: settleMs });
  const final = registerCodec.ids(cluster.finalRead(reader, "n2", mode, "fenced"));
  sim.history.closePending();
  return { verdict: judgeFenced(sim.history.ops, final), stats: workload.stats, tokens: workload.leases.lastToken };
}

function seeded(name: string, count: number, body: (seed: number) => void): void {
  it(name, async () => {
    await runSeeds({ count, first: 1, env: process.env, test: name, command: replayIn(import.meta.url, name) }, body);
  });
}

describe("fenced writers under coordinator pauses: zombies are fenced off", () => {
  for (const mode of ["causal", "lww-hlc"] as const) {
    seeded(`${mode}: no older token accepted or read after a newer one; the zombies really came`, 3, (seed) => {
      const { verdict, stats, tokens } = runFenced(mode, seed);
      expect(verdict.fencing.violations).toEqual([]);
      expect(verdict.ok).toBe(true);
      expect(verdict.finalRead).toBe(true);
      // Not vacuous: the lease changed hands, writes went through, and some write was still in flight
      // (held by a paused coordinator) when a newer lease had been granted.
      expect(tokens).toBeGreaterThan(3);
      expect(verdict.acknowledged).toBeGreaterThan(50);
      expect(stats.writesOutlivedLease).toBeGreaterThan(0);
      expect(verdict.fenced).toBe(stats.writesFenced);
      // A newer token replaces an older one even when they raced; nothing else may go missing.
      expect(verdict.lost).toEqual([]);
      if (mode !== "causal") expect(verdict.siblingsMax).toBeLessThanOrEqual(1);
    });
  }

  it("every mode: no violation, and across seeds the store refused zombie writes for their tokens (FENCED)", () => {
    let fenced = 0;
    for (const mode of conflictModes) {
      for (const seed of [1, 2, 3]) {
        const { verdict, stats } = runFenced(mode, seed);
        expect(verdict.fencing.violations, `${mode}, seed ${seed}`).toEqual([]);
        fenced += stats.writesFenced;
      }
    }
    expect(fenced).toBeGreaterThan(0);
  });

  seeded("causal without tokens: the zombies' writes surface as siblings, and the checker says so", 3, (seed) => {
    const { verdict, stats } = runFenced("causal", seed, "stripped");
    expect(stats.writesFenced).toBe(0);
    expect(verdict.ok).toBe(false);
    expect(verdict.fencing.staleRead.length).toBeGreaterThan(0);
  });
});

describe("judgeFenced", () => {
  it("a newer token's write that raced an older one replaces it (not lost); a holder's write the store dropped is", () => {
    const { history, at } = handHistory();
    at(0).invoke("f1", "write", { id: 1, fence: 1 });
    at(5).invoke("f2", "write", { id: 2, fence: 2 });
    at(10).ok("f1", { id: 1, fence: 1 });
    at(15).ok("f2", { id: 2, fence: 2 });
    at(20).invoke("f2", "write", { id: 3, fence: 2 });
    at(30).ok("f2", { id: 3, fence: 2 });
    at(40).invoke("f3", "write", { id: 4, fence: 1 }); // a zombie, refused
    at(50).fail("f3", { code: "FENCED" });
    const replaced = judgeFenced(history.ops, [3]);
    expect(replaced).toMatchObject({ ok: true, lost: [], fenced: 1, attempted: 4, acknowledged: 3, finalRead: true });
    // The final read as values, as a driver returns it, is judged the same.
    expect(judgeFenced(history.ops, registerCodec.ids([registerCodec.encode(3)]))).toEqual(replaced);
    expect(judgeFenced(history.ops, [registerCodec.encode(3)])).toEqual(replaced);
    // The store kept 2 over 3, both of token 2, the second written after the first was acknowledged: 3 is lost.
    expect(judgeFenced(history.ops, [2])).toMatchObject({ ok: true, lost: [3] });
    // The zombie's write read back after token 2's was acknowledged: a fencing violation.
    const zombie = judgeFenced(history.ops, [3, 4]);
    expect(zombie.ok).toBe(false);
    expect(zombie.violations).toEqual(zombie.fencing.violations);
    expect(zombie.fencing.staleRead).toEqual([4]);
    expect(judgeFenced(history.ops, undefined).finalRead).toBe(false);
  });
});

describe("LeaseService (the lock service's laws, by fast-check)", () => {
  const leaseMs = 100;
  const steps = fc.array(
    fc.record({ client: fc.constantFrom("a", "b", "c"), advanceMs: fc.integer({ min: 0, max: 2 * leaseMs }) }),
    { maxLength: 200 },
  );

  it("tokens grow by one from 1, a lease is never granted while another is unexpired, and a holder keeps its own", () => {
    fc.assert(
      fc.property(steps, (script) => {
        const service = new LeaseService(leaseMs);
        let nowMs = 0;
        let last: (Lease & { readonly grantedMs: number }) | undefined;
        for (const { client, advanceMs } of script) {
          nowMs += advanceMs;
          const held = last !== undefined && nowMs < last.expiresMs;
          const lease = service.acquire(client, nowMs);
          if (held && last?.client !== client) {
            expect(lease).toBeUndefined(); // another client's lease is unexpired
            continue;
          }
          expect(lease).toBeDefined();
          if (held) {
            expect(lease).toEqual({ client, token: last?.token, expiresMs: last?.expiresMs }); // its own, unchanged
            continue;
          }
          // A new grant: the next token, and it starts after the previous lease has expired.
          expect(lease?.token).toBe((last?.token ?? 0) + 1);
          if (last !== undefined) expect(nowMs).toBeGreaterThanOrEqual(last.expiresMs);
          expect(lease).toEqual({ client, token: lease?.token, expiresMs: nowMs + leaseMs });
          last = { ...(lease as Lease), grantedMs: nowMs };
        }
        expect(service.lastToken).toBe(last?.token ?? 0);
      }),
    );
  });

  it("at most one unexpired lease at any time: holder() agrees with every grant", () => {
    fc.assert(
      fc.property(steps, (script) => {
        const service = new LeaseService(leaseMs);
        const grants: Lease[] = [];
        let nowMs = 0;
        for (const { client, advanceMs } of script) {
          nowMs += advanceMs;
          const lease = service.acquire(client, nowMs);
          if (lease !== undefined && grants.at(-1)?.token !== lease.token) grants.push(lease);
          const unexpired = grants.filter((g) => nowMs < g.expiresMs);
          expect(unexpired.length).toBeLessThanOrEqual(1);
          expect(service.holder(nowMs)).toEqual(unexpired[0]);
        }
        for (let i = 1; i < grants.length; i++) {
          expect((grants[i] as Lease).token).toBeGreaterThan((grants[i - 1] as Lease).token);
        }
      }),
    );
  });

  it("refuses a clock that goes back, and a lease that is not a positive duration", () => {
    const service = new LeaseService(leaseMs);
    service.acquire("a", 50);
    expect(() => service.acquire("b", 49)).toThrow(RangeError);
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => new LeaseService(bad)).toThrow(RangeError);
    for (const bad of [{ toString: 0 }, Object.create(null), Symbol()] as never[]) {
      expect(() => new LeaseService(bad)).toThrow(/^LeaseService: leaseMs must be .*, got an? \w+$/);
      expect(() => service.acquire("a", bad)).toThrow(/^LeaseService: nowMs must be finite, got an? \w+$/);
    }
  });
});
