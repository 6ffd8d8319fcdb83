/**
 * `/metrics`, in Prometheus' text format (prom-client), one registry per
 * node (not prom-client's global one, so several nodes can share a process
 * in tests). Counters the core and the stores keep already are read at
 * scrape time (`collect`), not mirrored on every event.
 */
import type { KvNode } from "@skew/kv";
import type { TrueTimeClock } from "@skew/truetime";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { AdjustableWallClock } from "./clocks.js";
import type { LevelStore } from "./storage/index.js";
import type { HttpPeerTransport } from "./transport.js";

export interface NodeMetrics {
  readonly registry: Registry;
  readonly httpDuration: Histogram<"method" | "route" | "status">;
  readonly operations: Counter<"kind" | "bucket" | "outcome">;
  readonly quorumFailures: Counter<"kind" | "code" | "definite">;
  readonly siblings: Histogram<"bucket">;
  readonly flushes: Histogram;
}

const latencyBucketsS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];

export function createMetrics(sources: {
  readonly node: () => KvNode;
  readonly wall: AdjustableWallClock;
  readonly truetime: TrueTimeClock;
  readonly store: LevelStore;
  readonly transport: HttpPeerTransport;
  readonly nowMs: () => number;
}): NodeMetrics {
  const registry = new Registry();
  const httpDuration = new Histogram({
    name: "skew_http_request_duration_seconds",
    help: "HTTP requests by route and status, and how long they took",
    labelNames: ["method", "route", "status"] as const,
    buckets: latencyBucketsS,
    registers: [registry],
  });
  const operations = new Counter({
    name: "skew_operations_total",
    help: "Client operations coordinated by this node, by outcome (ok or the failure code)",
    labelNames: ["kind", "bucket", "outcome"] as const,
    registers: [registry],
  });
  const quorumFailures = new Counter({
    name: "skew_quorum_failures_total",
    help: "Operations that could not meet their quorum (TIMEOUT, UNAVAILABLE), by definiteness",
    labelNames: ["kind", "code", "definite"] as const,
    registers: [registry],
  });
  const siblings = new Histogram({
    name: "skew_siblings",
    help: "Siblings a read returned or a write left",
    labelNames: ["bucket"] as const,
    buckets: [1, 2, 3, 5, 10, 25, 50, 100],
    registers: [registry],
  });
  const flushes = new Histogram({
    name: "skew_storage_group_write_seconds",
    help: "Group writes to level (one fsync each under sync durability) and how long they took",
    buckets: latencyBucketsS,
    registers: [registry],
  });
  const gauge = (name: string, help: string, read: () => number, labelNames: string[] = []): void => {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  };
  gauge("skew_hints_stored", "Hinted writes this node holds for suspected primaries", () => {
    let count = 0;
    for (const _ of sources.node().hints()) count++;
    return count;
  });
  gauge("skew_requests_in_flight", "Requests this node coordinates", () => sources.node().requestsInFlight);
  gauge(
    "skew_partitions_recovering",
    "Partitions whose reads this node does not yet answer as a primary: after a start that may have lost acknowledged writes, until taken back from the other primaries",
    () => sources.node().partitionsRecovering,
  );
  gauge(
    "skew_read_repairs_sent",
    "Read repairs sent (a counter kept by the core)",
    () => sources.node().stats.readRepairsSent,
  );
  gauge(
    "skew_messages_refused_clock_offset",
    "Peer messages refused because their sender's HLC was ahead of this node's clock by more than the max offset",
    () => sources.node().stats.messagesRefusedClockOffset,
  );
  gauge(
    "skew_records_corrupt_restored",
    "Stored records that failed their checksum when the node started (dropped, then repaired from replicas)",
    () => sources.node().stats.recordsCorruptRestored,
  );
  gauge(
    "skew_records_corrupt_received",
    "Records from peers that failed their checksum (refused)",
    () => sources.node().stats.recordsCorruptReceived,
  );
  gauge(
    "skew_handoffs_delivered",
    "Hints handed off and acknowledged (a counter kept by the core)",
    () => sources.node().stats.hintsDelivered,
  );
  gauge(
    "skew_clock_offset_admin_ms",
    "The offset the admin endpoint gave this node's wall clock, drift included",
    () => {
      const s = sources.wall.settings;
      return s.offsetMs + s.accruedDriftMs;
    },
  );
  gauge("skew_truetime_uncertainty_ms", "Half the width of this node's TrueTime interval (epsilon)", () => {
    const now = sources.truetime.tryNow();
    return now.ok ? (now.value.latest - now.value.earliest) / 2 : Number.NaN;
  });
  new Gauge({
    name: "skew_peer_clock_offset_ms",
    help: "Each peer's wall clock minus this node's, measured from its latest heartbeat",
    labelNames: ["peer"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const view of sources.node().membership(sources.nowMs())) {
        if (view.clockOffsetMs !== undefined) this.set({ peer: view.peer }, view.clockOffsetMs);
      }
    },
  });
  new Gauge({
    name: "skew_peer_phi",
    help: "The phi accrual suspicion level of each peer",
    labelNames: ["peer"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const view of sources.node().membership(sources.nowMs())) {
        this.set({ peer: view.peer }, Number.isFinite(view.phi) ? view.phi : 1e9);
      }
    },
  });
  gauge(
    "skew_peer_messages_dropped",
    "Peer messages dropped by the transport (peer down, queue full)",
    () => sources.transport.stats.messagesDropped,
  );
  gauge(
    "skew_peer_frames_sent",
    "Frames written to peers' streams (each carries one or more messages)",
    () => sources.transport.stats.framesSent,
  );
  gauge("skew_peer_messages_sent", "Messages written to peers' streams", () => sources.transport.stats.messagesSent);
  gauge(
    "skew_storage_batches_coalesced",
    "Write batches that shared a group write with an earlier one",
    () => sources.store.stats.batchesCoalesced,
  );
  gauge("skew_storage_batches", "Write batches the core handed to the store", () => sources.store.stats.batches);
  gauge(
    "skew_storage_operations",
    "Puts and deletes written to the store, in every group write",
    () => sources.store.stats.ops,
  );
  return { registry, httpDuration, operations, quorumFailures, siblings, flushes };
}
