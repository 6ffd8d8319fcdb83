/**
 * A coordinator's view of one write in flight (Dynamo's coordinator, section
 * 4.5; Riak's `riak_kv_put_fsm`): the replicas it was sent to, which have
 * made it durable, which refused it, and when to give up.
 *
 * The outcome rules, and why a failure is definite or not:
 *
 * - success once W replicas acknowledged, PW of them primaries (and, in
 *   `lww-truetime` buckets, once the stamp has certainly passed: commit wait).
 *   A fallback's acknowledgement (a hint stored durably) counts towards W,
 *   never towards PW: that is what makes PW a strict quorum;
 * - `UNAVAILABLE` before anything is sent, definite, when fewer than PW
 *   primaries or W targets are unsuspected (the node decides that, see
 *   targets.ts);
 * - `FENCED` (some refused for a newer fencing token) or `UNAVAILABLE`
 *   (refused for other reasons: a fallback's hints are full, the bytes
 *   arrived damaged) once enough replicas refused that W or PW can no longer
 *   be reached. The coordinator then waits for every target's answer (until
 *   the deadline) before it answers, because only then does it know the
 *   label: definite exactly when no target accepted the write (nothing is
 *   stored anywhere; a replica that accepted keeps it). At the deadline with
 *   some target silent, the refusal is answered indefinite: the silent one
 *   may have stored it;
 * - `TIMEOUT` at the deadline otherwise; never definite, since a write that
 *   left the coordinator may have been applied anywhere.
 */
import type { NormalRequest, WriteReply } from "../requests.js";
import type { ReplyTo } from "./reply-to.js";

export class WriteCoordination {
  readonly kind = "write";
  readonly #acked = new Set<string>();
  readonly #fenced = new Set<string>();
  /** Refused for another reason than a fencing token: nothing stored there. */
  readonly #refused = new Set<string>();
  /** The reply once the quorum is met, held until the commit wait (if any) is over. */
  ready: WriteReply | undefined;

  constructor(
    readonly replyTo: ReplyTo,
    readonly request: NormalRequest,
    readonly targets: readonly string[],
    readonly primaries: ReadonlySet<string>,
    readonly deadlineMs: number,
    /** The stamp that must have certainly passed before the reply (lww-truetime), or undefined. */
    readonly commitWaitTime: number | undefined,
    /** What to answer once the quorum is met. */
    readonly reply: WriteReply,
  ) {}

  get acked(): number {
    return this.#acked.size;
  }

  ack(from: string): void {
    if (this.targets.includes(from)) this.#acked.add(from);
  }

  fence(from: string): void {
    if (this.targets.includes(from) && !this.#acked.has(from)) this.#fenced.add(from);
  }

  refuse(from: string): void {
    if (this.targets.includes(from) && !this.#acked.has(from)) this.#refused.add(from);
  }

  /** True when a refusal for a newer fencing token is among those that made the quorum unreachable. */
  get anyFenced(): boolean {
    return this.#fenced.size > 0;
  }

  /** W acknowledgements, PW of them from primaries. */
  get quorumMet(): boolean {
    if (this.#acked.size < this.request.quorum) return false;
    let primaries = 0;
    for (const node of this.#acked) if (this.primaries.has(node)) primaries++;
    return primaries >= this.request.primaryQuorum;
  }

  /** Too many refusals for the quorum ever to be met. */
  get unreachable(): boolean {
    let open = 0;
    let openPrimaries = 0;
    for (const node of this.targets) {
      if (this.#fenced.has(node) || this.#refused.has(node)) continue;
      open++;
      if (this.primaries.has(node)) openPrimaries++;
    }
    return open < this.request.quorum || openPrimaries < this.request.primaryQuorum;
  }

  /** Every target has answered, accepting or refusing. */
  get allAnswered(): boolean {
    return this.targets.every((node) => this.#acked.has(node) || this.#fenced.has(node) || this.#refused.has(node));
  }

  /** Nothing was stored anywhere: every target answered, and none accepted. */
  get nothingWritten(): boolean {
    return this.#acked.size === 0 && this.allAnswered;
  }
}
