/**
 * The lost update (the chapter, section 3.3), made to happen on a live
 * cluster: one member's clock set wrong, then a list built by
 * read-modify-write appends, each through the next member in turn, and a
 * final read of every replica. In `lww-wall` the appends coordinated by the
 * member whose clock is behind are stamped below the write they follow;
 * last-write-wins keeps that write, and theirs vanish although each was
 * acknowledged. `lww-hlc` stamps after every timestamp the node has heard
 * (the read's context carries it), and `causal` keeps concurrent writes as
 * siblings that the next read merges: nothing lost.
 *
 * `skew demo` (cli/demo.ts) runs the appends in three buckets against the
 * processes it started; `POST /admin/demo/lost-update` (routes/demo.ts)
 * runs one bucket from a node, for the dashboard, and puts the clock back
 * afterwards. Both talk to the members over HTTP with the client, as any
 * client would: the appends are the workload, not a view of the internals.
 *
 * Why a write was lost is worked out from what the writes returned: an LWW
 * write's context is its stamp (`l.<fence>.<time>`, the record's), so a
 * lost write is explained by the earlier acknowledged write stamped
 * highest above it, the one last-write-wins preferred.
 */
import { type GetResult, SkewClient, SkewClientError } from "@skew/client";
import {
  type ApiError,
  type ClusterClock,
  type DemoWrite,
  decodeClock,
  decodeCluster,
  type LostUpdateRun,
} from "@skew/client/api";
import { SkewError } from "@skew/env";
import { readQuorumDefault, replicasDefault } from "@skew/kv";
import { askMember, decodeAnswer } from "../http/members.js";

/** How long a run waits after setting the clock: heartbeats carry the new offset, and every node sees the others up. */
export const demoSettleMs = 1_000;
/** How long a run waits for each call (an append's read or write, a clock change), ms. */
export const demoCallTimeoutMs = 5_000;

export interface DemoMember {
  readonly id: string;
  /** Its base URL. */
  readonly url: string;
}

/** A run that could not finish: a clock could not be set or put back, or the final read failed. */
export class DemoError extends SkewError<"DEMO_FAILED"> {
  override name = "DemoError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("DEMO_FAILED", message, options);
  }
}

// ---- the appends ------------------------------------------------------------------------------------------------------

export interface AppendOptions {
  readonly members: readonly DemoMember[];
  readonly bucket: string;
  /** Whether the bucket keeps siblings (`causal`) rather than one value by stamp (the `lww-*` modes). */
  readonly causal: boolean;
  readonly key: string;
  readonly appends: number;
  /** A monotonic clock, ms, and its reading when the run began: write times are counted from there. */
  readonly nowMs: () => number;
  readonly startedAtMs: number;
  /** The member whose clock was set off, and by how much (ms): it is named in the reasons. */
  readonly skew?: { readonly member: string; readonly skewMs: number };
  /**
   * Further attempts of a call that failed in a way that allows one (the
   * client's default: 2). A run for the dashboard makes none: it shows what
   * happened, and a member whose appends all time out costs one wait each.
   */
  readonly retries?: number;
}

interface Attempt {
  readonly index: number;
  readonly item: string;
  readonly via: string;
  readonly startedAtMs: number;
  readonly ackedAtMs: number;
  readonly context: string;
  readonly error: ApiError | null;
}

export interface AppendOutcome {
  readonly writes: DemoWrite[];
  /** Set when the final read could not hear every replica and was read from a quorum of this many. */
  readonly finalReadR?: number;
}

/**
 * Appends `<i>@<member>` to a JSON list at `key`, `appends` times, append i
 * through member i mod size (read, add, write back with the read's context;
 * in a causal bucket the siblings are merged by union first), then reads
 * the list from every replica (r = N) and says of each write whether it was
 * kept and, if it was lost, why. A failed append is recorded, not thrown
 * (it was not acknowledged). If not every replica answers the final read (a
 * member whose clock is past the max offset is refused by the others), it
 * is read again from a quorum, which still sees every acknowledged write;
 * if that fails too, `DemoError`.
 */
export async function appendWrites(options: AppendOptions): Promise<AppendOutcome> {
  const { members, bucket, key, causal } = options;
  if (members.length === 0) throw new RangeError("appendWrites: no members");
  const clients = members.map(
    (m) =>
      new SkewClient({
        nodes: [m.url],
        timeoutMs: demoCallTimeoutMs,
        ...(options.retries === undefined ? {} : { retries: options.retries }),
      }),
  );
  const at = (): number => Math.round(options.nowMs() - options.startedAtMs);
  try {
    const attempts: Attempt[] = [];
    for (let index = 0; index < options.appends; index++) {
      const via = members[index % members.length] as DemoMember;
      const client = clients[index % clients.length] as SkewClient;
      const item = `${index}@${via.id}`;
      const startedAtMs = at();
      try {
        let context: string;
        if (causal) {
          const written = await client.update(bucket, key, (siblings) =>
            JSON.stringify([...union(siblings.map((s) => s.value)), item]),
          );
          context = written.context;
        } else {
          const read = await client.get(bucket, key);
          const list = read.found ? parseList(read.siblings[0]?.value) : [];
          context = (await client.put(bucket, key, JSON.stringify([...list, item]), { context: read.context })).context;
        }
        attempts.push({ index, item, via: via.id, startedAtMs, ackedAtMs: at(), context, error: null });
      } catch (error) {
        if (!(error instanceof SkewClientError)) throw error;
        const failure = { code: error.code, message: error.message };
        attempts.push({ index, item, via: via.id, startedAtMs, ackedAtMs: at(), context: "", error: failure });
      }
    }
    const reader = clients[0] as SkewClient;
    const all = Math.min(replicasDefault, members.length);
    let finalReadR: number | undefined;
    let final: GetResult;
    try {
      try {
        final = await reader.get(bucket, key, { r: all });
      } catch (error) {
        if (!(error instanceof SkewClientError) || (error.code !== "TIMEOUT" && error.code !== "UNAVAILABLE"))
          throw error;
        finalReadR = Math.min(readQuorumDefault, all);
        final = await reader.get(bucket, key, { r: finalReadR });
      }
    } catch (error) {
      if (!(error instanceof SkewClientError)) throw error;
      throw new DemoError(`the final read of ${bucket}/${key} failed: ${error.message}`, { cause: error });
    }
    const kept = new Set(union(final.siblings.map((s) => s.value)));
    const writes = explain(attempts, kept, causal, options.skew);
    return finalReadR === undefined ? { writes } : { writes, finalReadR };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

/** The list a value holds; a value that is not a JSON array (written by someone else) holds none. */
function parseList(bytes: Uint8Array | undefined): string[] {
  if (bytes === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return [];
  }
  return Array.isArray(parsed) ? parsed.map(String) : [];
}

/** Every item of every sibling, once, in first-seen order: the set union that makes siblings lose nothing. */
function union(values: readonly Uint8Array[]): string[] {
  const seen = new Set<string>();
  for (const value of values) for (const item of parseList(value)) seen.add(item);
  return [...seen];
}

/** An LWW write's stamp from its context, `l.<fence>.<time>`; undefined for any other context. */
function stampOf(context: string): { readonly fence: number; readonly time: number } | undefined {
  const match = /^l\.(\d+)\.(\d+(?:\.\d+)?)$/.exec(context);
  if (match === null) return undefined;
  return { fence: Number(match[1]), time: Number(match[2]) };
}

interface Stamped {
  readonly index: number;
  readonly via: string;
  readonly fence: number;
  readonly time: number;
}

/** The stamp order of the store (kv's compareStamps): fence, then time, then the coordinator's id. */
function above(a: Stamped, b: Stamped): boolean {
  if (a.fence !== b.fence) return a.fence > b.fence;
  if (a.time !== b.time) return a.time > b.time;
  return a.via > b.via;
}

function explain(
  attempts: readonly Attempt[],
  kept: ReadonlySet<string>,
  causal: boolean,
  skew: AppendOptions["skew"],
): DemoWrite[] {
  const stamped = new Map<number, Stamped>();
  for (const a of attempts) {
    const stamp = causal || a.error !== null ? undefined : stampOf(a.context);
    if (stamp !== undefined) stamped.set(a.index, { index: a.index, via: a.via, ...stamp });
  }
  const clockNote = (member: string): string =>
    skew !== undefined && skew.member === member && skew.skewMs !== 0
      ? ` (clock ${Math.abs(skew.skewMs)} ms ${skew.skewMs < 0 ? "behind" : "ahead"})`
      : "";
  return attempts.map((a): DemoWrite => {
    const mine = stamped.get(a.index);
    const isKept = kept.has(a.item);
    const lost = a.error === null && !isKept;
    let beatenBy: Stamped | undefined;
    if (lost && mine !== undefined) {
      for (const other of stamped.values()) {
        if (other.index < a.index && above(other, mine) && (beatenBy === undefined || above(other, beatenBy))) {
          beatenBy = other;
        }
      }
    }
    let reason: string | null = null;
    if (lost && mine !== undefined && beatenBy !== undefined) {
      reason =
        `stamped ${mine.time} by ${a.via}${clockNote(a.via)}, below write ${beatenBy.index}'s ${beatenBy.time} ` +
        `by ${beatenBy.via}${clockNote(beatenBy.via)}: last-write-wins kept write ${beatenBy.index}`;
    } else if (lost) {
      reason = "acknowledged, but not in the final read: a later write was made from a read that did not include it";
    }
    return {
      index: a.index,
      item: a.item,
      via: a.via,
      startedAtMs: a.startedAtMs,
      ackedAtMs: a.ackedAtMs,
      stamp: mine?.time ?? null,
      context: a.context,
      kept: isKept,
      beatenBy: beatenBy?.index ?? null,
      reason,
      error: a.error,
    };
  });
}

// ---- the clocks ------------------------------------------------------------------------------------------------------

/**
 * Sets a member's clock through its `/admin/clock` (`authorization`: the
 * `Bearer <admin token>` header); answers its clocks after the change.
 */
export async function setClock(
  member: DemoMember,
  authorization: string,
  change: { readonly offsetMs: number },
  nowMs: () => number,
): Promise<ClusterClock> {
  const answer = await askMember(member.url, "/admin/clock", {
    method: "POST",
    headers: { authorization, "content-type": "application/json" },
    body: JSON.stringify(change),
    timeoutMs: demoCallTimeoutMs,
    nowMs,
  });
  const decoded = decodeAnswer(answer, member.id, decodeClock);
  if (!decoded.ok) throw new DemoError(`setting ${member.id}'s clock failed: ${decoded.error.message}`);
  return decoded.value;
}

/** A member's clock offset now (what the admin set, drift included), from its `/cluster`. */
async function offsetOf(member: DemoMember, nowMs: () => number): Promise<number> {
  const answer = await askMember(member.url, "/cluster", { timeoutMs: demoCallTimeoutMs, nowMs });
  const decoded = decodeAnswer(answer, member.id, decodeCluster);
  if (!decoded.ok) throw new DemoError(`reading ${member.id}'s clock failed: ${decoded.error.message}`);
  return decoded.value.clock.offsetMs;
}

// ---- one run -----------------------------------------------------------------------------------------------------------

export interface LostUpdateOptions {
  readonly members: readonly DemoMember[];
  readonly bucket: string;
  /** The bucket's conflict mode. */
  readonly mode: string;
  readonly appends: number;
  /** The member whose clock is set `skewMs` off for the run. */
  readonly skewed: string;
  readonly skewMs: number;
  /** `Bearer <admin token>`, for the members' `/admin/clock`. */
  readonly authorization: string;
  readonly nowMs: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Each member's clock offset as the running node measures it (heartbeats), read once the clock has settled. */
  readonly offsets: () => Readonly<Record<string, number | null>>;
  /** The list's key (default: a new one per run). */
  readonly key?: string;
  /** How long to wait after the clock change (default `demoSettleMs`). */
  readonly settleMs?: number;
}

/**
 * One run in one bucket: reads the skewed member's offset, sets it to
 * `skewMs`, waits for heartbeats, runs the appends, and puts the previous
 * offset back, whatever happened in between. Throws `DemoError` if the run
 * could not finish (a clock, the final read); the offset is put back then
 * too.
 */
export async function runLostUpdate(options: LostUpdateOptions): Promise<LostUpdateRun> {
  const { members, nowMs } = options;
  const startedAtMs = nowMs();
  const skewed = members.find((m) => m.id === options.skewed);
  if (skewed === undefined) throw new RangeError(`runLostUpdate: ${options.skewed} is not a member`);
  const key = options.key ?? `lost-update-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const previousMs = await offsetOf(skewed, nowMs);
  let outcome: (AppendOutcome & { offsets: Readonly<Record<string, number | null>> }) | undefined;
  let failure: unknown;
  try {
    await setClock(skewed, options.authorization, { offsetMs: options.skewMs }, nowMs);
    await options.sleep(options.settleMs ?? demoSettleMs);
    const offsets = options.offsets();
    const appended = await appendWrites({
      members,
      bucket: options.bucket,
      causal: options.mode === "causal",
      key,
      appends: options.appends,
      nowMs,
      startedAtMs,
      skew: { member: skewed.id, skewMs: options.skewMs },
      retries: 0,
    });
    outcome = { ...appended, offsets };
  } catch (error) {
    failure = error;
  }
  try {
    await setClock(skewed, options.authorization, { offsetMs: previousMs }, nowMs);
  } catch (error) {
    // The run's own failure, if any, says more; but an offset left wrong must not pass in silence.
    failure ??= new DemoError(
      `the run finished, but ${skewed.id}'s clock could not be put back to ${previousMs} ms: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (failure !== undefined || outcome === undefined) throw failure;
  const { writes, offsets, finalReadR } = outcome;
  const acknowledged = writes.filter((w) => w.error === null);
  return {
    bucket: options.bucket,
    mode: options.mode,
    key,
    skewed: skewed.id,
    skewMs: options.skewMs,
    offsets,
    writes,
    acknowledged: acknowledged.length,
    kept: writes.filter((w) => w.kept).length,
    lost: acknowledged.filter((w) => !w.kept).length,
    ...(finalReadR === undefined ? {} : { finalReadR }),
    tookMs: Math.round(nowMs() - startedAtMs),
  };
}
