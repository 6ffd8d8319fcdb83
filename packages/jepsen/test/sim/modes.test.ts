import { type ConflictMode, conflictModes } from "@skew/kv";
import { describe, expect, it } from "vitest";
import { KvCluster, type Outcome, text } from "../../src/index.js";

const nodes = ["n1", "n2", "n3"];
const buckets = Object.fromEntries(conflictModes.map((mode) => [mode, mode])) as Record<string, ConflictMode>;

function cluster(seed = 1): KvCluster {
  return new KvCluster({ seed, nodes, clients: ["c1", "c2"], buckets });
}

function values(outcome: Outcome): string[] {
  expect(outcome.ok).toBe(true);
  if (!outcome.ok || !("values" in outcome)) throw new Error(`not a read: ${JSON.stringify(outcome)}`);
  return outcome.values.map(text.decode).sort();
}

function contextOf(outcome: Outcome): string {
  if (!outcome.ok) throw new Error(`failed: ${JSON.stringify(outcome)}`);
  return outcome.context;
}

describe.each(conflictModes)("%s, no faults", (mode) => {
  it("reads its writes through any node, overwrites with the context, and deletes", () => {
    const c = cluster();
    expect(values(c.callAndWait("c1", "n1", { kind: "get", bucket: mode, key: "k" }))).toEqual([]);
    const first = c.callAndWait("c1", "n1", { kind: "put", bucket: mode, key: "k", value: text.encode("a") });
    expect(first.ok).toBe(true);
    const read = c.callAndWait("c2", "n2", { kind: "get", bucket: mode, key: "k" });
    expect(values(read)).toEqual(["a"]);
    const second = c.callAndWait("c2", "n3", {
      kind: "put",
      bucket: mode,
      key: "k",
      value: text.encode("b"),
      context: contextOf(read),
    });
    expect(second.ok).toBe(true);
    const afterSecond = c.callAndWait("c1", "n1", { kind: "get", bucket: mode, key: "k", r: 3 });
    expect(values(afterSecond)).toEqual(["b"]);
    const deleted = c.callAndWait("c1", "n2", {
      kind: "delete",
      bucket: mode,
      key: "k",
      context: contextOf(afterSecond),
    });
    expect(deleted.ok).toBe(true);
    expect(values(c.callAndWait("c2", "n3", { kind: "get", bucket: mode, key: "k", r: 3 }))).toEqual([]);
    // Every replica holds the same version, durably: a restart of all of them changes nothing.
    c.sim.run({ forMs: 100 });
    for (const id of nodes) c.sim.node(id).crash({ unsynced: "all", restartAfterMs: 10 });
    c.sim.run({ forMs: 100 });
    expect(values(c.callAndWait("c1", "n1", { kind: "get", bucket: mode, key: "k", r: 3 }))).toEqual([]);
    const records = nodes.map((id) => c.node(id).localRecord(mode, "k"));
    expect(records.every((r) => r !== undefined)).toBe(true);
  });
});

describe("causal siblings", () => {
  it("two blind writes become siblings; a write with the context of both resolves them", () => {
    const c = cluster();
    c.callAndWait("c1", "n1", { kind: "put", bucket: "causal", key: "k", value: text.encode("x") });
    c.callAndWait("c2", "n2", { kind: "put", bucket: "causal", key: "k", value: text.encode("y") });
    const both = c.callAndWait("c1", "n3", { kind: "get", bucket: "causal", key: "k", r: 3 });
    expect(values(both)).toEqual(["x", "y"]);
    c.callAndWait("c1", "n3", {
      kind: "put",
      bucket: "causal",
      key: "k",
      value: text.encode("x+y"),
      context: contextOf(both),
    });
    expect(values(c.callAndWait("c2", "n1", { kind: "get", bucket: "causal", key: "k", r: 3 }))).toEqual(["x+y"]);
  });

  it("in a last-write-wins bucket the same two writes leave one value", () => {
    const c = cluster();
    c.callAndWait("c1", "n1", { kind: "put", bucket: "lww-hlc", key: "k", value: text.encode("x") });
    c.callAndWait("c2", "n2", { kind: "put", bucket: "lww-hlc", key: "k", value: text.encode("y") });
    expect(values(c.callAndWait("c1", "n3", { kind: "get", bucket: "lww-hlc", key: "k", r: 3 }))).toEqual(["y"]);
  });
});

describe("requests the node refuses", () => {
  it("answers limits and malformed requests with definite failures", () => {
    const c = cluster();
    const cases: [unknown, string][] = [
      [{ kind: "get", bucket: "nope", key: "k" }, "INVALID_REQUEST"],
      [{ kind: "get", bucket: "causal", key: "k", r: 4 }, "INVALID_REQUEST"],
      [{ kind: "put", bucket: "causal", key: "k", value: "not bytes" }, "INVALID_REQUEST"],
      [{ kind: "get", bucket: "causal", key: "k".repeat(2_000) }, "KEY_TOO_LARGE"],
      [{ kind: "get", bucket: "causal", key: "a\uD800" }, "INVALID_REQUEST"],
      [{ kind: "put", bucket: "causal", key: "k", value: new Uint8Array(2 * 1024 * 1024) }, "VALUE_TOO_LARGE"],
      [{ kind: "put", bucket: "causal", key: "k", value: new Uint8Array(1), context: "c.garbage" }, "INVALID_REQUEST"],
      [{ kind: "put", bucket: "lww-hlc", key: "k", value: new Uint8Array(1), context: "c.AAAA" }, "INVALID_REQUEST"],
    ];
    for (const [request, code] of cases) {
      const outcome = c.callAndWait("c1", "n1", request as never);
      expect(outcome).toMatchObject({ ok: false, code, definite: true });
    }
  });

  it("refuses a causal write past 100 siblings, definitely, and warns past 25", () => {
    const c = cluster();
    let last: Outcome | undefined;
    for (let i = 1; i <= 100; i++) {
      last = c.callAndWait("c1", "n1", { kind: "put", bucket: "causal", key: "k", value: text.encode(String(i)) });
      if (i === 25) expect(last).not.toHaveProperty("warning");
      if (i === 26) expect(last).toMatchObject({ ok: true, siblings: 26, warning: "SIBLINGS_WARN" });
    }
    expect(last).toMatchObject({ ok: true, siblings: 100 });
    const refused = c.callAndWait("c1", "n1", { kind: "put", bucket: "causal", key: "k", value: text.encode("101") });
    expect(refused).toMatchObject({ ok: false, code: "SIBLINGS_EXCEEDED", definite: true });
    expect(
      c.node("n1").localRecord("causal", "k")?.kind === "causal" && c.node("n1").localRecord("causal", "k"),
    ).toMatchObject({});
  });

  it("times out, indefinitely, when the write quorum is cut off", () => {
    const c = cluster();
    c.sim.isolate("n2");
    c.sim.isolate("n3");
    const outcome = c.callAndWait("c1", "n1", { kind: "put", bucket: "lww-wall", key: "k", value: text.encode("v") });
    expect(outcome).toMatchObject({ ok: false, code: "TIMEOUT", definite: false, got: 1, need: 2 });
  });
});
