/**
 * The opaque causal context a read hands to a client and the client hands
 * back with its next write (Dynamo's `get(key) -> (values, context)`,
 * `put(key, context, value)`; Riak's `X-Riak-Vclock` header).
 *
 * - causal buckets: the join of the siblings' histories, a version vector
 *   (@skew/vector's base64url text). A write with it overwrites exactly the
 *   siblings the client saw.
 * - last-write-wins buckets: the time of the stamp read. The coordinator moves its Lamport clock or HLC past it before
 *   stamping, so a read-modify-write is stamped above what it read even when
 *   it goes through another node: the client carries the causality that
 *   messages between nodes might not have. A wall clock cannot be moved,
 *   which is the chapter's point (section 3.3); TrueTime needs no help, its
 *   commit wait already orders a write after every write acknowledged before
 *   it started.
 *
 * Both carry the record's fence, the highest fencing token seen for the key
 * where it was read: `c.<fence>.<clock>`, `l.<fence>.<time>`. A coordinator
 * treats it as seen and refuses a write with a lower token (`FENCED`,
 * definite). Without it, a client that read the token-34 value and then
 * wrote under token 33 through a coordinator whose replicas had not yet
 * seen 34 would be accepted there, and its write would be superseded by the
 * next merge with a replica that had (record.ts): acknowledged, then lost.
 *
 * Clients must treat the text as opaque; it is validated like any input.
 */
import { err, ok, type Result } from "@skew/env";
import { VectorClock, VectorError } from "@skew/vector";
import { contextCharsMax, fenceMax } from "../constants.js";
import { KvError } from "../errors.js";
import { fenceOf, type KvRecord } from "./record.js";

export type Context =
  | { readonly kind: "causal"; readonly fence: number; readonly clock: VectorClock }
  | { readonly kind: "lww"; readonly fence: number; readonly time: number };

/** The context of a read that found `record` (or nothing). */
export function contextOf(record: KvRecord | undefined, causal: boolean): string {
  const fence = record === undefined ? 0 : fenceOf(record);
  if (causal) {
    const clock = record?.kind === "causal" ? record.set.join() : VectorClock.empty;
    return `c.${fence}.${clock.encodeText()}`;
  }
  return record?.kind === "lww" ? `l.${fence}.${String(record.stamp.time)}` : "";
}

/** A fence as a context writes it: decimal digits, no sign, no leading zero, at most `fenceMax`. */
const fenceText = /^(0|[1-9][0-9]{0,15})$/;

/** Parses a client's context; the empty string is "no context" (a blind write). */
export function parseContext(text: string, causal: boolean): Result<Context | undefined, KvError> {
  if (typeof text !== "string" || text.length > contextCharsMax) {
    return err(new KvError("INVALID_REQUEST", `a context is a string of at most ${contextCharsMax} characters`));
  }
  if (text === "") return ok(undefined);
  const prefix = causal ? "c." : "l.";
  const family = causal ? "a causal bucket's" : "a last-write-wins bucket's";
  const dot = text.indexOf(".", prefix.length);
  const fenceDigits = text.slice(prefix.length, dot);
  const fence = Number(fenceDigits);
  if (!text.startsWith(prefix) || dot < 0 || !fenceText.test(fenceDigits) || fence > fenceMax) {
    return err(new KvError("INVALID_REQUEST", `not ${family} context`));
  }
  const rest = text.slice(dot + 1);
  if (causal) {
    try {
      return ok({ kind: "causal", fence, clock: VectorClock.decodeText(rest) });
    } catch (cause) {
      if (cause instanceof VectorError) return err(new KvError("INVALID_REQUEST", "malformed context", { cause }));
      throw cause;
    }
  }
  const time = rest === "" ? Number.NaN : Number(rest);
  if (!Number.isFinite(time) || time < 0) return err(new KvError("INVALID_REQUEST", `not ${family} context`));
  return ok({ kind: "lww", fence, time });
}
