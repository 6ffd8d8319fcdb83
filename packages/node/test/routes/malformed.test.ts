/**
 * Malformed requests to the routes the dashboard added (`/cluster/nodes`,
 * `/debug/keys/:bucket/:key/replicas`, `/admin/nodes/:id/clock`,
 * `/admin/demo/lost-update`), drawn by fast-check from one seed and sent to
 * n1 of a live 3-node cluster: wrong methods, junk in the path and the
 * query, bodies that are not JSON or not of the schema, missing and wrong
 * tokens, unknown members and buckets. Each is answered below 500 with JSON
 * (`{ code, message }` for a refusal); no clock moves, no record changes,
 * and the node keeps serving. (The node's big fuzz test, test/http/fuzz,
 * covers the older routes.)
 *
 * The seed is printed; FC_SEED=<integer> replays another run.
 */
import fc from "fast-check";
import { Compile } from "typebox/compile";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClockChange } from "../../src/routes/admin.js";
import { eventually, putAnswered } from "../http/support.js";
import { type LocalCluster, startLocalCluster } from "../support/local.js";
import { bearer } from "./support.js";

const defaultSeed = 20_260_509;
const seed = process.env.FC_SEED === undefined ? defaultSeed : Number(process.env.FC_SEED);
if (!Number.isSafeInteger(seed)) throw new TypeError(`FC_SEED must be an integer, got ${process.env.FC_SEED}`);

/** Requests in all, and at once. */
const casesCount = 600;
const concurrency = 6;

const validClockChange = Compile(ClockChange);

interface Case {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

const junk = fc.string({ unit: "binary", maxLength: 24 });
// No "." or ".." (nor %2e forms): URL parsing would resolve them away before the request is sent.
const pathJunk = fc.oneof(
  fc.constantFrom("%", "%ZZ", "%ED%A0%80", "%00", "...", "%2F", "x".repeat(300), ""),
  junk.map((s) => encodeURIComponent(s)).filter((s) => s !== "." && s !== ".."),
);
const tokenHeader = fc.oneof(
  fc.constant<Record<string, string>>({}),
  fc.constant({ authorization: "Bearer" }),
  fc.constant({ authorization: `${bearer}-wrong` }),
  fc.constant({ authorization: "Basic abc" }),
  junk.map((s) => ({ authorization: `Bearer ${s.replace(/[^\x20-\x7e]/g, "")}` })),
);
const jsonBody = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.constantFrom("", "{", "null", "[]", '{"offsetMs":1e400}', '{"__proto__":{"offsetMs":1}}'),
  junk,
);
const contentType = fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded", undefined);

/** A clock change its schema refuses (checked, so a valid change never gets through with the token). */
const badClockBody = jsonBody.filter((text) => {
  try {
    return !validClockChange.Check(JSON.parse(text));
  } catch {
    return true;
  }
});

const badDemoBody = fc.oneof(
  jsonBody.filter((text) => {
    try {
      const parsed = JSON.parse(text) as unknown;
      return typeof parsed !== "object" || parsed === null || !("bucket" in parsed);
    } catch {
      return true;
    }
  }),
  fc
    .record({
      bucket: fc.oneof(fc.constantFrom("nope", "", "x".repeat(300)), fc.integer()),
      appends: fc.option(fc.oneof(fc.integer({ min: -5, max: 2 }), fc.integer({ min: 61, max: 10_000 })), {
        nil: undefined,
      }),
    })
    .map((b) => JSON.stringify(b)),
  fc
    .record({ bucket: fc.constant("causal"), skewMs: fc.oneof(fc.double({ min: 5_001, max: 1e9 }), fc.string()) })
    .map((b) => JSON.stringify(b)),
  fc.constant(JSON.stringify({ bucket: "causal", skewed: "n9" })),
);

function withType(headers: Record<string, string>, type: string | undefined): Record<string, string> {
  return type === undefined ? headers : { ...headers, "content-type": type };
}

const cases: fc.Arbitrary<Case> = fc.oneof(
  // Wrong methods on the new paths.
  fc
    .record({
      method: fc.constantFrom("PUT", "DELETE", "PATCH", "POST"),
      path: fc.constantFrom("/cluster/nodes", "/debug/keys/causal/k/replicas"),
    })
    .map(({ method, path }) => ({ method, path, headers: {} })),
  fc
    .record({
      method: fc.constantFrom("GET", "PUT", "DELETE"),
      path: fc.constantFrom("/admin/nodes/n2/clock", "/admin/demo/lost-update"),
    })
    .map(({ method, path }) => ({ method, path, headers: {} })),
  // Junk in the path and the query of the read routes.
  fc
    .record({ bucket: fc.oneof(fc.constantFrom("causal", "lww-wall", "nope"), pathJunk), key: pathJunk, query: junk })
    .map(({ bucket, key, query }) => ({
      method: "GET",
      path: `/debug/keys/${bucket}/${key}/replicas?${encodeURIComponent(query)}`,
      headers: {},
    })),
  junk.map((query) => ({ method: "GET", path: `/cluster/nodes?${query.replace(/[^\x21-\x7e]/g, "")}`, headers: {} })),
  // The clock of another member: no or a wrong token with any body; the token with a bad body or an unknown member.
  fc
    .record({
      id: fc.oneof(fc.constantFrom("n2", "n1"), pathJunk),
      token: tokenHeader,
      body: jsonBody,
      type: contentType,
    })
    .map(({ id, token, body, type }) => ({
      method: "POST",
      path: `/admin/nodes/${id}/clock`,
      headers: withType(token, type),
      body,
    })),
  fc
    .record({ id: fc.constantFrom("n1", "n2", "n3"), body: badClockBody, type: contentType })
    .map(({ id, body, type }) => ({
      method: "POST",
      path: `/admin/nodes/${id}/clock`,
      headers: withType({ authorization: bearer }, type),
      body,
    })),
  fc
    .record({ id: fc.oneof(fc.constantFrom("n4", "N1", "n1 "), pathJunk) })
    .filter(({ id }) => !["n1", "n2", "n3"].includes(id))
    .map(({ id }) => ({
      method: "POST",
      path: `/admin/nodes/${id}/clock`,
      headers: { authorization: bearer, "content-type": "application/json" },
      body: JSON.stringify({ offsetMs: 1234 }),
    })),
  // The demonstration: no or a wrong token with any body; the token with a body it refuses.
  fc.record({ token: tokenHeader, body: jsonBody, type: contentType }).map(({ token, body, type }) => ({
    method: "POST",
    path: "/admin/demo/lost-update",
    headers: withType(token, type),
    body,
  })),
  fc.record({ body: badDemoBody, type: contentType }).map(({ body, type }) => ({
    method: "POST",
    path: "/admin/demo/lost-update",
    headers: withType({ authorization: bearer }, type),
    body,
  })),
);

interface Snapshot {
  readonly offsets: number[];
  readonly roots: unknown[];
}

describe("malformed requests to the dashboard's routes", () => {
  let cluster: LocalCluster;

  const snapshot = async (): Promise<Snapshot> => {
    const offsets: number[] = [];
    const roots: unknown[] = [];
    for (const url of cluster.urls) {
      const view = (await (await fetch(`${url}/cluster`)).json()) as { clock: { offsetMs: number; driftPpm: number } };
      offsets.push(view.clock.offsetMs, view.clock.driftPpm);
      roots.push(((await (await fetch(`${url}/debug/merkle`)).json()) as { roots: unknown }).roots);
    }
    return { offsets, roots };
  };

  beforeAll(async () => {
    cluster = await startLocalCluster(3);
    for (const bucket of ["causal", "lww-wall"]) {
      // W = 3 right after start, on a loaded machine, may be refused 503 while a node suspects a peer: asked again.
      expect((await putAnswered(cluster.urls[0] as string, bucket, "k", "v", {}, "?w=3")).status).toBe(200);
    }
    // The replicas agree before the baseline is taken: a write asked again after a TIMEOUT may leave its first
    // attempt arriving late, which would change a root between the two snapshots.
    const roots = async (url: string) =>
      JSON.stringify(((await (await fetch(`${url}/debug/merkle`)).json()) as { roots: unknown }).roots);
    const agreed = await eventually(async () => {
      const seen = await Promise.all(cluster.urls.map(roots));
      return new Set(seen).size === 1 ? true : undefined;
    }, 30_000);
    expect(agreed, "the replicas' Merkle roots agree after the setup writes").toBe(true);
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it(`${casesCount} of them: each answered below 500 with JSON, a refusal with { code, message }; nothing changed`, async () => {
    console.log(`malformed dashboard-route requests: seed ${seed} (FC_SEED=${seed} replays it)`);
    const drawn = fc.sample(cases, { seed, numRuns: casesCount });
    const before = await snapshot();
    const n1 = cluster.urls[0] as string;
    const failures: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < drawn.length) {
        const c = drawn[next++] as Case;
        let status: number;
        let text: string;
        try {
          const response = await fetch(`${n1}${c.path}`, {
            method: c.method,
            headers: c.headers,
            ...(c.body === undefined ? {} : { body: c.body }),
            signal: AbortSignal.timeout(10_000),
          });
          status = response.status;
          text = await response.text();
        } catch (error) {
          failures.push(`${c.method} ${c.path}: no answer (${(error as Error).message})`);
          continue;
        }
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          failures.push(`${c.method} ${c.path}: ${status} not JSON: ${text.slice(0, 120)}`);
          continue;
        }
        const refusal = body as { code?: unknown; message?: unknown };
        if (status >= 500) failures.push(`${c.method} ${c.path} ${c.body ?? ""}: ${status} ${text.slice(0, 200)}`);
        else if (status >= 400 && (typeof refusal.code !== "string" || typeof refusal.message !== "string"))
          failures.push(`${c.method} ${c.path}: ${status} without { code, message }: ${text.slice(0, 120)}`);
        else if (status < 400 && c.method !== "GET")
          failures.push(`${c.method} ${c.path} ${c.body ?? ""}: accepted (${status}) ${text.slice(0, 120)}`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    expect(failures.slice(0, 20)).toEqual([]);
    const after = await snapshot();
    expect(after.offsets).toEqual(before.offsets);
    expect(after.roots).toEqual(before.roots);
    for (const url of cluster.urls) expect((await fetch(`${url}/health`)).status).toBe(200);
  });
});
