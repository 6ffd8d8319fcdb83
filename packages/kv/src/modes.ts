/**
 * How a bucket resolves concurrent writes, chosen per bucket (Riak's
 * `allow_mult` / `last_write_wins` bucket properties, with the clock made
 * explicit). The four last-write-wins modes differ only in the clock that
 * stamps a write at its coordinator; `causal` keeps concurrent writes as
 * siblings in a dotted version vector set. The chapter (section 3.3) is the
 * reason there are five: the same workload loses writes under one clock and
 * keeps them under another.
 */
export const conflictModes = ["lww-wall", "lww-lamport", "lww-hlc", "lww-truetime", "causal"] as const;

export type ConflictMode = (typeof conflictModes)[number];

/** The last-write-wins modes. */
export type LwwMode = Exclude<ConflictMode, "causal">;

export function isConflictMode(value: unknown): value is ConflictMode {
  return typeof value === "string" && (conflictModes as readonly string[]).includes(value);
}

export function isLww(mode: ConflictMode): mode is LwwMode {
  return mode !== "causal";
}
