/**
 * The `history` request (issue 5): what each replica of a key keeps of its
 * history, for the dashboard and for debugging.
 *
 * The coordinator asks the key's N primaries (a fallback holds hints, not a
 * history) with one `history-read` each, skipping those its failure
 * detector suspects, and answers once every one asked has answered, or at
 * the request's deadline with what came (the silent ones marked
 * `no-answer`). It is a diagnostic, not a read: no quorum, no merge, no
 * repair, and the answer is each replica's own view side by side, which is
 * the point (a replica behind the others shows as one). It fails only when
 * no replica could be asked (`UNAVAILABLE`) or none answered (`TIMEOUT`),
 * definitely either way: it writes nothing.
 *
 * Values are not shipped, only their sizes: up to `historyVersionsPerKeyMax`
 * versions of up to `valueBytesMax` bytes each would make one reply
 * gigabytes.
 */
import { ok, type Result } from "@skew/env";
import type { ReplyTo } from "../coordinator/reply-to.js";
import { type Failure, failure } from "../errors.js";
import type { HistoryEntry, OperationId } from "../messages.js";
import type { ConflictMode } from "../modes.js";
import { type ClientReply, type HistoryReply, parseClientRequest, type ReplicaHistory } from "../requests.js";

/** What the node lends the history requests. */
export interface HistoryHost {
  readonly clusterSize: number;
  bucketMode(bucket: string): ConflictMode | undefined;
  preference(bucket: string, key: string, n: number): readonly string[];
  isSuspected(node: string): boolean;
  nextOperation(): OperationId;
  sendHistoryRead(node: string, op: OperationId, bucket: string, key: string): void;
  answer(replyTo: ReplyTo, reply: ClientReply): void;
}

interface Pending {
  readonly replyTo: ReplyTo;
  readonly bucket: string;
  readonly key: string;
  readonly mode: ConflictMode;
  readonly deadlineMs: number;
  /** Per primary, in preference order: its answer once in. */
  readonly replicas: Map<string, ReplicaHistory | undefined>;
  waiting: number;
}

export class HistoryRequests {
  readonly #host: HistoryHost;
  readonly #pending = new Map<OperationId, Pending>();

  constructor(host: HistoryHost) {
    this.#host = host;
  }

  get pending(): number {
    return this.#pending.size;
  }

  /** A `history` request (already recognised by its kind). */
  start(replyTo: ReplyTo, raw: unknown, nowMs: number): void {
    const host = this.#host;
    const parsed = parseHistoryRequest(raw, host.clusterSize);
    if (!parsed.ok) {
      host.answer(replyTo, parsed.error);
      return;
    }
    const { bucket, key, n, timeoutMs } = parsed.value;
    const mode = host.bucketMode(bucket);
    if (mode === undefined) {
      host.answer(replyTo, failure("INVALID_REQUEST", true, "unknown bucket"));
      return;
    }
    const replicas = new Map<string, ReplicaHistory | undefined>();
    const asked: string[] = [];
    for (const node of host.preference(bucket, key, n)) {
      if (host.isSuspected(node)) replicas.set(node, { node, state: "suspected" });
      else {
        replicas.set(node, undefined);
        asked.push(node);
      }
    }
    if (asked.length === 0) {
      host.answer(replyTo, failure("UNAVAILABLE", true, "every primary is suspected; nothing was sent"));
      return;
    }
    const op = host.nextOperation();
    this.#pending.set(op, {
      replyTo,
      bucket,
      key,
      mode,
      deadlineMs: nowMs + timeoutMs,
      replicas,
      waiting: asked.length,
    });
    for (const node of asked) host.sendHistoryRead(node, op, bucket, key);
  }

  /** A replica's `history-reply`; ignored when stale, from a node not asked, or a repeat. */
  answer(op: OperationId, from: string, horizon: number | null, versions: readonly HistoryEntry[]): void {
    const pending = this.#pending.get(op);
    if (pending === undefined || !pending.replicas.has(from) || pending.replicas.get(from) !== undefined) return;
    pending.replicas.set(from, { node: from, state: "answered", horizon, versions });
    pending.waiting--;
    if (pending.waiting === 0) this.#finish(op, pending);
  }

  /** Answers the requests past their deadline with what came. */
  tick(nowMs: number): void {
    for (const [op, pending] of this.#pending) if (nowMs >= pending.deadlineMs) this.#finish(op, pending);
  }

  nextWakeMs(): number | undefined {
    let wake: number | undefined;
    for (const { deadlineMs } of this.#pending.values()) wake = Math.min(wake ?? deadlineMs, deadlineMs);
    return wake;
  }

  #finish(op: OperationId, pending: Pending): void {
    this.#pending.delete(op);
    const replicas = [...pending.replicas].map(([node, got]) => got ?? { node, state: "no-answer" as const });
    if (!replicas.some((replica) => replica.state === "answered")) {
      const asked = replicas.filter((replica) => replica.state === "no-answer").length;
      this.#host.answer(pending.replyTo, failure("TIMEOUT", true, `none of the ${asked} replicas asked answered`));
      return;
    }
    const { bucket, key, mode } = pending;
    const reply: HistoryReply = { ok: true, kind: "history", bucket, key, mode, replicas, context: "" };
    this.#host.answer(pending.replyTo, reply);
  }
}

const historyFields = new Set(["kind", "bucket", "key", "n", "timeoutMs"]);

/** Validates a `history` request through the get's checks (bucket, key, n, timeout). */
export function parseHistoryRequest(
  raw: unknown,
  clusterSize: number,
): Result<{ bucket: string; key: string; n: number; timeoutMs: number }, Failure> {
  const invalid = (detail: string): Result<never, Failure> => ({
    ok: false,
    error: failure("INVALID_REQUEST", true, detail),
  });
  if (typeof raw !== "object" || raw === null) return invalid("a request is an object");
  const extra = Object.keys(raw).find((name) => !historyFields.has(name));
  if (extra !== undefined) return invalid(`unknown field ${JSON.stringify(extra)}`);
  const parsed = parseClientRequest({ ...raw, kind: "get" }, clusterSize);
  if (!parsed.ok) return parsed;
  const { bucket, key, n, timeoutMs } = parsed.value;
  return ok({ bucket, key, n, timeoutMs });
}
