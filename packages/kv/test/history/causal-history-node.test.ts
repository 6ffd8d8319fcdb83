/**
 * node/causal-history.ts on its own: which write a retired dot is charged
 * to, what a replica reports from a merge, what survives a restart, and how
 * a coordinator merges the replicas' answers.
 */
import { VectorClock } from "@skew/vector";
import { describe, expect, it } from "vitest";
import { parsePeerMessage } from "../../src/messages.js";
import { CausalHistories, CausalReadAtCoordination, retiredAt } from "../../src/node/causal-history.js";
import { ReadAtCoordination } from "../../src/node/read-at.js";
import { ServedReads } from "../../src/node/served-reads.js";
import type { StorageOp } from "../../src/node/storage.js";
import { keyIdOf } from "../../src/node/storage.js";
import { type CausalRecord, causalWrite, mergeRecords } from "../../src/record/index.js";
import type { NormalRequest } from "../../src/requests.js";
import { replayStorage } from "../support/history-storage.js";

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const keyId = keyIdOf("c", "x");
const dotted = (replica: string, counter: number, fence: number, at: number) => ({
  replica,
  counter,
  value: { fence, at, value: null },
});

describe("retiredAt: the stamp of the write that retired a sibling", () => {
  it("is the earliest candidate stamped after it; the higher token's when a token superseded it", () => {
    const retired = { fence: 0, at: 10, value: null };
    expect(retiredAt(retired, [dotted("a", 1, 0, 30), dotted("b", 1, 0, 20), dotted("c", 1, 0, 5)])).toBe(20);
    // A fence supersession: only the higher-fenced write retired it, even if a lower one is stamped earlier.
    expect(retiredAt(retired, [dotted("a", 1, 0, 12), dotted("b", 1, 7, 40)])).toBe(40);
  });

  it("is at or before the sibling's own stamp when every retirer is stamped earlier (a zombie: never visible)", () => {
    expect(retiredAt({ fence: 33, at: 50, value: null }, [dotted("a", 1, 34, 40), dotted("b", 1, 34, 30)])).toBe(40);
  });

  it("is undefined without candidates", () => {
    expect(retiredAt({ fence: 0, at: 1, value: null }, [])).toBeUndefined();
  });
});

/** Nothing served yet: every report is recorded at its stamps. */
const unserved = new ServedReads();

/** `records`: the replica's, which answer for a key until a change gives it a history of its own. */
function histories(writes: StorageOp[], options = {}, records = new Map<string, CausalRecord>()): CausalHistories {
  return new CausalHistories(
    new Map([["c", "causal"]]),
    options,
    (op) => writes.push(op),
    (id) => records.get(id),
  );
}

describe("CausalHistories", () => {
  /** A and B blind (n1 at 10, n2 at 20), merged; then C at n3 (at 30) with their context. */
  function scenario(): { a: CausalRecord; ab: CausalRecord; c: CausalRecord } {
    const a = causalWrite(undefined, bytes("A"), VectorClock.empty, 0, "n1", 10);
    const b = causalWrite(undefined, bytes("B"), VectorClock.empty, 0, "n2", 20);
    const ab = mergeRecords(a, b) as CausalRecord;
    const c = causalWrite(ab, bytes("C"), ab.set.join(), 0, "n3", 30);
    return { a, ab, c };
  }

  it("reports the siblings of a merge live and the retired ones superseded at their retirer's stamp", () => {
    const writes: StorageOp[] = [];
    const h = histories(writes);
    const { a, ab, c } = scenario();
    h.accept(keyId, undefined, undefined, a, unserved);
    h.accept(keyId, a, ab, ab, unserved);
    h.accept(keyId, ab, c, mergeRecords(ab, c), unserved);
    expect(h.history(keyId).map((s) => [s.replica, s.at, s.supersededAt])).toEqual([
      ["n1", 10, 30],
      ["n2", 20, 30],
      ["n3", 30, undefined],
    ]);
    const at = (t: number): string[] => {
      const found = h.siblingsAt(keyId, t);
      if (found === undefined || !found.ok) throw new Error("no answer");
      return found.value.map((s) => new TextDecoder().decode(s.value as Uint8Array));
    };
    expect([at(9), at(10), at(20), at(29), at(30)]).toEqual([[], ["A"], ["A", "B"], ["A", "B"], ["C"]]);
    expect(h.siblingsAt(keyIdOf("other-bucket", "x"), 5)).toBeUndefined();
  });

  it("records a birth or a supersession that arrives after a read at or above its stamp just above that read", () => {
    const h = histories([]);
    const served = new ServedReads();
    const { a, ab, c } = scenario();
    h.accept(keyId, undefined, undefined, a, served); // A (stamped 10) arrives in time
    served.served("causal", 25); // a read at 25 answered here: [A]
    h.accept(keyId, a, ab, ab, served); // B (stamped 20) arrives late
    const at = (t: number): string[] => {
      const found = h.siblingsAt(keyId, t);
      if (found === undefined || !found.ok) throw new Error("no answer");
      return found.value.map((s) => new TextDecoder().decode(s.value as Uint8Array));
    };
    expect([at(20), at(25)]).toEqual([["A"], ["A"]]); // what was answered at 25 still holds
    expect(at(26)).toEqual(["A", "B"]);
    served.served("causal", 40); // a read at 40: [A, B]
    h.accept(keyId, ab, c, mergeRecords(ab, c), served); // C (stamped 30) arrives late and retires A and B
    expect([at(25), at(30), at(40)]).toEqual([["A"], ["A", "B"], ["A", "B"]]);
    expect(at(41)).toEqual(["C"]);
    expect(h.history(keyId).map((s) => [s.replica, s.at, s.supersededAt])).toEqual([
      ["n1", 10, 41],
      ["n2", 26, 41],
      ["n3", 41, undefined],
    ]);
    expect(h.stats.reportsLate).toBeGreaterThan(0);
  });

  it("lets the record answer for a key until a change retires a sibling, and keeps its past when the record goes", () => {
    const writes: StorageOp[] = [];
    const records = new Map<string, CausalRecord>();
    const h = histories(writes, {}, records);
    const { a, ab, c } = scenario();
    const at = (t: number): string[] => {
      const found = h.siblingsAt(keyId, t);
      if (found === undefined || !found.ok) throw new Error("no answer");
      return found.value.map((s) => new TextDecoder().decode(s.value as Uint8Array));
    };
    records.set(keyId, a);
    h.accept(keyId, undefined, undefined, a, unserved);
    records.set(keyId, ab);
    h.accept(keyId, a, ab, ab, unserved); // B beside A: nothing retired
    expect(h.answeredByRecord(keyId)).toBe(true);
    expect([at(9), at(10), at(20)]).toEqual([[], ["A"], ["A", "B"]]);
    expect(h.history(keyId).map((s) => [s.replica, s.at, s.supersededAt])).toEqual([
      ["n1", 10, undefined],
      ["n2", 20, undefined],
    ]);
    const abc = mergeRecords(ab, c) as CausalRecord;
    records.set(keyId, abc);
    h.accept(keyId, ab, c, abc, unserved); // C retires A and B: the key takes the history its record implied
    expect(h.answeredByRecord(keyId)).toBe(false);
    expect([at(10), at(20), at(30)]).toEqual([["A"], ["A", "B"], ["C"]]);

    // A key whose record is removed (a tombstone's, say) keeps its past: the history takes it from the record first.
    const other = keyIdOf("c", "y");
    const d = causalWrite(undefined, null, VectorClock.empty, 0, "n1", 50);
    records.set(other, d);
    h.accept(other, undefined, undefined, d, unserved);
    h.recordRemoved(other, d);
    records.delete(other);
    expect(h.answeredByRecord(other)).toBe(false);
    expect(h.history(other).map((s) => [s.replica, s.at, s.tombstone])).toEqual([["n1", 50, true]]);
    // None of it needed an entry: every sibling kept live was born at its stamp, and only A and B were superseded.
    expect(replayStorage(writes).size).toBe(2);
  });

  it("restores what it stored, and drops (and deletes) an entry that fails its checksum", () => {
    const writes: StorageOp[] = [];
    const h = histories(writes, { versionsPerKey: 1 });
    const { a, ab, c } = scenario();
    h.accept(keyId, undefined, undefined, a, unserved);
    h.accept(keyId, a, ab, ab, unserved);
    const abc = mergeRecords(ab, c) as CausalRecord;
    h.accept(keyId, ab, c, abc, unserved);
    expect(h.horizon(keyId)).toBe(30); // one superseded sibling kept: the other dropped at 30
    const disk = replayStorage(writes);
    const restored = histories([], {}, new Map([[keyId, abc]]));
    for (const [key, value] of disk) expect(restored.restore(key, value)).toBe(true);
    // The live siblings, born at their stamps, have no entry: the record gives them back.
    expect(restored.history(keyId).length).toBeLessThan(h.history(keyId).length);
    restored.restoreRecords();
    expect(restored.history(keyId)).toEqual(h.history(keyId));
    expect(restored.horizon(keyId)).toBe(30);
    const below = restored.siblingsAt(keyId, 29);
    expect(below !== undefined && !below.ok && below.error.code).toBe("HISTORY_TRUNCATED");

    const deletes: StorageOp[] = [];
    const damaged = histories(deletes);
    // The superseded sibling kept (n1's or n2's) is the one entry: n3's is live at its stamp.
    const [key, value] = [...disk].find(([k]) => /"n[12]"/.test(k)) as [string, Uint8Array];
    const flipped = value.slice();
    flipped[0] = (flipped[0] as number) ^ 1;
    expect(damaged.restore(key, flipped)).toBe(false);
    expect(damaged.restore(`${key}junk`, value)).toBe(false);
    expect(deletes).toEqual([
      { kind: "delete", key },
      { kind: "delete", key: `${key}junk` },
    ]);
    expect(damaged.stats.entriesCorruptRestored).toBe(2);
    expect(damaged.history(keyId)).toEqual([]);
  });
});

describe("CausalReadAtCoordination", () => {
  const request = { quorum: 2, primaryQuorum: 0 } as NormalRequest;
  const sibling = (replica: string, value: string | null) => ({
    replica,
    counter: 1,
    at: 5,
    value: value === null ? null : bytes(value),
  });

  it("answers the union of R replicas' siblings by dot, tombstones left out, with no context", () => {
    const read = new CausalReadAtCoordination({ kind: "client", requestId: 1 }, request, 5, ["n1", "n2", "n3"], 100);
    read.answer("n1", [sibling("n2", "B")], null);
    expect(read.outcome()).toBeUndefined();
    read.answer("n1", [sibling("n1", "ignored: n1 answered already")], null);
    read.answer("n9", [sibling("n1", "ignored: not a target")], null);
    read.answer("n2", [sibling("n1", "A"), sibling("n2", "B"), sibling("n3", null)], null);
    const outcome = read.outcome();
    expect(outcome?.ok && "values" in outcome && outcome.values.map((v) => new TextDecoder().decode(v))).toEqual([
      "A",
      "B",
    ]);
    expect(outcome?.ok && outcome.context).toBe("");
  });

  it("fails HISTORY_TRUNCATED, definitely, once too few replicas are left for R", () => {
    const read = new CausalReadAtCoordination({ kind: "client", requestId: 1 }, request, 5, ["n1", "n2", "n3"], 100);
    read.answer("n1", null, 9);
    expect(read.outcome()).toBeUndefined();
    read.answer("n2", null, 12);
    const outcome = read.outcome();
    expect(outcome !== undefined && !outcome.ok && [outcome.code, outcome.definite]).toEqual([
      "HISTORY_TRUNCATED",
      true,
    ]);
  });
});

describe("reads of the past and recovering replicas (node/recovery.ts)", () => {
  const request = { quorum: 3, primaryQuorum: 3 } as NormalRequest; // every primary, as a mode with a safe time asks
  const targets = ["n1", "n2", "n3"];
  const code = (outcome: ReturnType<CausalReadAtCoordination["outcome"]>) =>
    outcome !== undefined && !outcome.ok ? [outcome.code, outcome.definite] : outcome;

  it("a recovering replica gives no answer: the read fails UNAVAILABLE, definitely, rather than count it", () => {
    // It may have lost the overwrite of a sibling it still holds live: counted, a union would show that sibling.
    for (const read of [
      new CausalReadAtCoordination({ kind: "client", requestId: 1 }, request, 5, targets, 100),
      new ReadAtCoordination({ kind: "client", requestId: 1 }, request, 5, targets, 100),
    ]) {
      read.answer("n2", null, null, true);
      expect(code(read.outcome())).toEqual(["UNAVAILABLE", true]);
    }
  });

  it("with a truncated history among the refusals, the failure is HISTORY_TRUNCATED", () => {
    const read = new CausalReadAtCoordination({ kind: "client", requestId: 1 }, request, 5, targets, 100);
    read.answer("n1", null, 9);
    read.answer("n2", null, null, true);
    const outcome = read.outcome();
    expect(code(outcome)).toEqual(["HISTORY_TRUNCATED", true]);
    expect(outcome !== undefined && !outcome.ok && outcome.message).toMatch(/1 of 3 replicas are recovering/);
  });
});

describe("read-siblings-at-reply on the wire", () => {
  const base = { kind: "read-siblings-at-reply", ts: 1, op: "1.1" };
  it("is checked field by field", () => {
    const good = [
      { ...base, siblings: [{ replica: "n1", counter: 1, at: 5, value: null }], horizon: null },
      { ...base, siblings: null, horizon: 7 },
    ];
    for (const m of good) expect(parsePeerMessage(m).ok, JSON.stringify(m)).toBe(true);
    const bad = [
      { ...base, siblings: null, horizon: null },
      { ...base, siblings: [], horizon: 7 },
      { ...base, siblings: [{ replica: "", counter: 1, at: 5, value: null }], horizon: null },
      { ...base, siblings: [{ replica: "n1", counter: 0, at: 5, value: null }], horizon: null },
      { ...base, siblings: [{ replica: "n1", counter: 1, at: Number.NaN, value: null }], horizon: null },
      { ...base, siblings: [{ replica: "n1", counter: 1, at: 5, value: "v" }], horizon: null },
    ];
    for (const m of bad) expect(parsePeerMessage(m).ok, JSON.stringify(m)).toBe(false);
  });
});
