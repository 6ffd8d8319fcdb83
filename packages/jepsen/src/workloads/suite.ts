/**
 * The four workloads of the lost-update comparison (issue 7), by name, so
 * that a driver starts one with a word and a verdict (verdict.ts) judges it
 * the same way whoever ran it:
 *
 * - `set`: Jepsen's set, adds by read-modify-write, one client per node
 *   (siblings merged by union in a causal bucket);
 * - `sequential`: writers taking turns, one per node, each turn a read and
 *   a write with its context, started after the previous turn ended;
 * - `counter`: increments by read-modify-write of a G-counter, one client
 *   per node;
 * - `blind`: one writer per node overwriting without reading, and a reader
 *   that watches the key through the middle node (thinking half as long as
 *   a writer, so that it reads between most writes).
 *
 * Client ids are the workload's (`clientsOf`): a driver must provide them.
 */
import { describeValue, type Random } from "@skew/env";
import type { QuorumOptions } from "@skew/kv";
import type { Driver } from "../driver.js";
import { CounterWorkload } from "./counter.js";
import { BlindWriters, RegisterReaders, SequentialWriters } from "./register.js";
import { SetWorkload } from "./set.js";
import type { ClientAt } from "./workload.js";

export const workloadKinds = ["set", "sequential", "counter", "blind"] as const;
export type WorkloadKind = (typeof workloadKinds)[number];

/**
 * Think times, in ms, drawn uniformly up to these: short enough that the set's and the counter's
 * read-modify-writes overlap (the races LWW loses), and that a sequential turn follows the last within a
 * few ms (the window a skewed clock loses it in); the blind writers a little slower, so that the reader
 * sees the key between writes.
 */
export const thinkMsMaxDefaults: Readonly<Record<WorkloadKind, number>> = {
  set: 10,
  sequential: 5,
  counter: 10,
  blind: 20,
};

export interface SuiteOptions {
  readonly driver: Driver;
  readonly kind: WorkloadKind;
  /** The coordinators, one client (or writer) each, in this order. */
  readonly nodes: readonly string[];
  readonly bucket: string;
  readonly key: string;
  readonly random: Random;
  /** Default: `thinkMsMaxDefaults[kind]`. */
  readonly thinkMsMax?: number;
  readonly quorum?: QuorumOptions;
  readonly clientTimeoutMs?: number;
}

/**
 * A started workload's handle: the same for every kind, the fenced workload's too (workloads/fenced.ts,
 * which is not one of `workloadKinds`), so that a driver can hold any of them.
 */
export interface RunningWorkload<Kind extends string = WorkloadKind | "fenced"> {
  readonly kind: Kind;
  stop(): void;
  /** No operation in flight (those of crashed client processes aside). */
  readonly idle: boolean;
}

/** The clients a workload of `kind` sends through, one per node (the blind one adds a reader). */
export function clientsOf(kind: WorkloadKind, nodes: readonly string[]): ClientAt[] {
  checkKind(kind);
  const prefix = kind === "sequential" || kind === "blind" ? "w" : "c";
  const clients = nodes.map((node, i) => ({ client: `${prefix}${i + 1}`, node }));
  if (kind === "blind") clients.push({ client: "r1", node: nodes[Math.floor(nodes.length / 2)] as string });
  return clients;
}

/** Creates and starts the workload `kind`. */
export function startWorkload(options: SuiteOptions): RunningWorkload<WorkloadKind> {
  const { kind, nodes } = options;
  checkKind(kind);
  if (nodes.length === 0) throw new RangeError("startWorkload: at least one node is needed");
  const common = {
    driver: options.driver,
    bucket: options.bucket,
    key: options.key,
    random: options.random,
    thinkMsMax: options.thinkMsMax ?? thinkMsMaxDefaults[kind],
    ...(options.quorum === undefined ? {} : { quorum: options.quorum }),
    ...(options.clientTimeoutMs === undefined ? {} : { clientTimeoutMs: options.clientTimeoutMs }),
  };
  const clients = clientsOf(kind, nodes);
  const parts =
    kind === "set"
      ? [new SetWorkload({ ...common, clients })]
      : kind === "counter"
        ? [new CounterWorkload({ ...common, clients })]
        : kind === "sequential"
          ? [new SequentialWriters({ ...common, writers: clients })]
          : [
              new BlindWriters({ ...common, writers: clients.filter(({ client }) => client.startsWith("w")) }),
              new RegisterReaders({
                ...common,
                thinkMsMax: common.thinkMsMax / 2,
                readers: clients.filter(({ client }) => client.startsWith("r")),
              }),
            ];
  for (const part of parts) part.start();
  return {
    kind,
    stop: () => {
      for (const part of parts) part.stop();
    },
    get idle() {
      return parts.every((part) => part.idle);
    },
  };
}

function checkKind(kind: WorkloadKind): void {
  if (!(workloadKinds as readonly string[]).includes(kind)) {
    throw new TypeError(`unknown workload ${describeValue(kind)}; one of ${workloadKinds.join(", ")}`);
  }
}
