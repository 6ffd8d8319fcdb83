/**
 * Safe time for reads at a timestamp, and the multi-key `snapshot` request
 * (issue 5; every bucket that keeps a history: the four last-write-wins
 * modes and `causal`).
 *
 * Safe time. A read at `at` is safe when no write stamped at or before `at`
 * can still be accepted; until then a later read at the same `at` could
 * answer differently. What the coordinator can know, per mode:
 *
 * - `lww-truetime`: a write is stamped with the `latest` end of its
 *   coordinator's TrueTime interval, so once `after(at)` holds here (true
 *   time is certainly past `at`), every write that starts later, anywhere,
 *   is stamped above `at`. With `wait` the read is held (tick-driven, like
 *   commit wait, bounded by the request's timeout) until `after(at)`;
 *   without, it fails `SNAPSHOT_NOT_SAFE`, definitely.
 * - `lww-hlc`: the coordinator receives `at` into its own HLC (refused when
 *   `at` is beyond the HLC's max offset: then it is not safe yet; `wait`
 *   looks again every `snapshotSafeRecheckMs`). From then on every message
 *   it sends carries a timestamp above `at`, and a replica receives a
 *   message's timestamp before handling it, so each replica that answers
 *   the read has passed `at` before answering: it can never again stamp a
 *   write at or before `at`. Chosen over asking each replica for its HLC's
 *   `last` because it needs no extra round and no extra message field.
 * - `lww-wall`, `lww-lamport`: no safe time exists (a wall clock can be
 *   wrong by any amount, a counter is not time). Without `wait` the read is
 *   served as asked, unsafely (the caller chose a timestamp in the past and
 *   takes the risk); with `wait` it fails `SNAPSHOT_NOT_SAFE`, definitely:
 *   there is nothing to wait for.
 *
 * What safe time alone leaves open (a version stamped at or before `at`
 * that already exists, in flight or held somewhere, and reaches a replica
 * after it answered) is closed by the replicas' served marks and by asking
 * every primary: served-reads.ts. A read of the past in `lww-hlc`,
 * `lww-truetime` or `causal` therefore needs all N primaries, whatever R says
 * (`withEveryPrimary`).
 *
 * Snapshot. `{ kind: "snapshot", bucket, keys, at, wait? }` passes the same
 * safe-time gate once, then reads every key as a read at a timestamp does
 * (read-at.ts, or causal-history.ts in a causal bucket: the key's primaries,
 * R of them, PR = all, no read repair), one `read-at` message per key per
 * replica (no batching yet), and answers once every key is decided: per key
 * the newest version at or before `at`, or in a causal bucket the siblings
 * that existed at `at` (written at or before it, not yet superseded).
 * It fails as a whole, definitely (a read writes nothing), when one key
 * does: `HISTORY_TRUNCATED` naming the key, `UNAVAILABLE`, `TIMEOUT`.
 */
import { isTimestamp } from "@skew/hlc";
import { snapshotKeysMax, snapshotSafeRecheckMs } from "../constants.js";
import type { ReplyTo } from "../coordinator/reply-to.js";
import { type Failure, failure } from "../errors.js";
import type { Version } from "../history/index.js";
import type { OperationId } from "../messages.js";
import type { ConflictMode } from "../modes.js";
import {
  type ClientReply,
  type NormalRequest,
  parseClientRequest,
  type SnapshotReply,
  type SnapshotRequest,
} from "../requests.js";
import { CausalReadAtCoordination, type SiblingAt } from "./causal-history.js";
import type { NodeClocks } from "./clocks.js";
import { ReadAtCoordination } from "./read-at.js";

/** What the node lends the snapshot reads: its clocks, ring, membership, outbox. */
export interface SnapshotHost {
  readonly clocks: NodeClocks;
  readonly clusterSize: number;
  /** The node's monotonic time, ms. */
  nowMs(): number;
  /** The bucket's mode when it keeps a history (every mode does; undefined: no such bucket). */
  historyMode(bucket: string): ConflictMode | undefined;
  preference(bucket: string, key: string, n: number): readonly string[];
  isSuspected(node: string): boolean;
  nextOperation(): OperationId;
  sendReadAt(node: string, op: OperationId, bucket: string, key: string, at: number): void;
  answer(replyTo: ReplyTo, reply: ClientReply): void;
}

/** Safe to read now; or wait about `waitMs` and look again; or fail. */
export type SafeTime =
  | { readonly kind: "safe" }
  | { readonly kind: "wait"; readonly waitMs: number }
  | { readonly kind: "fail"; readonly failure: Failure };

const safe: SafeTime = { kind: "safe" };

/** Whether a read at `at` in a `mode` bucket may go ahead now (module comment). May move the HLC up to `at`. */
export function safeTime(clocks: NodeClocks, mode: ConflictMode, at: number, wait: boolean): SafeTime {
  switch (mode) {
    case "lww-truetime": {
      const now = clocks.truetime.tryNow();
      if (!now.ok) return fail("CLOCK_UNAVAILABLE", true, "the TrueTime clock has never been synchronized");
      if (clocks.truetime.after(at)) return safe;
      if (!wait) {
        return fail(
          "SNAPSHOT_NOT_SAFE",
          true,
          `TrueTime is not yet certainly after ${at} (earliest ${now.value.earliest})`,
        );
      }
      // The earliest bound rises at (1 - drift) of local time; a small margin lands the wake just past `at`.
      return { kind: "wait", waitMs: Math.max(at - now.value.earliest, 0) * 1.001 + 0.001 };
    }
    case "lww-hlc":
    case "causal": {
      // Causal siblings are stamped with their coordinator's HLC too (causal-history.ts): the same argument holds.
      if (!isTimestamp(at)) return fail("INVALID_REQUEST", true, "at is not an HLC timestamp");
      const received = clocks.hlc.tryReceive(at, "snapshot-at");
      if (received.ok) return safe;
      if (!wait) {
        return fail("SNAPSHOT_NOT_SAFE", true, `at is ${received.error.offsetMs} ms ahead of this node's clock`);
      }
      return { kind: "wait", waitMs: snapshotSafeRecheckMs };
    }
    case "lww-wall":
    case "lww-lamport":
      return wait ? fail("SNAPSHOT_NOT_SAFE", true, `${mode} has no safe time: nothing to wait for`) : safe;
  }
}

/**
 * A read of the past in a mode with a safe time asks every primary and needs
 * all of them, whatever R says: only then is the answer repeatable
 * (served-reads.ts, half 2). In `lww-wall` and `lww-lamport` R applies.
 */
export function withEveryPrimary(mode: ConflictMode, request: NormalRequest): NormalRequest {
  if (mode === "lww-wall" || mode === "lww-lamport") return request;
  return { ...request, quorum: request.n, primaryQuorum: request.n };
}

function fail(...args: Parameters<typeof failure>): SafeTime {
  return { kind: "fail", failure: failure(...args) };
}

interface Held {
  readonly replyTo: ReplyTo;
  readonly mode: ConflictMode;
  readonly at: number;
  readonly deadlineMs: number;
  wakeMs: number;
  readonly start: () => void;
}

type Part = ReadAtCoordination | CausalReadAtCoordination;

class Snapshot {
  readonly parts: (Part | undefined)[] = [];
  readonly ops: OperationId[] = [];
  /** The keys decided so far (by index into `keys`) and their values. */
  readonly decided: { readonly index: number; readonly values: Uint8Array[] }[] = [];
  done = false;

  constructor(
    readonly replyTo: ReplyTo,
    readonly keys: readonly string[],
    readonly at: number,
    readonly deadlineMs: number,
  ) {}
}

export class SnapshotReads {
  readonly #host: SnapshotHost;
  readonly #held: Held[] = [];
  readonly #snapshots = new Set<Snapshot>();
  readonly #parts = new Map<OperationId, { readonly snapshot: Snapshot; readonly index: number }>();

  constructor(host: SnapshotHost) {
    this.#host = host;
  }

  /** Requests waiting for safe time plus snapshots reading. */
  get pending(): number {
    return this.#held.length + this.#snapshots.size;
  }

  /**
   * Runs `start` once a read at `at` is safe (now, or later from `tick`
   * when `wait`), or answers `replyTo` with why it cannot be.
   */
  gate(replyTo: ReplyTo, mode: ConflictMode, at: number, wait: boolean, deadlineMs: number, start: () => void): void {
    const verdict = safeTime(this.#host.clocks, mode, at, wait);
    if (verdict.kind === "safe") start();
    else if (verdict.kind === "wait") {
      this.#held.push({ replyTo, mode, at, deadlineMs, wakeMs: this.#host.nowMs() + verdict.waitMs, start });
    } else this.#host.answer(replyTo, verdict.failure);
  }

  /** A `snapshot` request (already recognised by its kind). */
  start(replyTo: ReplyTo, raw: unknown, nowMs: number): void {
    const parsed = parseSnapshotRequest(raw, this.#host.clusterSize);
    if (!("requests" in parsed)) {
      this.#host.answer(replyTo, parsed);
      return;
    }
    const { requests, at, wait } = parsed;
    const first = requests[0] as NormalRequest;
    const mode = this.#host.historyMode(first.bucket);
    if (mode === undefined) {
      this.#host.answer(replyTo, failure("INVALID_REQUEST", true, "unknown bucket"));
      return;
    }
    const deadlineMs = nowMs + first.timeoutMs;
    const causal = mode === "causal";
    const reads = requests.map((request) => withEveryPrimary(mode, request));
    this.gate(replyTo, mode, at, wait, deadlineMs, () => this.#read(replyTo, reads, at, deadlineMs, causal));
  }

  /** A replica's `read-at-reply` for one of the snapshots' keys (last-write-wins). */
  answerVersion(
    op: OperationId,
    from: string,
    version: Version | null,
    horizon: number | null,
    recovering: boolean,
  ): void {
    const coordination = this.#part(op);
    if (coordination?.kind !== "read-at") return; // stale, or none of ours
    coordination.answer(from, version, horizon, recovering);
    this.#settle(op);
  }

  /** A replica's `read-siblings-at-reply` for one of the snapshots' keys (causal). */
  answerSiblings(
    op: OperationId,
    from: string,
    siblings: readonly SiblingAt[] | null,
    horizon: number | null,
    recovering: boolean,
  ): void {
    const coordination = this.#part(op);
    if (coordination?.kind !== "causal-read-at") return;
    coordination.answer(from, siblings, horizon, recovering);
    this.#settle(op);
  }

  #part(op: OperationId): Part | undefined {
    const part = this.#parts.get(op);
    return part === undefined || part.snapshot.done ? undefined : part.snapshot.parts[part.index];
  }

  #settle(op: OperationId): void {
    const { snapshot, index } = this.#parts.get(op) as { readonly snapshot: Snapshot; readonly index: number };
    const coordination = snapshot.parts[index] as Part;
    const outcome = coordination.outcome();
    if (outcome === undefined) return;
    if (!outcome.ok) {
      const key = JSON.stringify(snapshot.keys[index]);
      this.#finish(snapshot, { ...outcome, message: `key ${key}: ${outcome.message}` });
      return;
    }
    snapshot.parts[index] = undefined;
    snapshot.decided.push({ index, values: outcome.values });
    if (snapshot.decided.length === snapshot.keys.length) {
      const entries = [...snapshot.decided]
        .sort((a, b) => a.index - b.index)
        .map(({ index: i, values: v }) => ({ key: snapshot.keys[i] as string, values: v }));
      const reply: SnapshotReply = { ok: true, kind: "snapshot", at: snapshot.at, entries, context: "" };
      this.#finish(snapshot, reply);
    }
  }

  /** Held reads that became safe start; held reads and snapshots past their deadline time out. */
  tick(nowMs: number): void {
    for (const held of [...this.#held]) {
      if (nowMs < held.wakeMs && nowMs < held.deadlineMs) continue;
      const verdict = safeTime(this.#host.clocks, held.mode, held.at, true);
      if (verdict.kind === "wait" && nowMs < held.deadlineMs) {
        held.wakeMs = nowMs + verdict.waitMs;
        continue;
      }
      this.#held.splice(this.#held.indexOf(held), 1);
      if (verdict.kind === "safe") held.start();
      else if (verdict.kind === "wait") {
        this.#host.answer(held.replyTo, failure("TIMEOUT", true, `${held.at} did not become safe in time`));
      } else this.#host.answer(held.replyTo, verdict.failure);
    }
    for (const snapshot of [...this.#snapshots]) {
      if (nowMs < snapshot.deadlineMs) continue;
      const missing = snapshot.keys.length - snapshot.decided.length;
      this.#finish(snapshot, failure("TIMEOUT", true, `${missing} of ${snapshot.keys.length} keys undecided`));
    }
  }

  /** The monotonic time at which `tick` has work, or undefined. */
  nextWakeMs(): number | undefined {
    let wake: number | undefined;
    for (const held of this.#held) wake = Math.min(wake ?? held.wakeMs, held.wakeMs, held.deadlineMs);
    for (const snapshot of this.#snapshots) wake = Math.min(wake ?? snapshot.deadlineMs, snapshot.deadlineMs);
    return wake;
  }

  #read(replyTo: ReplyTo, requests: readonly NormalRequest[], at: number, deadlineMs: number, causal: boolean): void {
    const host = this.#host;
    const plans = requests.map((request) => {
      const targets = host.preference(request.bucket, request.key, request.n);
      const coordination = causal
        ? new CausalReadAtCoordination(replyTo, request, at, targets, deadlineMs)
        : new ReadAtCoordination(replyTo, request, at, targets, deadlineMs);
      return { request, targets, coordination };
    });
    for (const { request, targets, coordination } of plans) {
      const up = targets.filter((node) => !host.isSuspected(node)).length;
      if (up < coordination.need) {
        const detail = `key ${JSON.stringify(request.key)}: ${up} primaries unsuspected; nothing was sent`;
        host.answer(replyTo, failure("UNAVAILABLE", true, detail, { got: up, need: coordination.need }));
        return;
      }
    }
    const snapshot = new Snapshot(
      replyTo,
      requests.map((r) => r.key),
      at,
      deadlineMs,
    );
    this.#snapshots.add(snapshot);
    plans.forEach(({ request, targets, coordination }, index) => {
      const op = host.nextOperation();
      snapshot.parts.push(coordination);
      snapshot.ops.push(op);
      this.#parts.set(op, { snapshot, index });
      for (const node of targets) host.sendReadAt(node, op, request.bucket, request.key, at);
    });
  }

  #finish(snapshot: Snapshot, reply: ClientReply): void {
    snapshot.done = true;
    this.#snapshots.delete(snapshot);
    for (const op of snapshot.ops) this.#parts.delete(op);
    this.#host.answer(snapshot.replyTo, reply);
  }
}

const snapshotFields = new Set(["kind", "bucket", "keys", "at", "wait", "n", "r", "pr", "timeoutMs"]);

/** Validates a snapshot request: one normalised read-at request per key (so each key passes the get's checks). */
export function parseSnapshotRequest(
  raw: unknown,
  clusterSize: number,
): { readonly requests: readonly NormalRequest[]; readonly at: number; readonly wait: boolean } | Failure {
  const invalid = (detail: string): Failure => failure("INVALID_REQUEST", true, detail);
  if (typeof raw !== "object" || raw === null) return invalid("a request is an object");
  const r = raw as Record<string, unknown> & Partial<SnapshotRequest>;
  const extra = Object.keys(r).find((name) => !snapshotFields.has(name));
  if (extra !== undefined) return invalid(`unknown field ${JSON.stringify(extra)}`);
  if (r.at === undefined) return invalid("a snapshot needs at");
  const keys: unknown = r.keys;
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > snapshotKeysMax) {
    return invalid(`keys is an array of 1 to ${snapshotKeysMax} keys`);
  }
  if (new Set(keys).size !== keys.length) return invalid("keys holds no key twice");
  const requests: NormalRequest[] = [];
  for (const key of keys) {
    const get: Record<string, unknown> = { kind: "get", key };
    for (const field of ["bucket", "at", "wait", "n", "r", "pr", "timeoutMs"] as const) {
      if (r[field] !== undefined) get[field] = r[field];
    }
    const parsed = parseClientRequest(get, clusterSize);
    if (!parsed.ok) return parsed.error;
    requests.push(parsed.value);
  }
  const first = requests[0] as NormalRequest;
  return { requests, at: first.at as number, wait: first.wait ?? false };
}
