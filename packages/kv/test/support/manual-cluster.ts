/**
 * Three replicas in one `LocalCluster` on one manual clock: the wall, HLC,
 * Lamport and TrueTime clocks of each node read the same `ManualEnvironment`,
 * so time moves only when the caller advances it. For tests and for the
 * size benchmarks (bench/dvv-size.ts, bench/heap-per-key.ts).
 */
import { ManualEnvironment } from "@skew/env/manual";
import { HybridLogicalClock } from "@skew/hlc";
import { type ConflictMode, LocalCluster, type LocalClusterOptions, type NodeClocks } from "@skew/kv";
import { LamportClock } from "@skew/lamport";
import { TrueTimeClock } from "@skew/truetime";

export const replicaIds = ["n1", "n2", "n3"] as const;

/** Node `id`'s four clocks, reading `env`'s manual wall and monotonic clocks. */
export function manualClocks(id: string, env = new ManualEnvironment({ wallStartMs: 0 })): NodeClocks {
  return {
    wall: env.wall,
    hlc: new HybridLogicalClock({ wall: env.wall, node: id }),
    lamport: new LamportClock(id),
    truetime: new TrueTimeClock({ monotonic: env.monotonic, timers: env.timers }),
  };
}

export function manualCluster(
  buckets: Readonly<Record<string, ConflictMode>>,
  nodeOptions?: LocalClusterOptions["nodeOptions"],
): {
  readonly env: ManualEnvironment;
  readonly cluster: LocalCluster;
} {
  const env = new ManualEnvironment({ wallStartMs: 1_704_067_200_000 });
  const cluster = new LocalCluster({
    nodes: replicaIds,
    buckets,
    now: () => env.monotonic.now(),
    clocks: (id) => manualClocks(id, env),
    ...(nodeOptions === undefined ? {} : { nodeOptions }),
  });
  return { env, cluster };
}
