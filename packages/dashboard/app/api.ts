/**
 * The routes the pages read and write, all on the node that served the page
 * (same origin). Replies are checked with @skew/client's decoders, so the
 * pages work with the same types as the client does.
 */
import {
  type ClockChange,
  type ClusterClock,
  type ClusterNodesView,
  type ClusterView,
  contextHeader,
  decodeClock,
  decodeCluster,
  decodeClusterNodes,
  decodeKeyReplicas,
  decodeLostUpdateRun,
  decodePut,
  decodeRead,
  type GetResult,
  type KeyReplicasView,
  type LostUpdateRequest,
  type LostUpdateRun,
  type PutResult,
} from "@skew/client/api";
import { requestJson } from "./lib/http.js";

/** A demo run waits ~1 s for heartbeats, then makes up to 60 read-modify-write appends: give it time. */
export const demoTimeoutMs = 120_000;

const keyPath = (bucket: string, key: string): string =>
  `/buckets/${encodeURIComponent(bucket)}/keys/${encodeURIComponent(key)}`;

const adminHeaders = (token: string): Record<string, string> => ({
  authorization: `Bearer ${token}`,
  "content-type": "application/json",
});

export function getCluster(): Promise<ClusterView> {
  return requestJson("/cluster", decodeCluster);
}

export function getClusterNodes(): Promise<ClusterNodesView> {
  return requestJson("/cluster/nodes", decodeClusterNodes);
}

/** Changes `node`'s clock through the serving node, which forwards it there. */
export function setNodeClock(node: string, change: ClockChange, token: string): Promise<ClusterClock> {
  return requestJson(`/admin/nodes/${encodeURIComponent(node)}/clock`, decodeClock, {
    method: "POST",
    headers: adminHeaders(token),
    body: JSON.stringify(change),
  });
}

export function getKeyReplicas(bucket: string, key: string): Promise<KeyReplicasView> {
  return requestJson(
    `/debug/keys/${encodeURIComponent(bucket)}/${encodeURIComponent(key)}/replicas`,
    decodeKeyReplicas,
  );
}

export function readKey(bucket: string, key: string): Promise<GetResult> {
  return requestJson(keyPath(bucket, key), decodeRead);
}

/** Writes `text` with the context of a read: it supersedes every sibling that read returned. */
export function writeKey(bucket: string, key: string, text: string, context: string): Promise<PutResult> {
  return requestJson(keyPath(bucket, key), decodePut, {
    method: "PUT",
    headers: {
      "content-type": "text/plain; charset=utf-8",
      ...(context === "" ? {} : { [contextHeader]: context }),
    },
    body: text,
  });
}

export function runLostUpdate(request: LostUpdateRequest, token: string): Promise<LostUpdateRun> {
  return requestJson("/admin/demo/lost-update", decodeLostUpdateRun, {
    method: "POST",
    headers: adminHeaders(token),
    body: JSON.stringify(request),
    timeoutMs: demoTimeoutMs,
  });
}
