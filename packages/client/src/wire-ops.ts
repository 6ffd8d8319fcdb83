/**
 * The replies of the node's operations routes that the dashboard reads
 * (the node's routes/ops.ts, cluster-nodes.ts, replicas.ts, demo.ts),
 * checked and decoded as wire.ts does the key routes': the wrong shape is
 * `InvalidReply`, a status that is not the route's success is `undefined`.
 * Browser-safe: api.ts re-exports these.
 */

import { array, boolean, count, InvalidReply, nullable, number, object, optional, string } from "./decode.js";
import type {
  ApiError,
  CausalSiblingView,
  ClusterClock,
  ClusterNodesView,
  ClusterNodeView,
  DemoWrite,
  KeyDebugView,
  KeyPlacement,
  KeyReplicasView,
  KeyReplicaView,
  LostUpdateRun,
  RecordView,
} from "./shapes.js";
import { clusterClock, decodeCluster, historyReplica } from "./wire.js";

/** An error answer's `{ code, message }` (the rest of the body, if any, is not kept). */
export function decodeErrorBody(json: unknown): ApiError {
  const body = object(json, "the error reply");
  return { code: string(body.code, "code"), message: string(body.message, "message") };
}

function apiError(value: unknown, what: string): ApiError {
  const e = object(value, what);
  return { code: string(e.code, `${what}.code`), message: string(e.message, `${what}.message`) };
}

/** What `POST /admin/clock` and `POST /admin/nodes/:id/clock` answer: the target node's clocks after the change. */
export function decodeClock(status: number, json: unknown): ClusterClock | undefined {
  if (status !== 200) return undefined;
  return clusterClock(json, "the clock");
}

export function decodeClusterNodes(status: number, json: unknown): ClusterNodesView | undefined {
  if (status !== 200) return undefined;
  const body = object(json, "the reply");
  const nodes = array(body.nodes, "nodes").map((entry, i): ClusterNodeView => {
    const what = `nodes[${i}]`;
    const n = object(entry, what);
    const id = string(n.id, `${what}.id`);
    const url = string(n.url, `${what}.url`);
    const view = n.view === null ? null : decodeNested(() => decodeCluster(200, n.view), `${what}.view`);
    const error = nullable(n.error, apiError, `${what}.error`);
    if ((view === null) === (error === null)) throw new InvalidReply(`${what} must have a view or an error, not both`);
    return { id, url, view, error, tookMs: number(n.tookMs, `${what}.tookMs`) };
  });
  return { node: string(body.node, "node"), nodes };
}

/** A decoder of a whole reply, used for a part of another: its complaints name where the part is. */
function decodeNested<T>(decode: () => T | undefined, what: string): T {
  try {
    const value = decode();
    if (value === undefined) throw new InvalidReply("missing");
    return value;
  } catch (error) {
    if (error instanceof InvalidReply) throw new InvalidReply(`${what}: ${error.message}`);
    throw error;
  }
}

function valueFields(
  v: Record<string, unknown>,
  what: string,
): { tombstone: boolean; bytes: number; contentType?: string; text?: string } {
  return {
    tombstone: boolean(v.tombstone, `${what}.tombstone`),
    ...optional("contentType", v.contentType, string, `${what}.contentType`),
    bytes: count(v.bytes, `${what}.bytes`),
    ...optional("text", v.text, string, `${what}.text`),
  };
}

/** A replica's record as `/debug/keys` shows it; null when the replica holds none. */
export function decodeRecordView(value: unknown, what = "record"): RecordView | null {
  if (value === null) return null;
  const r = object(value, what);
  if (r.kind === "lww") {
    const stamp = object(r.stamp, `${what}.stamp`);
    return {
      kind: "lww",
      stamp: {
        time: number(stamp.time, `${what}.stamp.time`),
        node: string(stamp.node, `${what}.stamp.node`),
        fence: count(stamp.fence, `${what}.stamp.fence`),
      },
      ...valueFields(r, what),
    };
  }
  if (r.kind !== "causal") throw new InvalidReply(`${what}.kind is not "lww" or "causal"`);
  const vector = object(r.versionVector, `${what}.versionVector`);
  for (const [replica, counter] of Object.entries(vector)) count(counter, `${what}.versionVector.${replica}`);
  const siblings = array(r.siblings, `${what}.siblings`).map((entry, i): CausalSiblingView => {
    const at = `${what}.siblings[${i}]`;
    const s = object(entry, at);
    return {
      dot: string(s.dot, `${at}.dot`),
      at: number(s.at, `${at}.at`),
      fence: count(s.fence, `${at}.fence`),
      ...valueFields(s, at),
    };
  });
  return {
    kind: "causal",
    fence: count(r.fence, `${what}.fence`),
    versionVector: vector as Record<string, number>,
    siblings,
  };
}

function strings(value: unknown, what: string): string[] {
  return array(value, what).map((s, i) => string(s, `${what}[${i}]`));
}

/** The head both key views share (`KeyPlacement`). */
function keyPlacement(body: Record<string, unknown>): KeyPlacement {
  return {
    node: string(body.node, "node"),
    bucket: string(body.bucket, "bucket"),
    key: string(body.key, "key"),
    mode: string(body.mode, "mode"),
    preference: strings(body.preference, "preference"),
  };
}

export function decodeKeyDebug(status: number, json: unknown): KeyDebugView | undefined {
  if (status !== 200) return undefined;
  const body = object(json, "the reply");
  return {
    ...keyPlacement(body),
    local: decodeRecordView(body.local, "local"),
    replicas: array(body.replicas, "replicas").map((r, i) => historyReplica(r, `replicas[${i}]`)),
  };
}

export function decodeKeyReplicas(status: number, json: unknown): KeyReplicasView | undefined {
  if (status !== 200) return undefined;
  const body = object(json, "the reply");
  const replicas = array(body.replicas, "replicas").map((entry, i): KeyReplicaView => {
    const what = `replicas[${i}]`;
    const r = object(entry, what);
    const error = nullable(r.error, apiError, `${what}.error`);
    const record = decodeRecordView(r.record, `${what}.record`);
    if (error !== null && record !== null) throw new InvalidReply(`${what} has a record and an error`);
    return { node: string(r.node, `${what}.node`), url: string(r.url, `${what}.url`), record, error };
  });
  return { ...keyPlacement(body), replicas };
}

function demoWrite(value: unknown, what: string): DemoWrite {
  const w = object(value, what);
  return {
    index: count(w.index, `${what}.index`),
    item: string(w.item, `${what}.item`),
    via: string(w.via, `${what}.via`),
    startedAtMs: number(w.startedAtMs, `${what}.startedAtMs`),
    ackedAtMs: number(w.ackedAtMs, `${what}.ackedAtMs`),
    stamp: nullable(w.stamp, number, `${what}.stamp`),
    context: string(w.context, `${what}.context`),
    kept: boolean(w.kept, `${what}.kept`),
    beatenBy: nullable(w.beatenBy, count, `${what}.beatenBy`),
    reason: nullable(w.reason, string, `${what}.reason`),
    error: nullable(w.error, apiError, `${what}.error`),
  };
}

export function decodeLostUpdateRun(status: number, json: unknown): LostUpdateRun | undefined {
  if (status !== 200) return undefined;
  const body = object(json, "the reply");
  const offsets = object(body.offsets, "offsets");
  for (const [member, offset] of Object.entries(offsets)) nullable(offset, number, `offsets.${member}`);
  return {
    bucket: string(body.bucket, "bucket"),
    mode: string(body.mode, "mode"),
    key: string(body.key, "key"),
    skewed: string(body.skewed, "skewed"),
    skewMs: number(body.skewMs, "skewMs"),
    offsets: offsets as Record<string, number | null>,
    writes: array(body.writes, "writes").map((w, i) => demoWrite(w, `writes[${i}]`)),
    acknowledged: count(body.acknowledged, "acknowledged"),
    kept: count(body.kept, "kept"),
    lost: count(body.lost, "lost"),
    ...optional("finalReadR", body.finalReadR, count, "finalReadR"),
    tookMs: number(body.tookMs, "tookMs"),
  };
}
