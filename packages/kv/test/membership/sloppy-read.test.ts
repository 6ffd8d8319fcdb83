/**
 * When a sloppy read may answer (coordinator/read.ts): R counts primaries and
 * the fallbacks that hold something for the key; a fallback's "none" counts
 * only once every target has replied, because a fallback is not a replica
 * and its none says nothing about the key. A recovering primary (it may
 * have forgotten writes it acknowledged: node/recovery.ts) counts as a
 * fallback does, so PR counts only primaries that are not recovering.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ReadCoordination } from "../../src/coordinator/read.js";
import type { LwwRecord } from "../../src/record/index.js";
import { type NormalRequest, parseClientRequest } from "../../src/requests.js";

function lww(time: number, value: string): LwwRecord {
  return { kind: "lww", stamp: { fence: 0, time, node: "n3" }, value: new TextEncoder().encode(value) };
}

function getRequest(r: number, pr = 0): NormalRequest {
  const parsed = parseClientRequest({ kind: "get", bucket: "b", key: "k", n: 3, r, pr }, 5);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

const primaries = new Set(["n3", "n4", "n5"]);

function coordination(targets: readonly string[], r: number, pr = 0): ReadCoordination {
  return new ReadCoordination({ kind: "client", requestId: 1 }, getRequest(r, pr), targets, primaries, 1_000);
}

describe("ReadCoordination", () => {
  test("an empty fallback's none does not answer an r = 1 read while primaries holding the value are still out", () => {
    // The coordinator suspected n3 and asked fallback n1 in its place (the fault suite's seed 939765340).
    const read = coordination(["n1", "n4", "n5"], 1);
    read.reply("n1", undefined);
    expect(read.quorumMet).toBe(false);
    read.reply("n4", lww(7, "156 increments"));
    expect(read.quorumMet).toBe(true);
    expect(read.merged).toEqual(lww(7, "156 increments"));
    // Read repair still goes to primaries only, so the fallback is never sent a copy.
    read.reply("n5", undefined);
    expect(read.stale()).toEqual(["n5"]);
  });

  test("a fallback holding a sloppy write answers at once; a primary's none is an answer", () => {
    const withHint = coordination(["n1", "n4", "n5"], 1);
    withHint.reply("n1", lww(3, "sloppy"));
    expect(withHint.quorumMet).toBe(true);
    const primaryNone = coordination(["n1", "n4", "n5"], 1);
    primaryNone.reply("n4", undefined);
    expect(primaryNone.quorumMet).toBe(true);
    expect(primaryNone.merged).toBeUndefined();
  });

  test("when every target is a fallback holding nothing, the read answers none once all have replied", () => {
    const read = coordination(["n1", "n2", "n5"], 2);
    read.reply("n1", undefined);
    read.reply("n2", undefined);
    expect(read.quorumMet).toBe(false);
    read.reply("n5", undefined);
    expect(read.quorumMet).toBe(true);
    expect(read.merged).toBeUndefined();
  });

  test("a recovering primary does not count towards PR: the strict read waits for two that are not", () => {
    // The fault suite's seed 962228511: n3 forgot increments n5 holds; n4 never had them.
    const read = coordination(["n3", "n4", "n5"], 2, 2);
    read.reply("n3", undefined, true);
    read.reply("n4", undefined);
    expect(read.quorumMet).toBe(false);
    expect(read.primariesCounted).toBe(1);
    read.reply("n5", lww(4, "increments"));
    expect(read.quorumMet).toBe(true);
    expect(read.merged).toEqual(lww(4, "increments"));
    // It is repaired as any primary that answered less.
    expect(read.stale().sort()).toEqual(["n3", "n4"]);
  });

  test("with every reply in and too few primaries not recovering, the quorum is not met", () => {
    const read = coordination(["n3", "n4", "n5"], 2, 2);
    read.reply("n3", lww(1, "old"), true);
    read.reply("n4", lww(1, "old"), true);
    read.reply("n5", lww(1, "old"));
    expect(read.allReplied).toBe(true);
    expect(read.quorumMet).toBe(false);
  });

  test("law: once met, R replies say something about the key, or every target replied; PR of them are primaries not recovering", () => {
    const nodes = ["n1", "n2", "n3", "n4", "n5"];
    const arbitraryRead = fc
      .tuple(
        fc.shuffledSubarray(nodes, { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
      )
      .chain(([targets, r, pr]) =>
        fc.record({
          targets: fc.constant(targets),
          r: fc.constant(r),
          pr: fc.constant(pr),
          // Each target's answer (a record or none), in the order they arrive.
          replies: fc
            .shuffledSubarray(targets, { minLength: 0, maxLength: 3 })
            .chain((order) =>
              fc.tuple(
                ...order.map((node) =>
                  fc.tuple(fc.constant(node), fc.option(fc.nat(9), { nil: undefined }), fc.boolean()),
                ),
              ),
            ),
        }),
      );
    fc.assert(
      fc.property(arbitraryRead, ({ targets, r, pr, replies }) => {
        const read = coordination(targets, r, pr);
        const seen: [string, number | undefined, boolean][] = [];
        for (const [node, time, recovering] of replies) {
          read.reply(node, time === undefined ? undefined : lww(time, `v${time}`), recovering);
          seen.push([node, time, recovering]);
          // A recovering primary's reply is a fallback's.
          const counts = ([n, , rec]: [string, number | undefined, boolean]): boolean => primaries.has(n) && !rec;
          const informative = seen.filter((reply) => counts(reply) || reply[1] !== undefined).length;
          const fromPrimaries = seen.filter(counts).length;
          const all = seen.length === targets.length;
          expect(read.quorumMet).toBe((informative >= r || all) && seen.length >= r && fromPrimaries >= pr);
          // The answer is never "none" while a fallback's none stood in for a reply that could still bring a value.
          if (read.quorumMet && read.merged === undefined && !all) {
            expect(seen.filter(counts).length).toBeGreaterThanOrEqual(r);
          }
        }
      }),
    );
  });
});
