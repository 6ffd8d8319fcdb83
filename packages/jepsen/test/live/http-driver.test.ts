/**
 * The live driver's translation, both ways, against a fake node (fake-node.ts):
 * what a workload's request becomes on the wire, and what each kind of
 * answer (or silence) becomes for the workload and the checkers.
 */
import { Random } from "@skew/env";
import { ManualEnvironment } from "@skew/env/manual";
import { freePort } from "@skew/node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Fault, Outcome } from "../../src/index.js";
import { HttpDriver, type LiveNemesis, runLiveWorkload } from "../../src/live/index.js";
import { type Answer, base64, type FakeNode, fakeNode, type Received } from "./fake-node.js";

const bytes = (text: string) => new TextEncoder().encode(text);
const decoded = (values: readonly Uint8Array[]) => values.map((value) => new TextDecoder().decode(value));

let node: FakeNode;
let driver: HttpDriver;

beforeEach(async () => {
  node = await fakeNode();
  driver = new HttpDriver({ nodes: { n1: node.url } });
});

afterEach(async () => {
  await driver.close();
  await node.close();
});

function call(
  request: Parameters<HttpDriver["call"]>[1],
  timeoutMs = 5_000,
  on: HttpDriver = driver,
): Promise<Outcome> {
  return new Promise((resolve) => on.client("c1").call("n1", request, resolve, timeoutMs));
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; !condition(); i++) {
    if (i > 500) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("HttpDriver: requests out, replies back", () => {
  it("a read: one value (200), siblings (300), none (404 NOT_FOUND), each with its context", async () => {
    const answers: Answer[] = [
      {
        status: 200,
        json: { siblings: [{ contentType: "application/octet-stream", value: base64("7") }], context: "c1" },
      },
      {
        status: 300,
        json: {
          siblings: [
            { contentType: "application/octet-stream", value: base64("7") },
            { contentType: "application/octet-stream", value: base64("8") },
          ],
          context: "c2",
        },
      },
      { status: 404, json: { code: "NOT_FOUND", message: "not found", context: "c3" } },
    ];
    node.answer(() => answers.shift() as Answer);
    const one = await call({ kind: "get", bucket: "causal", key: "k/1", r: 2, timeoutMs: 250 });
    const two = await call({ kind: "get", bucket: "causal", key: "k/1" });
    const none = await call({ kind: "get", bucket: "causal", key: "k/1" });
    expect(one.ok && one.kind === "get" && { values: decoded(one.values), context: one.context }).toEqual({
      values: ["7"],
      context: "c1",
    });
    expect(two.ok && two.kind === "get" && decoded(two.values)).toEqual(["7", "8"]);
    expect(none).toEqual({ ok: true, kind: "get", values: [], context: "c3" });
    const [first] = node.received as [Received];
    expect(first.method).toBe("GET");
    expect(first.url).toBe("/buckets/causal/keys/k%2F1?r=2&timeout=250");
  });

  it("a write carries its value, context, fence and quorum; the reply is the store's", async () => {
    node.answer(() => ({ status: 200, json: { context: "after", siblings: 2, warning: "SIBLINGS_WARN" } }));
    const written = await call({
      kind: "put",
      bucket: "causal",
      key: "k",
      value: bytes("42"),
      context: "before",
      fence: 7,
      w: 3,
      timeoutMs: 250,
    });
    expect(written).toEqual({ ok: true, kind: "put", context: "after", siblings: 2, warning: "SIBLINGS_WARN" });
    const [put] = node.received as [Received];
    expect(put.method).toBe("PUT");
    expect(put.url).toBe("/buckets/causal/keys/k?w=3&timeout=250");
    expect(put.headers["x-skew-context"]).toBe("before");
    expect(put.headers["x-skew-fence"]).toBe("7");
    expect(put.headers["content-type"]).toBe("application/octet-stream");
    expect(decoded([put.body])).toEqual(["42"]);

    node.answer(() => ({ status: 200, json: { context: "gone", siblings: 1 } }));
    expect(await call({ kind: "delete", bucket: "lww-hlc", key: "k", context: "seen" })).toEqual({
      ok: true,
      kind: "delete",
      context: "gone",
      siblings: 1,
    });
    expect(node.received[1]?.method).toBe("DELETE");
    expect(node.received[1]?.headers["x-skew-context"]).toBe("seen");
  });

  it("the store's failures keep their code, definiteness and quorum counts", async () => {
    node.answer(() => ({
      status: 409,
      json: { code: "SIBLINGS_EXCEEDED", message: "too many siblings", definite: true },
    }));
    expect(await call({ kind: "put", bucket: "causal", key: "k", value: bytes("1") })).toMatchObject({
      ok: false,
      code: "SIBLINGS_EXCEEDED",
      definite: true,
    });
    node.answer(() => ({
      status: 503,
      json: { code: "TIMEOUT", message: "the quorum did not answer in time", definite: false, got: 1, need: 2 },
    }));
    expect(await call({ kind: "put", bucket: "causal", key: "k", value: bytes("1") })).toMatchObject({
      ok: false,
      code: "TIMEOUT",
      definite: false,
      got: 1,
      need: 2,
    });
    expect(driver.anomalies).toEqual([]);
  });

  it("no connection: UNAVAILABLE, definite (nothing was sent)", async () => {
    const closed = new HttpDriver({ nodes: { n1: `http://127.0.0.1:${await freePort()}` } });
    try {
      const outcome = await call({ kind: "put", bucket: "causal", key: "k", value: bytes("1") }, 5_000, closed);
      expect(outcome).toMatchObject({ ok: false, code: "UNAVAILABLE", definite: true });
      expect(!outcome.ok && outcome.code !== "NO_REPLY" && outcome.message).toMatch(/^NETWORK_ERROR/);
      expect(closed.anomalies).toEqual([]);
    } finally {
      await closed.close();
    }
  });

  it("no answer within the client's timeout: NO_REPLY (indefinite), and the request is abandoned", async () => {
    const env = new ManualEnvironment();
    const timed = new HttpDriver({ nodes: { n1: node.url }, monotonic: env.monotonic, timers: env.timers });
    try {
      node.answer(() => "hang");
      const outcomes: Outcome[] = [];
      timed
        .client("c1")
        .call("n1", { kind: "put", bucket: "causal", key: "k", value: bytes("1") }, (o) => outcomes.push(o), 500);
      await until(() => node.received.length === 1, "the request");
      env.advance(499);
      expect(outcomes).toEqual([]);
      env.advance(1);
      expect(outcomes).toEqual([{ ok: false, code: "NO_REPLY", definite: false }]);
      await until(() => node.abandoned.length === 1, "the abandoned connection");
      expect(timed.inFlight).toBe(0);
    } finally {
      await timed.close();
    }
  });

  it("answers outside the store's vocabulary are anomalies: a node bug is NO_REPLY, a refusal INVALID_REQUEST", async () => {
    node.answer(() => ({ status: 500, json: { code: "INTERNAL", message: "boom" } }));
    expect(await call({ kind: "put", bucket: "causal", key: "k", value: bytes("1") })).toEqual({
      ok: false,
      code: "NO_REPLY",
      definite: false,
    });
    node.answer(() => ({ status: 404, json: { code: "BUCKET_NOT_FOUND", message: "no bucket nope", definite: true } }));
    expect(await call({ kind: "get", bucket: "nope", key: "k" })).toMatchObject({
      ok: false,
      code: "INVALID_REQUEST",
      definite: true,
    });
    expect(driver.anomalies.map((a) => [a.node, a.request, a.what.split(":")[0]])).toEqual([
      ["n1", "put", "INTERNAL"],
      ["n1", "get", "BUCKET_NOT_FOUND"],
    ]);
  });
});

describe("HttpDriver: time, timers and mistakes", () => {
  it("stamps the history with its monotonic clock and runs `after` on its timers", () => {
    const env = new ManualEnvironment();
    const timed = new HttpDriver({ nodes: { n1: node.url }, monotonic: env.monotonic, timers: env.timers });
    const fired: number[] = [];
    timed.client("c1").after(10, () => fired.push(timed.nowMs()));
    env.advance(3);
    timed.history.invoke("c1", "read", null);
    env.advance(9.5);
    timed.history.ok("c1", []);
    expect(fired).toEqual([10]);
    expect(timed.history.ops.map((op) => op.timeUs)).toEqual([3_000, 12_500]);
    void timed.close();
  });

  it("keeps the first error a callback throws (a run reports it), and goes on", async () => {
    node.answer((request) =>
      request.method === "PUT"
        ? { status: 200, json: { context: "x", siblings: 1 } }
        : { status: 404, json: { code: "NOT_FOUND", message: "none", context: "x" } },
    );
    await new Promise<void>((resolve) =>
      driver.client("c1").call("n1", { kind: "put", bucket: "causal", key: "k", value: bytes("1") }, () => {
        resolve();
        throw new Error("a workload bug");
      }),
    );
    expect(driver.error?.error).toEqual(new Error("a workload bug"));
    expect(await call({ kind: "get", bucket: "causal", key: "k" })).toMatchObject({ ok: true, values: [] }); // still serving
  });

  it("refuses programming mistakes: an unknown node, a bad timeout, no nodes, a request it does not translate", async () => {
    expect(() => driver.client("c1").call("n9", { kind: "get", bucket: "b", key: "k" }, () => {})).toThrow(
      /no node "n9"/,
    );
    expect(() => driver.client("c1").call("n1", { kind: "get", bucket: "b", key: "k" }, () => {}, 0)).toThrow(
      RangeError,
    );
    expect(() => driver.client("c1").after(-1, () => {})).toThrow(RangeError);
    for (const bad of [{ toString: 0 }, Object.create(null), Symbol()] as never[]) {
      expect(() => driver.client("c1").after(bad, () => {})).toThrow(/^HttpDriver: delayMs .*, got an? \w+$/);
      expect(() => driver.client("c1").call("n1", { kind: "get", bucket: "b", key: "k" }, () => {}, bad)).toThrow(
        /^HttpDriver: timeoutMs .*, got an? \w+$/,
      );
    }
    expect(() => new HttpDriver({ nodes: {} })).toThrow(TypeError);
    driver.client("c1").call("n1", { kind: "history", bucket: "b", key: "k" }, () => {});
    await until(() => driver.error !== undefined, "the error");
    expect(driver.error?.error).toBeInstanceOf(TypeError);
  });

  it("close abandons calls in flight without calling them back, and drops pending `after`s", async () => {
    node.answer(() => "hang");
    const called: string[] = [];
    driver.client("c1").call("n1", { kind: "get", bucket: "b", key: "k" }, () => called.push("done"));
    driver.client("c1").after(200, () => called.push("after"));
    await until(() => node.received.length === 1, "the request");
    await driver.close();
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(called).toEqual([]);
    expect(driver.inFlight).toBe(0);
    expect(() => driver.client("c1").call("n1", { kind: "get", bucket: "b", key: "k" }, () => {})).toThrow(/closed/);
  });
});

describe("runLiveWorkload on a fake single-copy store", () => {
  it("plays the nemesis schedule on real timers, drains, reads back and judges: nothing lost by one linearizable copy", async () => {
    let value: { readonly id: string; readonly context: number } | undefined;
    node.answer((request) => {
      if (request.method === "GET") {
        return value === undefined
          ? { status: 404, json: { code: "NOT_FOUND", message: "none", context: "0" } }
          : {
              status: 200,
              json: {
                siblings: [{ contentType: "application/octet-stream", value: base64(value.id) }],
                context: String(value.context),
              },
            };
      }
      value = { id: new TextDecoder().decode(request.body), context: (value?.context ?? 0) + 1 };
      return { status: 200, json: { context: String(value.context), siblings: 1 } };
    });
    const shared = new HttpDriver({ nodes: { n1: node.url, n2: node.url, n3: node.url } });
    const events: string[] = [];
    const nemesis: LiveNemesis = {
      begin: async (fault) => {
        events.push(`begin ${fault.kind} ${fault.node} at ${Math.round(shared.nowMs())}`);
      },
      end: async (fault) => {
        events.push(`end ${fault.kind} ${fault.node}`);
      },
    };
    const faults: Fault[] = [{ kind: "pause", atMs: 100, durationMs: 150, node: "n2" }];
    try {
      const run = await runLiveWorkload({
        driver: shared,
        kind: "sequential",
        bucket: "lww-hlc",
        key: "k",
        random: Random.seeded(1),
        runMs: 600,
        faults,
        nemesis,
      });
      expect(events).toHaveLength(2);
      expect(events[1]).toBe("end pause n2");
      expect(run.faults).toHaveLength(1);
      const [played] = run.faults;
      // Node's timers count from the event loop's cached time, which can trail performance.now() (the history's
      // clock) by a millisecond or two: measured here, a timer may seem to fire that much early.
      const timerSlackMs = 2;
      expect(played?.beganMs).toBeGreaterThanOrEqual(100 - timerSlackMs);
      expect((played?.endedMs ?? 0) - (played?.beganMs ?? 0)).toBeGreaterThanOrEqual(150 - timerSlackMs);
      expect(run.verdict.acknowledged).toBeGreaterThan(0);
      expect(run.verdict.lost).toBe(0);
      expect(run.verdict.finalRead).toBe(true);
      expect(run.finalReadR).toBe(3);
      expect(run.ops.every((op, i) => i === 0 || op.timeUs >= (run.ops[i - 1]?.timeUs ?? 0))).toBe(true);
    } finally {
      await shared.close();
    }
  });

  it("refuses a run whose faults have no nemesis, or do not heal within it", async () => {
    const base = { driver, kind: "sequential" as const, bucket: "b", key: "k", random: Random.seeded(1), runMs: 100 };
    await expect(
      runLiveWorkload({ ...base, faults: [{ kind: "pause", atMs: 10, durationMs: 10, node: "n1" }] }),
    ).rejects.toThrow(/nemesis/);
    const nemesis: LiveNemesis = { begin: async () => {}, end: async () => {} };
    await expect(
      runLiveWorkload({ ...base, nemesis, faults: [{ kind: "pause", atMs: 90, durationMs: 20, node: "n1" }] }),
    ).rejects.toThrow(/does not heal/);
  });
});
