/**
 * The shapes a node's routes answer with, and the limits they carry: types
 * and constants only, browser-safe. `@skew/client/api` exports them with
 * their decoders (wire.ts, wire-ops.ts, which import them from here), and
 * `@skew/client` re-exports every type.
 */

/** The node's headers (its routes/keys.ts): the causal context, both ways, and the fencing token. */
export const contextHeader = "x-skew-context";
export const fenceHeader = "x-skew-fence";

// ---- the key routes (decoded by the client: values are bytes) --------------------------------------------------

/** One value of a key; a causal bucket may hold several at once (siblings). */
export interface Sibling {
  readonly value: Uint8Array;
  readonly contentType: string;
}

export interface GetResult {
  /** False when the key has no value (never written, or deleted). */
  readonly found: boolean;
  /** Every sibling; one in an LWW bucket, none when not found. */
  readonly siblings: readonly Sibling[];
  /** The opaque causal context: hand it back with the write that follows (empty for a read of the past). */
  readonly context: string;
}

export interface PutResult {
  /** The context after the write: a write with it supersedes this one. */
  readonly context: string;
  /** How many siblings the key holds after the write. */
  readonly siblings: number;
  /** Set when the key holds many siblings: read, resolve, write back. */
  readonly warning?: string;
}

export interface DeleteResult {
  readonly context: string;
  readonly siblings: number;
}

export interface SnapshotEntry {
  readonly key: string;
  readonly found: boolean;
  readonly siblings: readonly Sibling[];
}

export interface SnapshotResult {
  readonly at: number;
  /** One per requested key, in the request's order. */
  readonly entries: readonly SnapshotEntry[];
}

export interface HistoryVersion {
  /** The version's stamp, in the bucket's clock. */
  readonly at: number;
  /** The node that stamped it. */
  readonly node: string;
  readonly bytes: number;
  readonly tombstone: boolean;
  /** A causal sibling's dot counter; null in LWW buckets. */
  readonly counter: number | null;
  /** A causal sibling: the stamp of the write that superseded it; null while live and in LWW buckets. */
  readonly supersededAt: number | null;
}

export interface HistoryReplica {
  readonly node: string;
  readonly state: "answered" | "suspected" | "no-answer";
  /** Below this stamp the replica's history was dropped; null if nothing was. */
  readonly horizon?: number | null;
  readonly versions?: readonly HistoryVersion[];
}

export interface HistoryResult {
  readonly bucket: string;
  readonly key: string;
  readonly mode: string;
  readonly replicas: readonly HistoryReplica[];
}

// ---- one node: /health, /cluster, /admin/clock ---------------------------------------------------------------------

export interface HealthResult {
  /** `ok` while the node serves; `closing` or `failed` otherwise (answered with 503). */
  readonly status: string;
  readonly node: string;
  readonly uptimeMs: number;
  readonly requestsInFlight: number;
}

export interface ClusterMember {
  readonly id: string;
  readonly url: string;
  readonly self: boolean;
  readonly phi?: number | null;
  readonly suspected?: boolean;
  readonly lastHeartbeatAgoMs?: number | null;
  /** The member's wall clock minus this node's, as measured from its heartbeats. */
  readonly clockOffsetMs?: number | null;
}

/** A node's clocks as it reads them: its wall clock (with the admin's offset and drift), the HLC and TrueTime. */
export interface ClusterClock {
  readonly wallMs: number;
  /** The machine's own clock, before the admin's offset and drift. */
  readonly systemMs: number;
  readonly offsetMs: number;
  readonly driftPpm: number;
  /** The last HLC timestamp issued, packed (a value for `at` in `lww-hlc` and `causal` buckets). */
  readonly hlc: number;
  /** TrueTime's interval; null until the clock has synchronised. */
  readonly truetime: { readonly earliest: number; readonly latest: number } | null;
}

/**
 * Repairs as the node counts them. `running`: anti-entropy exchanges this
 * node started and has not finished (0 or 1: it runs one at a time); read
 * repairs are sent and never waited for, so they are never running.
 * `completed`, since the node started: read repairs it sent after reads,
 * plus anti-entropy exchanges that found differing keys and repaired them.
 * `recovering`: partitions whose reads the node does not yet answer as a
 * primary, after a start that may have lost writes it acknowledged (0 in
 * normal running; @skew/kv's README, "Recovery").
 */
export interface ClusterRepairs {
  readonly running: number;
  readonly completed: number;
  readonly recovering: number;
}

export interface ClusterView {
  /** The id of the node that answered. */
  readonly node: string;
  readonly cluster: string;
  /** Bucket name to conflict mode. */
  readonly buckets: Readonly<Record<string, string>>;
  readonly clock: ClusterClock;
  readonly members: readonly ClusterMember[];
  /** Hinted writes this node holds for a primary that was down (hinted handoffs pending). */
  readonly hints: number;
  readonly repairs: ClusterRepairs;
  readonly storage: Readonly<Record<string, unknown>>;
  readonly transport: Readonly<Record<string, unknown>>;
}

/** The body of `POST /admin/clock` and `POST /admin/nodes/:id/clock`: any of the three. */
export interface ClockChange {
  readonly offsetMs?: number;
  readonly driftPpm?: number;
  readonly jumpMs?: number;
}

/** An error as a route answers it (`{ code, message }`), or as a fan-out reports a member that did not answer. */
export interface ApiError {
  readonly code: string;
  readonly message: string;
}

// ---- every node at once: GET /cluster/nodes ------------------------------------------------------------------------

/** The codes of a member's entry that has no view. */
export const memberErrorCodes = Object.freeze({
  /** No connection to the member, or it dropped before the answer. */
  UNREACHABLE: "the member could not be reached",
  /** No answer within the fan-out's wait (1 s). */
  TIMEOUT: "the member did not answer in time",
  /** An answer, but not the API's (another status, not JSON, or not the documented shape). */
  INVALID_RESPONSE: "the member's answer is not a valid reply",
} as const);

export type MemberErrorCode = keyof typeof memberErrorCodes;

export interface ClusterNodeView {
  readonly id: string;
  readonly url: string;
  /** The member's own `/cluster`; null when it did not answer. */
  readonly view: ClusterView | null;
  /** Why there is no view: `UNREACHABLE`, `TIMEOUT` or `INVALID_RESPONSE`; null with a view. */
  readonly error: ApiError | null;
  /** How long the member took to answer (or to fail), ms. */
  readonly tookMs: number;
}

export interface ClusterNodesView {
  /** The node that asked the others. */
  readonly node: string;
  /** Every member, in the configuration's order. */
  readonly nodes: readonly ClusterNodeView[];
}

// ---- a key's replicas: GET /debug/keys/:bucket/:key(/replicas) ----------------------------------------------------

/** How much of a value a record view shows as text (UTF-8 bytes). */
export const recordTextBytesMax = 1024;

/** A replica's record of a key in a last-write-wins bucket. */
export interface LwwRecordView {
  readonly kind: "lww";
  /** The stamp that decides: fence first, then time (in the bucket's clock), then the coordinator's id. */
  readonly stamp: { readonly time: number; readonly node: string; readonly fence: number };
  readonly tombstone: boolean;
  readonly contentType?: string;
  readonly bytes: number;
  /** The value as text, when it is valid UTF-8 of at most `recordTextBytesMax` bytes. */
  readonly text?: string;
}

export interface CausalSiblingView {
  /** `<replica>:<counter>`: the dot the write was given. */
  readonly dot: string;
  /** The write's stamp (HLC), for reads of the past. */
  readonly at: number;
  readonly fence: number;
  readonly tombstone: boolean;
  readonly contentType?: string;
  readonly bytes: number;
  readonly text?: string;
}

/** A replica's record of a key in a causal bucket: a dotted version vector set. */
export interface CausalRecordView {
  readonly kind: "causal";
  readonly fence: number;
  /** The join of the siblings' histories: replica to counter. */
  readonly versionVector: Readonly<Record<string, number>>;
  readonly siblings: readonly CausalSiblingView[];
}

export type RecordView = LwwRecordView | CausalRecordView;

/** Where a key lives, as the answering node sees it: the head of both key views below. */
export interface KeyPlacement {
  /** The node that answered. */
  readonly node: string;
  readonly bucket: string;
  readonly key: string;
  readonly mode: string;
  /** The key's preference list (N = the bucket's default), primaries in order. */
  readonly preference: readonly string[];
}

/** `GET /debug/keys/:bucket/:key`: this replica's record, the key's preference list, every primary's kept versions. */
export interface KeyDebugView extends KeyPlacement {
  /** This replica's record; null when it holds none. */
  readonly local: RecordView | null;
  /** Every primary's kept versions; empty with `?history=false`. */
  readonly replicas: readonly HistoryReplica[];
}

export interface KeyReplicaView {
  readonly node: string;
  readonly url: string;
  /** The replica's own record (null when it holds none, or did not answer: see `error`). */
  readonly record: RecordView | null;
  readonly error: ApiError | null;
}

export interface KeyReplicasView extends KeyPlacement {
  /** One per node of the preference list, in its order. */
  readonly replicas: readonly KeyReplicaView[];
}

// ---- the lost-update demonstration: POST /admin/demo/lost-update -------------------------------------------------

/** Appends of one run: at least 3 (one through each node of a 3-node cluster), at most 60 (a run stays short). */
export const demoAppendsMin = 3;
export const demoAppendsMax = 60;
export const demoAppendsDefault = 12;
/**
 * How far the skewed node's clock may be set, ms either way. Past the
 * node's max offset (`--max-offset-ms`, 500 ms by default) its peers refuse
 * its messages, so its writes fail (reported as such) instead of being
 * stamped in the past; the default stays inside.
 */
export const demoSkewMsMax = 5_000;
export const demoSkewMsDefault = -400;

export interface LostUpdateRequest {
  /** A configured bucket. */
  readonly bucket: string;
  readonly appends?: number;
  readonly skewMs?: number;
  /** The member whose clock is set off (default: the last member). */
  readonly skewed?: string;
}

export interface DemoWrite {
  readonly index: number;
  /** The item the append added, `<index>@<via>`. */
  readonly item: string;
  /** The coordinator it was sent to. */
  readonly via: string;
  /** Ms since the run began (the serving node's monotonic clock). */
  readonly startedAtMs: number;
  /** When the write was acknowledged (or failed). */
  readonly ackedAtMs: number;
  /** LWW buckets: the stamp the coordinator gave it (from the write's returned context); null in causal ones. */
  readonly stamp: number | null;
  /** The context the write returned ("" when it failed). */
  readonly context: string;
  /** In the final read. */
  readonly kept: boolean;
  /** A lost LWW write: the index of the earlier acknowledged write with the highest stamp above this one's; else null. */
  readonly beatenBy: number | null;
  /** A lost write: why, in one sentence; else null. */
  readonly reason: string | null;
  /** Set when the append's read or write failed: it was not acknowledged (and may or may not be kept). */
  readonly error: ApiError | null;
}

export interface LostUpdateRun {
  readonly bucket: string;
  readonly mode: string;
  readonly key: string;
  readonly skewed: string;
  readonly skewMs: number;
  /** Each member's clock offset as the serving node measured it from heartbeats during the run (itself: 0). */
  readonly offsets: Readonly<Record<string, number | null>>;
  readonly writes: readonly DemoWrite[];
  readonly acknowledged: number;
  readonly kept: number;
  /** Acknowledged writes that are not in the final read. */
  readonly lost: number;
  /**
   * Set only when not every replica answered the final read (the others
   * refuse a member whose clock is past the max offset), so it was read
   * again from a quorum of this many; a quorum still sees every acknowledged
   * write. Absent: the final read heard every replica.
   */
  readonly finalReadR?: number;
  readonly tookMs: number;
}
