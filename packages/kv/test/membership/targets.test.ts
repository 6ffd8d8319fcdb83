/**
 * The sloppy quorum's placement (coordinator/targets.ts), as laws over any
 * preference list, fallbacks and set of suspected nodes.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { placeRequest } from "../../src/coordinator/targets.js";

const ids = ["a", "b", "c", "d", "e", "f", "g"];

/** A ring walk cut into N primaries and the fallbacks after them, and some nodes suspected. */
const scenario = fc
  .record({
    order: fc.shuffledSubarray(ids, { minLength: 1, maxLength: ids.length }),
    n: fc.integer({ min: 1, max: ids.length }),
    suspected: fc.subarray(ids),
  })
  .map(({ order, n, suspected }) => ({
    primaries: order.slice(0, n),
    fallbacks: order.slice(n),
    suspected: new Set(suspected),
  }));

describe("placeRequest", () => {
  test("one target per primary; an unsuspected primary is its own target, without a hint", () => {
    fc.assert(
      fc.property(scenario, ({ primaries, fallbacks, suspected }) => {
        const { targets } = placeRequest(primaries, fallbacks, (node) => suspected.has(node));
        expect(targets).toHaveLength(primaries.length);
        primaries.forEach((primary, i) => {
          if (!suspected.has(primary)) expect(targets[i]).toEqual({ node: primary, hint: undefined });
        });
      }),
    );
  });

  test("a suspected primary is replaced by an unsuspected fallback, hinted, fallbacks taken in ring order, never twice", () => {
    fc.assert(
      fc.property(scenario, ({ primaries, fallbacks, suspected }) => {
        const { targets } = placeRequest(primaries, fallbacks, (node) => suspected.has(node));
        const nodes = targets.map((t) => t.node);
        expect(new Set(nodes).size).toBe(nodes.length);
        const used = targets.filter((t) => t.hint !== undefined);
        const healthyFallbacks = fallbacks.filter((f) => !suspected.has(f));
        expect(used.map((t) => t.node)).toEqual(healthyFallbacks.slice(0, used.length));
        primaries.forEach((primary, i) => {
          const target = targets[i];
          if (!suspected.has(primary)) return;
          if (target?.hint !== undefined) expect(target.hint).toBe(primary);
          // Kept (sent anyway) only once the healthy fallbacks ran out.
          else expect(target?.node === primary && used.length === healthyFallbacks.length).toBe(true);
        });
      }),
    );
  });

  test("counts the primaries and targets believed alive", () => {
    fc.assert(
      fc.property(scenario, ({ primaries, fallbacks, suspected }) => {
        const placement = placeRequest(primaries, fallbacks, (node) => suspected.has(node));
        expect(placement.primariesUp).toBe(primaries.filter((p) => !suspected.has(p)).length);
        expect(placement.targetsUp).toBe(placement.targets.filter((t) => !suspected.has(t.node)).length);
      }),
    );
  });

  test("example: N=3, the second primary suspected, the first fallback too", () => {
    const suspected = new Set(["b", "d"]);
    const placement = placeRequest(["a", "b", "c"], ["d", "e"], (node) => suspected.has(node));
    expect(placement).toEqual({
      targets: [
        { node: "a", hint: undefined },
        { node: "e", hint: "b" },
        { node: "c", hint: undefined },
      ],
      primariesUp: 2,
      targetsUp: 3,
    });
  });
});
