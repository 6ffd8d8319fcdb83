/**
 * The node's replies, checked and decoded (the node's routes/keys.ts and
 * http/errors.ts define them). Nothing a node sends is trusted by type: a
 * reply of the wrong shape is `INVALID_RESPONSE`, never a value with holes.
 * Each decoder returns `undefined` for a status that is not its success, and
 * the error body is decoded instead. Browser-safe (api.ts re-exports these):
 * it imports nothing at run time but decode.ts.
 */

import { array, boolean, bytes, count, InvalidReply, nullable, number, object, oneOf, string } from "./decode.js";
import type { FailureDetails } from "./errors.js";
import type {
  ClusterClock,
  ClusterMember,
  ClusterRepairs,
  ClusterView,
  DeleteResult,
  GetResult,
  HealthResult,
  HistoryReplica,
  HistoryResult,
  HistoryVersion,
  PutResult,
  Sibling,
  SnapshotResult,
} from "./shapes.js";

export { InvalidReply } from "./decode.js";

function siblings(value: unknown, what: string): Sibling[] {
  return array(value, what).map((entry, i) => {
    const s = object(entry, `${what}[${i}]`);
    return {
      value: bytes(s.value, `${what}[${i}].value`),
      contentType: string(s.contentType, `${what}[${i}].contentType`),
    };
  });
}

/** 200 one value, 300 siblings, 404 `NOT_FOUND` none: all three are a read that succeeded. */
export function decodeRead(status: number, json: unknown): GetResult | undefined {
  if (status === 404) {
    const body = object(json, "the reply");
    if (body.code !== "NOT_FOUND") return undefined; // BUCKET_NOT_FOUND, ROUTE_NOT_FOUND: errors
    return { found: false, siblings: [], context: string(body.context, "context") };
  }
  if (status !== 200 && status !== 300) return undefined;
  const body = object(json, "the reply");
  const values = siblings(body.siblings, "siblings");
  if (values.length === 0 || (status === 200) !== (values.length === 1)) {
    throw new InvalidReply(`status ${status} with ${values.length} siblings`);
  }
  return { found: true, siblings: values, context: string(body.context, "context") };
}

export function decodePut(status: number, json: unknown): PutResult | undefined {
  if (status !== 200) return undefined;
  const body = object(json, "the reply");
  const result = { context: string(body.context, "context"), siblings: count(body.siblings, "siblings") };
  return body.warning === undefined ? result : { ...result, warning: string(body.warning, "warning") };
}

export function decodeDelete(status: number, json: unknown): DeleteResult | undefined {
  if (status !== 200) return undefined;
  const body = object(json, "the reply");
  return { context: string(body.context, "context"), siblings: count(body.siblings, "siblings") };
}

export function decodeSnapshot(status: number, json: unknown): SnapshotResult | undefined {
  if (status !== 200) return undefined;
  const body = object(json, "the reply");
  const entries = array(body.entries, "entries").map((entry, i) => {
    const e = object(entry, `entries[${i}]`);
    const values = siblings(e.siblings, `entries[${i}].siblings`);
    return { key: string(e.key, `entries[${i}].key`), found: values.length > 0, siblings: values };
  });
  return { at: number(body.at, "at"), entries };
}

function historyVersion(value: unknown, what: string): HistoryVersion {
  const v = object(value, what);
  return {
    at: number(v.at, `${what}.at`),
    node: string(v.node, `${what}.node`),
    bytes: count(v.bytes, `${what}.bytes`),
    tombstone: boolean(v.tombstone, `${what}.tombstone`),
    counter: nullable(v.counter, count, `${what}.counter`),
    supersededAt: nullable(v.supersededAt, number, `${what}.supersededAt`),
  };
}

const replicaStates = ["answered", "suspected", "no-answer"] as const;

/** One primary's kept versions, as `/history` and `/debug/keys` answer them. */
export function historyReplica(value: unknown, what: string): HistoryReplica {
  const r = object(value, what);
  const state = oneOf(r.state, replicaStates, `${what}.state`);
  const replica: { -readonly [K in keyof HistoryReplica]: HistoryReplica[K] } = {
    node: string(r.node, `${what}.node`),
    state,
  };
  if (r.horizon !== undefined) replica.horizon = nullable(r.horizon, number, `${what}.horizon`);
  if (r.versions !== undefined) {
    replica.versions = array(r.versions, `${what}.versions`).map((v, j) => historyVersion(v, `${what}.versions[${j}]`));
  }
  return replica;
}

export function decodeHistory(status: number, json: unknown): HistoryResult | undefined {
  if (status !== 200) return undefined;
  const body = object(json, "the reply");
  return {
    bucket: string(body.bucket, "bucket"),
    key: string(body.key, "key"),
    mode: string(body.mode, "mode"),
    replicas: array(body.replicas, "replicas").map((entry, i) => historyReplica(entry, `replicas[${i}]`)),
  };
}

/** 200 while the node serves, 503 with the same body while it stops: both are an answer about its health. */
export function decodeHealth(status: number, json: unknown): HealthResult | undefined {
  if (status !== 200 && status !== 503) return undefined;
  const body = object(json, "the reply");
  if (status === 503 && typeof body.status !== "string") return undefined; // an error body, not a health report
  return {
    status: string(body.status, "status"),
    node: string(body.node, "node"),
    uptimeMs: number(body.uptimeMs, "uptimeMs"),
    requestsInFlight: count(body.requestsInFlight, "requestsInFlight"),
  };
}

/** A node's clocks, as `/cluster` and `/admin/clock` answer them. */
export function clusterClock(value: unknown, what = "clock"): ClusterClock {
  const c = object(value, what);
  const truetime = c.truetime === null ? null : object(c.truetime, `${what}.truetime`);
  return {
    wallMs: number(c.wallMs, `${what}.wallMs`),
    systemMs: number(c.systemMs, `${what}.systemMs`),
    offsetMs: number(c.offsetMs, `${what}.offsetMs`),
    driftPpm: number(c.driftPpm, `${what}.driftPpm`),
    hlc: number(c.hlc, `${what}.hlc`),
    truetime:
      truetime === null
        ? null
        : {
            earliest: number(truetime.earliest, `${what}.truetime.earliest`),
            latest: number(truetime.latest, `${what}.truetime.latest`),
          },
  };
}

function clusterRepairs(value: unknown): ClusterRepairs {
  const r = object(value, "repairs");
  return {
    running: count(r.running, "repairs.running"),
    completed: count(r.completed, "repairs.completed"),
    recovering: count(r.recovering, "repairs.recovering"),
  };
}

export function decodeCluster(status: number, json: unknown): ClusterView | undefined {
  if (status !== 200) return undefined;
  const body = object(json, "the reply");
  const buckets = object(body.buckets, "buckets");
  for (const [bucket, mode] of Object.entries(buckets)) string(mode, `buckets.${bucket}`);
  const members = array(body.members, "members").map((entry, i): ClusterMember => {
    const m = object(entry, `members[${i}]`);
    const what = `members[${i}]`;
    const member: { -readonly [K in keyof ClusterMember]: ClusterMember[K] } = {
      id: string(m.id, `${what}.id`),
      url: string(m.url, `${what}.url`),
      self: boolean(m.self, `${what}.self`),
    };
    if (m.phi !== undefined) member.phi = nullable(m.phi, number, `${what}.phi`);
    if (m.suspected !== undefined) member.suspected = boolean(m.suspected, `${what}.suspected`);
    if (m.lastHeartbeatAgoMs !== undefined)
      member.lastHeartbeatAgoMs = nullable(m.lastHeartbeatAgoMs, number, `${what}.lastHeartbeatAgoMs`);
    if (m.clockOffsetMs !== undefined)
      member.clockOffsetMs = nullable(m.clockOffsetMs, number, `${what}.clockOffsetMs`);
    return member;
  });
  return {
    node: string(body.node, "node"),
    cluster: string(body.cluster, "cluster"),
    buckets: buckets as Record<string, string>,
    clock: clusterClock(body.clock),
    members,
    hints: count(body.hints, "hints"),
    repairs: clusterRepairs(body.repairs),
    storage: object(body.storage, "storage"),
    transport: object(body.transport, "transport"),
  };
}

/**
 * An error answer: `{ code, message, definite?, got?, need? }`. Without
 * `definite`, a 4xx status is a refusal at the door (the node checks the
 * request, its bucket and its conditions before the store sees it), so
 * nothing was written; any other status promises nothing.
 */
export function decodeError(status: number, json: unknown, node: string): FailureDetails {
  const body = object(json, "the error reply");
  const code = string(body.code, "code");
  const message = string(body.message, "message");
  const definite = body.definite === undefined ? status >= 400 && status < 500 : boolean(body.definite, "definite");
  return {
    code,
    message: `${node} answered ${status} ${code}: ${message}`,
    definite,
    status,
    node,
    ...(body.got === undefined ? {} : { got: count(body.got, "got") }),
    ...(body.need === undefined ? {} : { need: count(body.need, "need") }),
  };
}
