/**
 * The node's replies, checked and decoded (the node's routes/keys.ts and
 * http/errors.ts define them). Nothing a node sends is trusted by type: a
 * reply of the wrong shape is `INVALID_RESPONSE`, never a value with holes.
 * Each decoder returns `undefined` for a status that is not its success, and
 * the error body is decoded instead.
 */
import type { FailureDetails } from "./errors.js";
import type {
  ClusterClock,
  ClusterMember,
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
} from "./types.js";

/** A reply that is not what the API sends; the caller turns it into `INVALID_RESPONSE`. */
export class InvalidReply extends Error {
  override name = "InvalidReply";
}

type Json = Record<string, unknown>;

function object(value: unknown, what: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new InvalidReply(`${what} is not an object`);
  return value as Json;
}

function string(value: unknown, what: string): string {
  if (typeof value !== "string") throw new InvalidReply(`${what} is not a string`);
  return value;
}

function number(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new InvalidReply(`${what} is not a number`);
  return value;
}

function count(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
    throw new InvalidReply(`${what} is not a count`);
  return value;
}

function boolean(value: unknown, what: string): boolean {
  if (typeof value !== "boolean") throw new InvalidReply(`${what} is not a boolean`);
  return value;
}

function array(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new InvalidReply(`${what} is not an array`);
  return value;
}

function nullable<T>(value: unknown, decode: (v: unknown, what: string) => T, what: string): T | null {
  return value === null ? null : decode(value, what);
}

const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict base64 (Buffer's decoder skips what it does not know, which would turn a corrupt reply into other bytes). */
function bytes(value: unknown, what: string): Uint8Array {
  const text = string(value, what);
  if (!base64.test(text)) throw new InvalidReply(`${what} is not base64`);
  // A copy, not a view: Buffer.from may hand out a slice of a shared pool.
  return new Uint8Array(Buffer.from(text, "base64"));
}

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

export function decodeHistory(status: number, json: unknown): HistoryResult | undefined {
  if (status !== 200) return undefined;
  const body = object(json, "the reply");
  const replicas = array(body.replicas, "replicas").map((entry, i): HistoryReplica => {
    const r = object(entry, `replicas[${i}]`);
    const state = replicaStates.find((s) => s === r.state);
    if (state === undefined) throw new InvalidReply(`replicas[${i}].state is not one of ${replicaStates.join(", ")}`);
    const replica: { -readonly [K in keyof HistoryReplica]: HistoryReplica[K] } = {
      node: string(r.node, `replicas[${i}].node`),
      state,
    };
    if (r.horizon !== undefined) replica.horizon = nullable(r.horizon, number, `replicas[${i}].horizon`);
    if (r.versions !== undefined) {
      replica.versions = array(r.versions, `replicas[${i}].versions`).map((v, j) =>
        historyVersion(v, `replicas[${i}].versions[${j}]`),
      );
    }
    return replica;
  });
  return {
    bucket: string(body.bucket, "bucket"),
    key: string(body.key, "key"),
    mode: string(body.mode, "mode"),
    replicas,
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

function clusterClock(value: unknown): ClusterClock {
  const c = object(value, "clock");
  const truetime = c.truetime === null ? null : object(c.truetime, "clock.truetime");
  return {
    wallMs: number(c.wallMs, "clock.wallMs"),
    systemMs: number(c.systemMs, "clock.systemMs"),
    offsetMs: number(c.offsetMs, "clock.offsetMs"),
    driftPpm: number(c.driftPpm, "clock.driftPpm"),
    hlc: number(c.hlc, "clock.hlc"),
    truetime:
      truetime === null
        ? null
        : {
            earliest: number(truetime.earliest, "clock.truetime.earliest"),
            latest: number(truetime.latest, "clock.truetime.latest"),
          },
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
