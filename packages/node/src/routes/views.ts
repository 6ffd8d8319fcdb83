/**
 * What the operations routes show of this node, built from its parts: the
 * `/cluster` view (members, clocks, hints, repairs), a replica's record of
 * a key as `/debug/keys` shows it, and a key's preference list. Several
 * routes answer them (ops.ts, and the fan-outs that answer this node's own
 * entry without a request to itself), so they are built in one place. The
 * shapes are `@skew/client/api`'s.
 */
import type { ClusterRepairs, ClusterView, RecordView } from "@skew/client/api";
import { recordTextBytesMax } from "@skew/client/api";
import { hasLoneSurrogate, utf8Length } from "@skew/env";
import { hashKey, type KvRecord, keyBytesMax, replicasDefault } from "@skew/kv";
import { HttpError } from "../http/errors.js";
import { unframeValue } from "../http/values.js";
import type { NodeRuntime } from "../runtime.js";
import { clockView } from "./admin.js";

/**
 * Repairs, from what the core reports. Running: the anti-entropy exchange this node started and has in flight
 * (the core runs one at a time, so 0 or 1). Read repairs are sent and never waited for, so none is ever running.
 * Completed: read repairs sent after reads, plus exchanges that found differing keys and repaired them.
 */
export function repairsView(runtime: NodeRuntime): ClusterRepairs {
  const node = runtime.driver.node;
  const { antiEntropy, exchanging } = node.repairView();
  return {
    running: exchanging ? 1 : 0,
    completed: node.stats.readRepairsSent + antiEntropy.exchangesRepaired,
    recovering: node.partitionsRecovering,
  };
}

/** `GET /cluster`: this node's members as its failure detector sees them, its clocks, hints and repairs. */
export function clusterView(runtime: NodeRuntime): ClusterView {
  const now = runtime.monotonic.now();
  const views = new Map(runtime.driver.node.membership(now).map((v) => [v.peer, v]));
  return {
    node: runtime.config.id,
    cluster: runtime.config.cluster,
    buckets: runtime.config.buckets,
    clock: clockView(runtime),
    members: runtime.config.peers.map(({ id, url }) => {
      if (id === runtime.config.id) return { id, url, self: true };
      const view = views.get(id);
      return {
        id,
        url,
        self: false,
        phi: view === undefined || !Number.isFinite(view.phi) ? null : view.phi,
        suspected: view?.suspected ?? false,
        lastHeartbeatAgoMs: view?.lastHeartbeatMs === undefined ? null : Math.round(now - view.lastHeartbeatMs),
        clockOffsetMs: view?.clockOffsetMs ?? null,
      };
    }),
    hints: [...runtime.driver.node.hints()].length,
    repairs: repairsView(runtime),
    storage: runtime.store.stats as unknown as Record<string, unknown>,
    transport: runtime.transport.stats as unknown as Record<string, unknown>,
  };
}

/**
 * What the store would check of a bucket and key before it looks them up,
 * for the routes that look without a request through the store: a bucket of
 * this cluster, a key with a UTF-8 form within the store's limit.
 */
export function checkKey(runtime: NodeRuntime, bucket: string, key: string): void {
  if (runtime.closing) throw HttpError.of("SHUTTING_DOWN");
  if (!Object.hasOwn(runtime.config.buckets, bucket)) throw HttpError.of("BUCKET_NOT_FOUND", JSON.stringify(bucket));
  if (hasLoneSurrogate(key)) {
    throw new HttpError(400, {
      code: "INVALID_REQUEST",
      message: "the key holds a lone surrogate, which UTF-8 cannot carry",
      definite: true,
    });
  }
  if (utf8Length(key) > keyBytesMax) {
    throw new HttpError(413, {
      code: "KEY_TOO_LARGE",
      message: `the key is longer than ${keyBytesMax} UTF-8 bytes`,
      definite: true,
    });
  }
}

/** The key's preference list with the default N (every bucket uses it: the node sets no N of its own). */
export function preferenceOf(runtime: NodeRuntime, bucket: string, key: string): string[] {
  const ring = runtime.driver.node.ring;
  return [...ring.preferenceList(hashKey(bucket, key), Math.min(replicasDefault, ring.nodes.length))];
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** A value's bytes as text, when they are valid UTF-8 and short enough to show; else nothing. */
function textOf(bytes: Uint8Array): { text?: string } {
  if (bytes.length > recordTextBytesMax) return {};
  try {
    return { text: strictUtf8.decode(bytes) };
  } catch {
    return {};
  }
}

function valueView(stored: Uint8Array | null): {
  tombstone: boolean;
  contentType?: string;
  bytes: number;
  text?: string;
} {
  if (stored === null) return { tombstone: true, bytes: 0 };
  const value = unframeValue(stored);
  return { tombstone: false, contentType: value.contentType, bytes: value.bytes.length, ...textOf(value.bytes) };
}

/** A replica's record of a key: its stamp, or its dots, version vector and siblings; with each value's text. */
export function describeRecord(record: KvRecord | undefined): RecordView | null {
  if (record === undefined) return null;
  if (record.kind === "lww") {
    const { time, node, fence } = record.stamp;
    return { kind: "lww", stamp: { time, node, fence }, ...valueView(record.value) };
  }
  return {
    kind: "causal",
    fence: record.fence,
    versionVector: Object.fromEntries(record.set.join().entries()),
    siblings: record.set.siblings().map((s) => ({
      dot: `${s.replica}:${s.counter}`,
      at: s.value.at,
      fence: s.value.fence,
      ...valueView(s.value.value),
    })),
  };
}
