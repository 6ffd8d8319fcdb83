/**
 * The two systems under comparison, behind one small interface: where to
 * send puts, what a put looks like, how to stop. Each is started in its
 * own folder of the run's temporary directory, on free loopback ports.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { etcdPutRequest, type LoadRequest, processesCpuMs, skewPutRequest } from "@skew/harness";
import type { ConflictMode } from "@skew/kv";
import { freePort, ProcessCluster } from "@skew/node";
import { replicas } from "./constants.js";
import { ThroughputError } from "./errors.js";
import { EtcdCluster, type EtcdClusterOptions, planEtcdCluster } from "./etcd.js";

export type SystemName = "skew" | "etcd";

export interface SystemUnderTest {
  readonly system: SystemName;
  /** The row name in the table ("skew, N=3 R=W=2 sync, causal"). */
  readonly label: string;
  /** Base URLs; the load generator goes round robin over them. */
  readonly targets: readonly string[];
  /** A put of a new key per request, the keys starting with `keyPrefix` (letters, digits, - and /). */
  putRequest(keyPrefix: string): LoadRequest;
  /** CPU time the system's processes have used so far, ms (`processesCpuMs`); undefined where it cannot be read. */
  cpuMs(): number | undefined;
  stop(): Promise<void>;
}

export interface SkewSetup {
  readonly dataDir: string;
  readonly bucket: ConflictMode;
}

/**
 * Three Skew node processes (N = 3, R = W = 2, the defaults; sync
 * durability, the default, set explicitly), every mode's bucket; puts go to
 * the bucket named after `bucket`.
 */
export async function startSkew(setup: SkewSetup): Promise<SystemUnderTest> {
  const ports = await freePorts(replicas);
  const cluster = new ProcessCluster({
    nodes: replicas,
    ports,
    dataDir: setup.dataDir,
    env: { SKEW_DURABILITY: "sync", SKEW_LOG_LEVEL: "warn" },
  });
  try {
    await cluster.start();
  } catch (cause) {
    await cluster.stop();
    throw new ThroughputError(
      "THROUGHPUT_SKEW_START_FAILED",
      `the Skew cluster did not start: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
  return {
    system: "skew",
    label: `skew, N=3 R=W=2 sync, ${setup.bucket}`,
    targets: cluster.nodes.map((node) => node.url),
    // Skew keys are path segments: the prefix's slashes become dashes.
    putRequest: (keyPrefix) => skewPutRequest(setup.bucket, keyPrefix.replaceAll("/", "-")),
    cpuMs: () => processesCpuMs(cluster.nodes.map((node) => node.child?.pid)),
    stop: () => cluster.stop(),
  };
}

export interface EtcdSetup {
  readonly dataDir: string;
  readonly binary: string;
  readonly version: string;
  /** For tests: fake processes and probes. */
  readonly cluster?: Pick<
    EtcdClusterOptions,
    "launch" | "probe" | "startTimeoutMs" | "stopGraceMs" | "probeIntervalMs"
  >;
}

/** Three etcd members on loopback, puts through the HTTP/JSON gateway of each (round robin, as clientv3 balances). */
export async function startEtcd(setup: EtcdSetup): Promise<SystemUnderTest> {
  const ports = await freePorts(replicas * 2);
  const members = planEtcdCluster({
    dataDir: setup.dataDir,
    clientPorts: ports.slice(0, replicas),
    peerPorts: ports.slice(replicas),
    token: `skew-bench-${randomBytes(6).toString("hex")}`,
  });
  const cluster = await EtcdCluster.start({ binary: setup.binary, members, ...setup.cluster });
  return {
    system: "etcd",
    label: `etcd ${setup.version}, 3 members`,
    targets: cluster.clientUrls,
    putRequest: (keyPrefix) => etcdPutRequest(keyPrefix),
    cpuMs: () => processesCpuMs(cluster.pids),
    stop: () => cluster.stop(),
  };
}

/** Distinct free loopback ports (freePort alone may hand the same port out twice in a row). */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

export const skewDataDir = (root: string): string => join(root, "skew");
export const etcdDataDir = (root: string): string => join(root, "etcd");
