/**
 * What a workload needs from whoever runs the store, and nothing more: one
 * checker, two drivers. A workload sends requests through a
 * `WorkloadClient` and records what it asked and what it learnt in the
 * driver's `History`; the checkers judge that history (and a final read),
 * never the driver. Here the driver is the simulator (`KvCluster`, in
 * sim-cluster.ts); for real processes it is an HTTP client on real timers
 * with a `History` stamped by the real monotonic clock.
 *
 * Callbacks, not promises: the simulator runs synchronously, and a
 * promise-based driver wraps its promises in `done` at no cost.
 */
import type { ClientReply, ClientRequest } from "@skew/kv";
import type { History } from "@skew/sim";

/** No reply before the client's own timeout: the write may or may not have happened (Jepsen's `:info`). */
export interface NoReply {
  readonly ok: false;
  readonly code: "NO_REPLY";
  readonly definite: false;
}

/** What a client learns: the node's reply, or nothing in time. */
export type Outcome = ClientReply | NoReply;

/** One client process: it sends requests to replicas and waits, up to its own timeout. */
export interface WorkloadClient {
  /** Sends `request` to `node`; `done` is called exactly once, with the reply or `NO_REPLY` after `timeoutMs`. */
  call(node: string, request: ClientRequest, done: (outcome: Outcome) => void, timeoutMs?: number): void;
  /** Runs `action` after `delayMs` on this client's clock (think time). */
  after(delayMs: number, action: () => void): void;
}

export interface Driver {
  /** Where workloads record operations; its times are the driver's (true simulation time, or the runner's monotonic clock). */
  readonly history: History;
  /**
   * The client's current process. A driver that can crash a client returns a new object after the
   * restart, which is how a workload knows that an operation in flight died with the old one.
   */
  client(id: string): WorkloadClient;
}

/** A short label for a failure, for the history. */
export function codeOf(outcome: Outcome): string {
  return outcome.ok ? "ok" : outcome.code;
}
