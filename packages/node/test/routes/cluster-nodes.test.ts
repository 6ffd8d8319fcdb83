/**
 * `GET /cluster` (its repairs), `GET /cluster/nodes` and
 * `POST /admin/nodes/:id/clock` (routes/cluster-nodes.ts, admin.ts): on a
 * live 3-node cluster every member's view comes back through one node, and
 * a clock set through n1 shows on the member it names; against stand-in
 * members each way of not answering is an entry with its code (or, for a
 * forwarded clock change, a 502), never a failed route or a crash.
 */
import type { ClusterClock, ClusterNodesView, ClusterView } from "@skew/client/api";
import { Compile } from "typebox/compile";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memberAnswerTimeoutMs } from "../../src/http/members.js";
import { ClusterClockSchema, ClusterNodesSchema, ClusterViewSchema } from "../../src/routes/schemas.js";
import { eventually, expectError } from "../http/support.js";
import { type LocalCluster, startLocalCluster } from "../support/local.js";
import {
  answersJson,
  answersText,
  bearer,
  closedUrl,
  type FakeMember,
  type LoneNode,
  neverAnswers,
  postJson,
  startFakeMember,
  startLoneNode,
} from "./support.js";

const clusterViewSchema = Compile(ClusterViewSchema);
const clusterNodesSchema = Compile(ClusterNodesSchema);
const clockSchema = Compile(ClusterClockSchema);

/** A generous bound on a fan-out whose slowest member times out: its timeout, plus a loaded machine's slack. */
const fanoutMsMax = memberAnswerTimeoutMs + 4_000;

async function json<T>(response: Response): Promise<T> {
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return JSON.parse(text) as T;
}

describe("on a live 3-node cluster", () => {
  let cluster: LocalCluster;
  let n1: string;
  let n2: string;

  beforeAll(async () => {
    cluster = await startLocalCluster(3);
    [n1, n2] = cluster.urls as [string, string];
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it("/cluster counts repairs: running 0 or 1, completed a count, as documented", async () => {
    const view = await json<ClusterView>(await fetch(`${n1}/cluster`));
    expect(clusterViewSchema.Check(view), JSON.stringify([...clusterViewSchema.Errors(view)])).toBe(true);
    expect([0, 1]).toContain(view.repairs.running);
    expect(Number.isSafeInteger(view.repairs.completed) && view.repairs.completed >= 0).toBe(true);
  });

  it("/cluster/nodes: every member in config order, each its own /cluster, this node's answered locally", async () => {
    // n1 gives each member memberAnswerTimeoutMs (1 s): on a loaded machine a member may miss it, which says nothing
    // about the route. Asked again while an entry is a TIMEOUT; any other answer is kept and checked.
    let body: ClusterNodesView | undefined;
    await eventually(async () => {
      body = await json<ClusterNodesView>(await fetch(`${n1}/cluster/nodes`));
      return body.nodes.some((n) => n.error?.code === "TIMEOUT") ? undefined : true;
    }, 30_000);
    if (body === undefined) throw new Error("no answer from /cluster/nodes");
    expect(clusterNodesSchema.Check(body), JSON.stringify([...clusterNodesSchema.Errors(body)])).toBe(true);
    expect(body.node).toBe("n1");
    expect(body.nodes.map((n) => [n.id, n.url])).toEqual([
      ["n1", cluster.urls[0]],
      ["n2", cluster.urls[1]],
      ["n3", cluster.urls[2]],
    ]);
    for (const entry of body.nodes) {
      expect(entry.error).toBeNull();
      expect(entry.view?.node).toBe(entry.id);
      expect(entry.view?.members.find((m) => m.self)?.id).toBe(entry.id);
      expect(entry.tookMs).toBeGreaterThanOrEqual(0);
      expect(entry.tookMs).toBeLessThan(fanoutMsMax);
    }
  });

  it("/docs/json documents each new route with a summary and a description", async () => {
    const document = (
      await json<{ paths: Record<string, Record<string, { summary?: string; description?: string }>> }>(
        await fetch(`${n1}/docs/json`),
      )
    ).paths;
    for (const [path, method] of [
      ["/cluster/nodes", "get"],
      ["/debug/keys/{bucket}/{key}/replicas", "get"],
      ["/admin/nodes/{id}/clock", "post"],
      ["/admin/demo/lost-update", "post"],
      ["/cluster", "get"],
      ["/debug/keys/{bucket}/{key}", "get"],
    ] as const) {
      const operation = document[path]?.[method];
      expect(operation?.summary, `${method} ${path}`).toMatch(/\w/);
      expect(operation?.description, `${method} ${path}`).toMatch(/\w/);
    }
  });

  it("/admin/nodes/:id/clock sets the named member's clock (itself, or forwarded), with the admin's refusals first", async () => {
    const url = (id: string): string => `${n1}/admin/nodes/${encodeURIComponent(id)}/clock`;
    await expectError(await postJson(url("n2"), { offsetMs: 120 }), 401, "UNAUTHORIZED");
    await expectError(
      await postJson(url("n2"), { offsetMs: 120 }, { authorization: `${bearer}-wrong` }),
      403,
      "FORBIDDEN",
    );
    await expectError(
      await postJson(url("n2"), { offsetMs: "120" }, { authorization: bearer }),
      400,
      "INVALID_REQUEST",
    );
    await expectError(
      await postJson(url("n2"), { offsetMs: 120, extra: 1 }, { authorization: bearer }),
      400,
      "INVALID_REQUEST",
    );
    await expectError(await postJson(url("n9"), { offsetMs: 120 }, { authorization: bearer }), 404, "UNKNOWN_NODE");
    // Nothing was changed by any of those.
    const untouched = await json<ClusterView>(await fetch(`${n2}/cluster`));
    expect(untouched.clock.offsetMs).toBe(0);

    const forwarded = await json<ClusterClock>(await postJson(url("n2"), { offsetMs: 120 }, { authorization: bearer }));
    expect(clockSchema.Check(forwarded)).toBe(true);
    expect(forwarded.offsetMs).toBe(120);
    expect((await json<ClusterView>(await fetch(`${n2}/cluster`))).clock.offsetMs).toBe(120);
    expect((await json<ClusterView>(await fetch(`${n1}/cluster`))).clock.offsetMs).toBe(0);

    const self = await json<ClusterClock>(await postJson(url("n1"), { driftPpm: 50 }, { authorization: bearer }));
    expect(self.driftPpm).toBe(50);
    expect((await json<ClusterView>(await fetch(`${n1}/cluster`))).clock.driftPpm).toBe(50);

    // Put them back (other tests of this file read clocks).
    await json(await postJson(url("n2"), { offsetMs: 0 }, { authorization: bearer }));
    await json(await postJson(url("n1"), { offsetMs: 0, driftPpm: 0 }, { authorization: bearer }));
    expect((await json<ClusterView>(await fetch(`${n2}/cluster`))).clock.offsetMs).toBe(0);
  });
});

describe("members that do not answer as the API does", () => {
  let node: LoneNode;
  const fakes: FakeMember[] = [];
  let down: string;

  beforeAll(async () => {
    const silent = await startFakeMember(neverAnswers);
    const garbage = await startFakeMember(answersText(200, "<html>not json</html>"));
    const impostor = await startFakeMember((request, response) => {
      // A well-formed /cluster, but of another node; and a refusal of its own for a clock change.
      if (request.url === "/admin/clock")
        return answersJson(403, { code: "FORBIDDEN", message: "not you" })(request, response);
      return answersJson(200, viewOf("n7"))(request, response);
    });
    const broken = await startFakeMember((request, response) => {
      if (request.url === "/admin/clock") return answersJson(200, { offsetMs: "soon" })(request, response);
      return answersJson(200, { ...viewOf("n5"), repairs: { running: -1, completed: 0, recovering: 0 } })(
        request,
        response,
      );
    });
    fakes.push(silent, garbage, impostor, broken);
    down = await closedUrl();
    node = await startLoneNode({ n2: silent.url, n3: garbage.url, n4: down, n5: broken.url, n6: impostor.url });
  });

  afterAll(async () => {
    await node?.close();
    await Promise.all(fakes.map((f) => f.close()));
  });

  it("/cluster/nodes answers every entry: TIMEOUT, INVALID_RESPONSE, UNREACHABLE, each within the fan-out's bound", async () => {
    const started = Date.now();
    const body = await json<ClusterNodesView>(await fetch(`${node.url}/cluster/nodes`));
    const tookMs = Date.now() - started;
    expect(clusterNodesSchema.Check(body), JSON.stringify([...clusterNodesSchema.Errors(body)])).toBe(true);
    // In parallel: one timeout's worth, not one per member.
    expect(tookMs).toBeGreaterThanOrEqual(memberAnswerTimeoutMs - 50);
    expect(tookMs).toBeLessThan(fanoutMsMax);
    const codes = Object.fromEntries(body.nodes.map((n) => [n.id, n.error?.code ?? null]));
    expect(codes).toEqual({
      n1: null,
      n2: "TIMEOUT",
      n3: "INVALID_RESPONSE",
      n4: "UNREACHABLE",
      n5: "INVALID_RESPONSE",
      n6: "INVALID_RESPONSE",
    });
    for (const entry of body.nodes.filter((n) => n.id !== "n1")) {
      expect(entry.view).toBeNull();
      expect(entry.error?.message.length).toBeGreaterThan(0);
    }
    expect(body.nodes.find((n) => n.id === "n5")?.error?.message).toMatch(/repairs\.running/);
    expect(body.nodes.find((n) => n.id === "n6")?.error?.message).toMatch(/n7/);
    expect(body.nodes[0]?.view?.node).toBe("n1");
    // And the node still serves.
    expect((await fetch(`${node.url}/health`)).status).toBe(200);
  });

  it("/admin/nodes/:id/clock: 502 NODE_UNREACHABLE for silence, no connection or a garbled clock; a member's 4xx passed through", async () => {
    const post = (id: string): Promise<Response> =>
      postJson(`${node.url}/admin/nodes/${id}/clock`, { offsetMs: 10 }, { authorization: bearer });
    expect((await expectError(await post("n2"), 502, "NODE_UNREACHABLE")).message).toMatch(/in time/);
    expect((await expectError(await post("n4"), 502, "NODE_UNREACHABLE")).message).toMatch(/could not be reached/);
    expect((await expectError(await post("n3"), 502, "NODE_UNREACHABLE")).message).toMatch(/not JSON/);
    expect((await expectError(await post("n5"), 502, "NODE_UNREACHABLE")).message).toMatch(/not as the API does/);
    const refused = await expectError(await post("n6"), 403, "FORBIDDEN");
    expect(refused.message).toBe("not you");
    // The forwarded request carried the admin's authorization and the checked body.
    const forwarded = fakes[2]?.requests.find((r) => r.url === "/admin/clock");
    expect(forwarded?.headers.authorization).toBe(bearer);
    expect(JSON.parse(forwarded?.body ?? "null")).toEqual({ offsetMs: 10 });
    // n1's own clock was never touched.
    expect((await json<ClusterView>(await fetch(`${node.url}/cluster`))).clock.offsetMs).toBe(0);
  });
});

/** A well-formed `/cluster` of node `id`, as a stand-in sends it. */
function viewOf(id: string): ClusterView {
  return {
    node: id,
    cluster: "skew",
    buckets: { causal: "causal" },
    clock: { wallMs: 1, systemMs: 1, offsetMs: 0, driftPpm: 0, hlc: 0, truetime: null },
    members: [{ id, url: "http://127.0.0.1:1", self: true }],
    hints: 0,
    repairs: { running: 0, completed: 0, recovering: 0 },
    storage: {},
    transport: {},
  };
}
