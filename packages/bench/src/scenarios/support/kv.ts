/**
 * What the two store scenarios need around @skew/jepsen's `KvCluster` (the
 * real `KvNode` on @skew/sim, the driver kv's simulator proofs use): the
 * values of a read and of a replica's disk as text, a failure as words, and
 * the stamp a last-write-wins context carries, for the narration.
 */
import { type KvCluster, type Outcome, text } from "@skew/jepsen";
import { liveValues } from "@skew/kv";

/** A successful read's values, as text, sorted, and its context; throws on anything else (the scenario is broken). */
export function readOf(outcome: Outcome): { readonly values: string[]; readonly context: string } {
  if (!outcome.ok || outcome.kind !== "get") throw new Error(`a read failed: ${JSON.stringify(outcome)}`);
  return { values: outcome.values.map(text.decode).sort(), context: outcome.context };
}

/** A successful read's values, as text, sorted. */
export function readValues(outcome: Outcome): string[] {
  return readOf(outcome).values;
}

/** The values replica `id` holds for the key (tombstones left out), as text, sorted: a peek at its disk, no message. */
export function storedValues(cluster: KvCluster, id: string, bucket: string, key: string): string[] {
  const record = cluster.node(id).localRecord(bucket, key);
  return record === undefined ? [] : liveValues(record).map(text.decode).sort();
}

/**
 * The stamp a last-write-wins context carries. A context is opaque to
 * clients, and a real client must never look inside; a narration may, to
 * show the reader which clock reading decided the write's fate. Its text is
 * `l.<fence>.<time>` (packages/kv/src/record/context.ts); undefined for any
 * other shape, so a change there costs the narration a detail, not a crash.
 */
export function lwwStampOf(context: string): { readonly fence: number; readonly time: number } | undefined {
  const match = /^l\.(\d+)\.(.+)$/.exec(context);
  if (match === null) return undefined;
  const fence = Number(match[1]);
  const time = Number(match[2]);
  return Number.isFinite(fence) && Number.isFinite(time) ? { fence, time } : undefined;
}

/** A failed outcome in words: `FENCED (indefinite: it may have been written)`. */
export function failureText(outcome: Outcome): string {
  if (outcome.ok) return "ok";
  return `${outcome.code} (${outcome.definite ? "definite: nothing was written" : "indefinite: it may have been written"})`;
}
