/**
 * The opaque causal context a read hands to a client and the client hands
 * back with its next write (Dynamo's `get(key) -> (values, context)`,
 * `put(key, context, value)`; Riak's `X-Riak-Vclock` header).
 *
 * - causal buckets: the join of the siblings' histories, a version vector
 *   (`c.` then @skew/vector's base64url text). A write with it overwrites
 *   exactly the siblings the client saw.
 * - last-write-wins buckets: the time of the stamp read (`l.` then the
 *   number). The coordinator moves its Lamport clock or HLC past it before
 *   stamping, so a read-modify-write is stamped above what it read even when
 *   it goes through another node: the client carries the causality that
 *   messages between nodes might not have. A wall clock cannot be moved,
 *   which is the chapter's point (section 3.3); TrueTime needs no help, its
 *   commit wait already orders a write after every write acknowledged before
 *   it started.
 *
 * Clients must treat the text as opaque; it is validated like any input.
 */
import { err, ok, type Result } from "@skew/env";
import { VectorClock, VectorError } from "@skew/vector";
import { contextCharsMax } from "../constants.js";
import { KvError } from "../errors.js";
import type { KvRecord } from "./record.js";

export type Context =
  | { readonly kind: "causal"; readonly clock: VectorClock }
  | { readonly kind: "lww"; readonly time: number };

/** The context of a read that found `record` (or nothing). */
export function contextOf(record: KvRecord | undefined, causal: boolean): string {
  if (causal) {
    const clock = record?.kind === "causal" ? record.set.join() : VectorClock.empty;
    return `c.${clock.encodeText()}`;
  }
  return record?.kind === "lww" ? `l.${String(record.stamp.time)}` : "";
}

/** Parses a client's context; the empty string is "no context" (a blind write). */
export function parseContext(text: string, causal: boolean): Result<Context | undefined, KvError> {
  if (typeof text !== "string" || text.length > contextCharsMax) {
    return err(new KvError("INVALID_REQUEST", `a context is a string of at most ${contextCharsMax} characters`));
  }
  if (text === "") return ok(undefined);
  if (causal) {
    if (!text.startsWith("c.")) return err(new KvError("INVALID_REQUEST", "not a causal bucket's context"));
    try {
      return ok({ kind: "causal", clock: VectorClock.decodeText(text.slice(2)) });
    } catch (cause) {
      if (cause instanceof VectorError) return err(new KvError("INVALID_REQUEST", "malformed context", { cause }));
      throw cause;
    }
  }
  const time = text.startsWith("l.") ? Number(text.slice(2)) : Number.NaN;
  if (!Number.isFinite(time) || time < 0) return err(new KvError("INVALID_REQUEST", "not a last-write-wins context"));
  return ok({ kind: "lww", time });
}
