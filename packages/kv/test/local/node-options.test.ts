/**
 * KvNode checks its options and its driver's inputs, and a bad one is named
 * in the node's own error whatever it is: even a value whose conversion to
 * text throws ({ toString: 0 }, a null-prototype object, a symbol) must not
 * surface as the engine's "Cannot convert object to primitive value".
 */
import { describe, expect, it } from "vitest";
import { KvNode } from "../../src/index.js";
import { manualClocks, manualCluster } from "../support/manual-cluster.js";

const hostile = [{ toString: 0 }, Object.create(null), Symbol()] as never[];

describe("KvNode's checks, given a value whose conversion to text throws", () => {
  it("name the option in the node's own error", () => {
    for (const bad of hostile) {
      const build = (nodeOptions: object) => () => manualCluster({ b: "lww-hlc", c: "causal" }, nodeOptions);
      expect(() => manualCluster({ b: bad })).toThrow(/^KvNode: bucket b has no conflict mode: an? \w+$/);
      expect(build({ durability: bad })).toThrow(/^KvNode: durability is "sync" or "relaxed", got an? \w+$/);
      expect(build({ hintsMax: bad })).toThrow(/^KvNode: hintsMax must be .*, got an? \w+$/);
      expect(build({ antiEntropyIntervalMs: bad })).toThrow(/^KvNode: antiEntropyIntervalMs must be .*, got an? \w+$/);
      expect(build({ tombstoneRemovalDelayMs: bad })).toThrow(/^KvNode: tombstoneRemovalDelayMs .*, got an? \w+$/);
      expect(build({ ghostRetentionMs: bad })).toThrow(/^KvNode: ghostRetentionMs .*, got an? \w+$/);
      expect(build({ history: { maxAgeMs: bad } })).toThrow(/^KvNode: history.maxAgeMs .*, got an? \w+$/);
    }
  });

  it("name an id that is not a member, even one with no JSON (a bigint)", () => {
    const clocks = manualClocks("n1");
    const build = (id: unknown) => () =>
      new KvNode({ id: id as string, nodes: ["n1", "n2", "n3"], buckets: { b: "lww-hlc" }, clocks });
    expect(build(10n)).toThrow(/^KvNode: id 10n is not among the nodes$/);
    expect(build("n4")).toThrow(/^KvNode: id "n4" is not among the nodes$/);
    for (const bad of hostile) expect(build(bad)).toThrow(/^KvNode: id an? \w+ is not among the nodes$/);
  });

  it("name the driver's input in the node's own error", () => {
    const node = manualCluster({ b: "lww-hlc" }).cluster.node("n1");
    for (const bad of hostile) {
      expect(() => node.membership(bad)).toThrow(/^KvNode.membership: nowMs must be .*, got an? \w+$/);
      expect(() => node.handleDurable(bad, 0)).toThrow(/^handleDurable: expected batch \d+ .*, got an? \w+$/);
    }
  });
});
