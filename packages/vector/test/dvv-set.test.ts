/**
 * Dotted version vector sets, case by case: the behaviours dvvset.erl and its
 * README state (which here keep their meaning, with dots written out), and
 * the places where this implementation deliberately differs.
 */
import { Buffer } from "node:buffer";
import { counterMax, DottedVersionVectorSet, siblingsMax, VectorClock, VectorError } from "@skew/vector";
import { describe, expect, it } from "vitest";

type Strings = DottedVersionVectorSet<string>;
const empty = (): Strings => DottedVersionVectorSet.empty<string>();
const none = VectorClock.empty;
const clock = (entries: Record<string, number>): VectorClock => VectorClock.from(entries);
const dots = (set: Strings): string[] => set.siblings().map((s) => `${s.replica}:${s.counter}=${s.value}`);
const text = {
  encode: (value: string) => new TextEncoder().encode(value),
  decode: (bytes: Uint8Array) => new TextDecoder("utf-8", { fatal: true }).decode(bytes),
};

describe("DottedVersionVectorSet", () => {
  it("starts empty", () => {
    const set = empty();
    expect(set.size).toBe(0);
    expect(set.values()).toEqual([]);
    expect(set.join().size).toBe(0);
  });

  it("keeps blind writes at one replica apart by their dots, and lets a write overwrite exactly what its context saw", () => {
    // The dvvset README's example: v1 and v2 are written blind at A; a client that read only v1
    // writes v3 with that context. v1 goes, v2 stays (v3's client never saw it).
    const v1 = empty().update("v1", none, "A");
    const readV1 = v1.join();
    const v2 = v1.update("v2", none, "A");
    expect(dots(v2)).toEqual(["A:1=v1", "A:2=v2"]);
    const v3 = v2.update("v3", readV1, "A");
    expect(dots(v3)).toEqual(["A:2=v2", "A:3=v3"]);
    expect(v3.join().entries()).toEqual([["A", 3]]);
  });

  it("behaves as dvvset.erl's update tests describe", () => {
    const a0 = empty().update("v1", none, "a");
    const a1 = a0.update("v2", a0.join(), "a");
    expect(dots(a0)).toEqual(["a:1=v1"]);
    expect(dots(a1)).toEqual(["a:2=v2"]);
    expect(dots(a1.update("v3", a1.join(), "b"))).toEqual(["b:1=v3"]);
    expect(a1.update("v3", a1.join(), "b").join().entries()).toEqual([
      ["a", 2],
      ["b", 1],
    ]);
    // A context older than the replica's state overwrites only what it saw.
    expect(dots(a1.update("v4", a0.join(), "b"))).toEqual(["a:2=v2", "b:1=v4"]);
    expect(dots(a1.update("v5", a0.join(), "a"))).toEqual(["a:2=v2", "a:3=v5"]);
  });

  it("syncs: histories merge, a sibling the other side saw and dropped goes, one it never saw stays", () => {
    const atA = empty().update("v1", none, "A").update("v2", none, "A"); // A:1 v1, A:2 v2
    const atB = empty().update("v3", clock({ A: 1 }), "B"); // saw v1 only
    const both = atA.sync(atB);
    expect(dots(both)).toEqual(["A:2=v2", "B:1=v3"]);
    expect(both.join().entries()).toEqual([
      ["A", 2],
      ["B", 1],
    ]);
    expect(atB.sync(atA).equals(both)).toBe(true);
    expect(both.sync(atA)).toBe(both); // nothing new: the same set back
    expect(atA.sync(atA)).toBe(atA);
  });

  it("matches dvvset.erl's sync of two sets that each wrote on the same context at different replicas", () => {
    const a1 = empty().update("v2", clock({ a: 1 }), "a"); // update/2 on new(join(A), v2)
    const a3 = empty().update("v3", a1.join(), "b");
    const a4 = empty().update("v3", a1.join(), "c");
    const synced = a4.sync(a3);
    expect(dots(synced)).toEqual(["b:1=v3", "c:1=v3"]);
    expect(synced.join().entries()).toEqual([
      ["a", 2],
      ["b", 1],
      ["c", 1],
    ]);
  });

  it("treats a write whose context saw everything as overwriting every sibling", () => {
    const siblings = empty().update("x", none, "A").update("y", none, "B").update("z", none, "A");
    expect(siblings.size).toBe(3);
    const resolved = siblings.update("merged", siblings.join(), "C");
    expect(dots(resolved)).toEqual(["C:1=merged"]);
  });

  it("uses a pruned context for the events it lists: the write overwrites less, never more", () => {
    const set = empty().update("x", none, "A").update("y", none, "B").update("z", none, "B");
    const sawAll = set.join();
    const sawOnlyB = sawAll.prune(1); // {B:2} (pruned): the client saw A:1 too, but the context no longer says so
    expect(sawOnlyB.entries()).toEqual([["B", 2]]);
    expect(dots(set.update("w", sawOnlyB, "C"))).toEqual(["A:1=x", "C:1=w"]);
    expect(set.update("w", sawOnlyB, "C").join().pruned).toBe(false);
  });

  it("lww keeps the greatest value at its own dot and overwrites the rest", () => {
    const set = DottedVersionVectorSet.empty<{ v: string; ts: number }>()
      .update({ v: "old", ts: 1 }, none, "A")
      .update({ v: "new", ts: 9 }, none, "B")
      .update({ v: "mid", ts: 5 }, none, "A");
    const winner = set.lww((a, b) => a.ts - b.ts);
    expect(winner.siblings()).toEqual([{ replica: "B", counter: 1, value: { v: "new", ts: 9 } }]);
    expect(winner.join().equals(set.join())).toBe(true);
    // A replica that still holds the losers drops them on sync: lww overwrote their dots.
    expect(set.sync(winner).values()).toEqual([{ v: "new", ts: 9 }]);
    // Ties go to the later dot, whoever asks.
    const tie = empty().update("p", none, "B").update("q", none, "A");
    expect(tie.lww(() => 0).values()).toEqual(["p"]);
    expect(empty().lww(() => 0).size).toBe(0);
  });

  it("retain keeps the siblings a predicate accepts at their dots, the history unchanged", () => {
    // Values carry the fencing token they were written with; the token-33 sibling is below the highest seen.
    const set = DottedVersionVectorSet.empty<{ v: string; fence: number }>()
      .update({ v: "zombie", fence: 33 }, none, "C")
      .update({ v: "leaseholder", fence: 34 }, none, "A")
      .update({ v: "other", fence: 34 }, none, "B");
    const kept = set.retain((value) => value.fence >= 34);
    expect(kept.siblings()).toEqual([
      { replica: "A", counter: 1, value: { v: "leaseholder", fence: 34 } },
      { replica: "B", counter: 1, value: { v: "other", fence: 34 } },
    ]);
    expect(kept.join()).toBe(set.join());
    // The dropped dot stays covered: a replica that still holds the zombie's sibling drops it on sync, either way.
    expect(
      set
        .sync(kept)
        .values()
        .map((value) => value.v),
    ).toEqual(["leaseholder", "other"]);
    expect(
      kept
        .sync(set)
        .values()
        .map((value) => value.v),
    ).toEqual(["leaseholder", "other"]);
    // Keeping everything returns the set itself; keeping nothing leaves the history alone.
    expect(set.retain(() => true)).toBe(set);
    const dropped = set.retain(() => false);
    expect(dropped.size).toBe(0);
    expect(dropped.join().equals(set.join())).toBe(true);
  });

  it("reconcile writes the merged value with a dot of its own, so a concurrent write survives it", () => {
    // Replica A and B both hold s1 and s2. A reconciles them into "s1+s2"; meanwhile B takes a blind write s3.
    const shared = empty().update("s1", none, "A").update("s2", none, "B");
    const reconciled = shared.reconcile((values) => values.join("+"), "A");
    expect(dots(reconciled)).toEqual(["A:2=s1+s2"]);
    const withS3 = shared.update("s3", none, "B");
    // Riak's dotless reconcile would keep only s3 here (see the file comment of the set); with a dot, both stay.
    expect(dots(reconciled.sync(withS3))).toEqual(["A:2=s1+s2", "B:2=s3"]);
    expect(dots(withS3.sync(reconciled))).toEqual(["A:2=s1+s2", "B:2=s3"]);
    // A replica that never saw s3 simply takes the reconciled value.
    expect(dots(shared.sync(reconciled))).toEqual(["A:2=s1+s2"]);
    // With fewer than two siblings there is nothing to reconcile.
    const single = empty().update("only", none, "A");
    expect(single.reconcile(() => "changed", "A")).toBe(single);
  });

  it("maps values and keeps dots", () => {
    const set = empty().update("a", none, "A").update("b", none, "B");
    const upper = set.map((v) => v.toUpperCase());
    expect(dots(upper)).toEqual(["A:1=A", "B:1=B"]);
    expect(upper.join()).toBe(set.join());
  });

  it("encodes with a value codec and decodes to an equal set", () => {
    const set = empty()
      .update("x", none, "A")
      .update("日本", none, "B")
      .update("", clock({ A: 1 }), "A");
    const bytes = set.encode(text);
    const decoded = DottedVersionVectorSet.decode(bytes, text);
    expect(decoded.equals(set)).toBe(true);
    expect(Buffer.from(decoded.encode(text)).equals(Buffer.from(bytes))).toBe(true);
    expect(DottedVersionVectorSet.decode(empty().encode(text), text).size).toBe(0);
  });

  it("names what is wrong with bad encoded sets", () => {
    const code = (bytes: readonly number[]): string | undefined => {
      try {
        DottedVersionVectorSet.decode(Uint8Array.from(bytes), text);
        return undefined;
      } catch (error) {
        if (error instanceof VectorError) return error.code;
        throw error;
      }
    };
    // Header, history {A:2} (flags, count, id, counter), then siblings [replica index, counter, length, bytes].
    const head = [0x53, 1, 0, 1, 1, 0x41, 2];
    expect(code([...head, 2, 0, 1, 1, 0x78, 0, 2, 1, 0x79])).toBeUndefined();
    expect(code([...head, 2, 0, 2, 1, 0x78, 0, 1, 1, 0x79])).toBe("VECTOR_MALFORMED"); // dots out of order
    expect(code([...head, 2, 0, 1, 1, 0x78, 0, 1, 1, 0x79])).toBe("VECTOR_MALFORMED"); // the same dot twice
    expect(code([...head, 1, 0, 3, 1, 0x78])).toBe("VECTOR_MALFORMED"); // a dot beyond the history
    expect(code([...head, 1, 1, 1, 1, 0x78])).toBe("VECTOR_MALFORMED"); // a replica index beyond the history
    expect(code([...head, 1, 0, 0, 1, 0x78])).toBe("VECTOR_MALFORMED"); // counter zero
    expect(code([...head, 1, 0, 1, 1, 0xff])).toBe("VECTOR_MALFORMED"); // the value codec refuses its bytes
    expect(code([0x53, 1, 1, 0, 0])).toBe("VECTOR_MALFORMED"); // a pruned history
    expect(code([0x53, 9, 0, 0, 0])).toBe("VECTOR_VERSION_UNSUPPORTED");
    expect(code([0x56, 1, 0, 0, 0])).toBe("VECTOR_MALFORMED"); // a clock, not a set
    expect(code([0x53, 1, 0, 0, 0x84, 0x80, 0x04])).toBe("VECTOR_LIMIT_EXCEEDED"); // 65540 siblings
    expect(siblingsMax).toBeLessThan(65_540);
  });

  it("reports an exhausted replica counter as VECTOR_COUNTER_OVERFLOW", () => {
    const ctx = clock({ A: counterMax });
    expect(() => empty().update("x", ctx, "A")).toThrow(expect.objectContaining({ code: "VECTOR_COUNTER_OVERFLOW" }));
    expect(empty().update("x", ctx, "B").join().get("A")).toBe(counterMax);
  });

  it("rejects programming mistakes with TypeError", () => {
    const set = empty().update("x", none, "A");
    expect(() => set.update("y", {} as never, "A")).toThrow(TypeError);
    expect(() => set.update("y", none, "")).toThrow(TypeError);
    expect(() => set.sync({} as never)).toThrow(TypeError);
    expect(() => set.lww("no" as never)).toThrow(TypeError);
    expect(() => set.retain("no" as never)).toThrow(TypeError);
    expect(() => set.reconcile("no" as never, "A")).toThrow(TypeError);
    expect(() => set.map("no" as never)).toThrow(TypeError);
    expect(() => set.encode({} as never)).toThrow(TypeError);
    expect(() => set.encode({ encode: () => "nope" } as never)).toThrow(TypeError);
    expect(() => DottedVersionVectorSet.decode(new Uint8Array(), {} as never)).toThrow(TypeError);
    expect(() => DottedVersionVectorSet.decode([] as never, text)).toThrow(TypeError);
  });

  it("prints its history and dots for people", () => {
    expect(empty().update("x", none, "A").update("y", none, "A").toString()).toBe('{"A":2} [A:1 A:2]');
  });
});
