/**
 * Hinted handoff (Dynamo section 4.6): the records a fallback holds for
 * primaries that were suspected when a write was coordinated.
 *
 * A hint is kept per (primary, key): a second sloppy write of the same key
 * for the same primary is merged into the first (records merge by a join,
 * so the hint holds what both writes would have left at the primary). The
 * fallback treats a hint as a replica would treat its copy: a hinted write
 * whose fencing token is below the hint's is refused, the same rule as
 * `Replica.write`, so a stand-in never accepts what the replica it stands in
 * for would refuse on the strength of what it has seen.
 *
 * Hints live apart from the fallback's own data, durably, under
 * `h/<primary length>:<primary><key id>` (the length prefix because node ids
 * may hold any character), each value an encoded, checksummed record; a
 * restarted fallback restores them. A hint is deleted only after the
 * primary acknowledged its handoff, which it does once the record is durable
 * there; a hint that changed while its handoff was in flight is handed off
 * again. The number held is bounded (`hintsMax`): past it a fallback refuses
 * new hints and the coordinator counts that acknowledgement as missing.
 *
 * Deliveries are paced: at most `hintDeliveriesInFlightMax` handoffs wait for
 * an acknowledgement at once; one unacknowledged for `hintDeliveryRetryMs` is
 * sent again (the message or the ack may have been lost; merging is
 * idempotent, so a duplicate does no harm).
 */
import { describeValue } from "@skew/env";
import { hintDeliveriesInFlightMax, hintDeliveryRetryMs } from "../constants.js";
import type { OperationId } from "../messages.js";
import { decodeRecord, encodeRecord, fenceOf, type KvRecord, mergeRecords } from "../record/index.js";
import type { StorageOp } from "./storage.js";

export const hintPrefix = "h/";

/** A hint as a test or a dashboard sees it. */
export interface HintView {
  /** The suspected primary the write was meant for. */
  readonly primary: string;
  readonly bucket: string;
  readonly key: string;
  readonly record: KvRecord;
}

/** A hint as a handoff carries it. */
export interface HintDelivery {
  readonly op: OperationId;
  readonly primary: string;
  readonly keyId: string;
  readonly record: KvRecord;
}

interface Hint {
  readonly primary: string;
  readonly keyId: string;
  readonly storageKey: string;
  record: KvRecord;
  /** Bumped whenever the record changes, so that an ack for an older version deletes nothing. */
  version: number;
  inFlight: { readonly op: OperationId; readonly version: number; readonly resendAtMs: number } | undefined;
}

export type HintOutcome =
  | { readonly refused: "FENCED" | "HINTS_FULL" }
  | { readonly refused: null; readonly changed: boolean; readonly op: StorageOp | undefined };

export function hintStorageKey(primary: string, keyId: string): string {
  return `${hintPrefix}${primary.length}:${primary}${keyId}`;
}

/** The primary and key id of a hint's storage key, or undefined when it is not one. */
export function parseHintStorageKey(key: string): { readonly primary: string; readonly keyId: string } | undefined {
  if (!key.startsWith(hintPrefix)) return undefined;
  const colon = key.indexOf(":", hintPrefix.length);
  const digits = key.slice(hintPrefix.length, colon);
  if (colon < 0 || !/^[1-9][0-9]{0,5}$/.test(digits)) return undefined;
  const end = colon + 1 + Number(digits);
  const keyId = key.slice(end);
  if (end > key.length || !keyId.includes("\u0000")) return undefined;
  return { primary: key.slice(colon + 1, end), keyId };
}

export class HintStore {
  readonly hintsMax: number;
  /** Every hint, by storage key, in the order first stored: deliveries go oldest first. */
  readonly #hints = new Map<string, Hint>();
  /** The hints of each key, for reads at a fallback. */
  readonly #byKey = new Map<string, Map<string, Hint>>();
  readonly #inFlight = new Map<OperationId, Hint>();

  constructor(hintsMax: number) {
    if (!Number.isSafeInteger(hintsMax) || hintsMax < 0) {
      throw new RangeError(`KvNode: hintsMax must be a non-negative integer, got ${describeValue(hintsMax)}`);
    }
    this.hintsMax = hintsMax;
  }

  get size(): number {
    return this.#hints.size;
  }

  /** The hints held, oldest first (introspection). */
  *entries(): IterableIterator<{ readonly primary: string; readonly keyId: string; readonly record: KvRecord }> {
    for (const hint of this.#hints.values()) yield { primary: hint.primary, keyId: hint.keyId, record: hint.record };
  }

  /** What hints hold for a key, whoever they are for: a fallback answers reads with them too. */
  recordsFor(keyId: string): KvRecord[] {
    const hints = this.#byKey.get(keyId);
    return hints === undefined ? [] : [...hints.values()].map((hint) => hint.record);
  }

  /** A hinted write: keep `record` for `primary`, unless the token is stale or the store is full. */
  accept(primary: string, keyId: string, record: KvRecord, fence: number): HintOutcome {
    const storageKey = hintStorageKey(primary, keyId);
    const hint = this.#hints.get(storageKey);
    if (hint === undefined) {
      if (this.#hints.size >= this.hintsMax) return { refused: "HINTS_FULL" };
      this.#add({ primary, keyId, storageKey, record, version: 0, inFlight: undefined });
      return { refused: null, changed: true, op: { kind: "put", key: storageKey, value: encodeRecord(record) } };
    }
    if (fence < fenceOf(hint.record)) return { refused: "FENCED" };
    const merged = mergeRecords(hint.record, record);
    if (merged === hint.record) return { refused: null, changed: false, op: undefined };
    hint.record = merged;
    hint.version++;
    return { refused: null, changed: true, op: { kind: "put", key: storageKey, value: encodeRecord(merged) } };
  }

  /** A stored hint read back at start; false (and nothing kept) when the bytes are damaged. */
  restore(storageKey: string, bytes: Uint8Array, fits: (keyId: string, record: KvRecord) => boolean): boolean {
    const address = parseHintStorageKey(storageKey);
    if (address === undefined) return false;
    const decoded = decodeRecord(bytes);
    if (!decoded.ok || !fits(address.keyId, decoded.value)) return false;
    // A restart may find more than hintsMax (the limit was lowered): keep them all; new ones are refused.
    this.#add({ ...address, storageKey, record: decoded.value, version: 0, inFlight: undefined });
    return true;
  }

  /**
   * The handoffs to send now: hints for primaries not suspected, not in
   * flight (or in flight past their retry time), up to the in-flight limit.
   */
  takeDeliveries(nowMs: number, isSuspected: (peer: string) => boolean, nextOp: () => OperationId): HintDelivery[] {
    const out: HintDelivery[] = [];
    for (const hint of this.#hints.values()) {
      const retry = hint.inFlight !== undefined && nowMs >= hint.inFlight.resendAtMs;
      if (hint.inFlight !== undefined && !retry) continue;
      if (!retry && this.#inFlight.size >= hintDeliveriesInFlightMax) continue;
      if (isSuspected(hint.primary)) continue;
      if (hint.inFlight !== undefined) this.#inFlight.delete(hint.inFlight.op);
      const op = nextOp();
      hint.inFlight = { op, version: hint.version, resendAtMs: nowMs + hintDeliveryRetryMs };
      this.#inFlight.set(op, hint);
      out.push({ op, primary: hint.primary, keyId: hint.keyId, record: hint.record });
    }
    return out;
  }

  /**
   * The primary answered handoff `op`: durable there, or refused for a newer
   * token (for good: the primary would refuse it again). The hint is deleted
   * unless it changed since it was sent; the returned op makes that durable.
   * A damaged delivery (`retry`) is sent again at the next round.
   */
  acknowledged(op: OperationId, from: string, retry: boolean): StorageOp | undefined {
    const hint = this.#inFlight.get(op);
    if (hint === undefined || hint.primary !== from) return undefined;
    this.#inFlight.delete(op);
    const sentVersion = hint.inFlight?.version;
    hint.inFlight = undefined;
    if (retry || sentVersion !== hint.version) return undefined;
    this.#hints.delete(hint.storageKey);
    const forKey = this.#byKey.get(hint.keyId);
    forKey?.delete(hint.primary);
    if (forKey?.size === 0) this.#byKey.delete(hint.keyId);
    return { kind: "delete", key: hint.storageKey };
  }

  #add(hint: Hint): void {
    this.#hints.set(hint.storageKey, hint);
    let forKey = this.#byKey.get(hint.keyId);
    if (forKey === undefined) {
      forKey = new Map();
      this.#byKey.set(hint.keyId, forKey);
    }
    forKey.set(hint.primary, hint);
  }
}
