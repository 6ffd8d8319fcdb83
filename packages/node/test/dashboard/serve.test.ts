/**
 * The dashboard as a node serves it (routes/dashboard.ts): `/` is the
 * built app's index.html (no-cache), its `/assets/*` files are served as
 * immutable, and nothing else changes: the JSON routes answer as before and
 * an unknown path is still the node's JSON 404. Before a build, `/` says
 * so (503 DASHBOARD_NOT_BUILT), and a build made while the node runs is
 * served without a restart.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeCluster } from "@skew/client/api";
import { dashboardAssetsDir, dashboardBuilt } from "@skew/dashboard";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dashboardAssetMaxAgeMs, registerDashboardRoutes } from "../../src/routes/dashboard.js";
import { type LocalCluster, startLocalCluster } from "../support/local.js";

const immutable = `public, max-age=${dashboardAssetMaxAgeMs / 1000}, immutable`;

/** The `/assets/...` files an index.html loads. */
function assetsOf(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
}

describe("a node serves the built dashboard at /", () => {
  let cluster: LocalCluster;
  let url: string;

  beforeAll(async () => {
    if (!dashboardBuilt()) {
      throw new Error(`the dashboard is not built (${dashboardAssetsDir}): run npm run build -w @skew/dashboard first`);
    }
    cluster = await startLocalCluster(1);
    url = cluster.urls[0] as string;
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it("/ is the built index.html, not to be cached", async () => {
    const response = await fetch(`${url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expect(await response.text()).toBe(readFileSync(join(dashboardAssetsDir, "index.html"), "utf8"));
    const head = await fetch(`${url}/`, { method: "HEAD" });
    expect(head.status).toBe(200);
  });

  it("every asset the page loads is served as built, immutable, with its content type", async () => {
    const html = readFileSync(join(dashboardAssetsDir, "index.html"), "utf8");
    const assets = assetsOf(html);
    expect(assets.some((a) => a.endsWith(".js"))).toBe(true);
    expect(assets.some((a) => a.endsWith(".css"))).toBe(true);
    for (const asset of assets) {
      const response = await fetch(`${url}${asset}`);
      expect(response.status, asset).toBe(200);
      expect(response.headers.get("cache-control"), asset).toBe(immutable);
      expect(response.headers.get("content-type"), asset).toMatch(
        asset.endsWith(".js") ? /^(text|application)\/javascript/ : /^text\/css/,
      );
      const body = new Uint8Array(await response.arrayBuffer());
      expect(Buffer.from(body).equals(readFileSync(join(dashboardAssetsDir, asset))), asset).toBe(true);
    }
  });

  it("the JSON routes answer as before", async () => {
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe("ok");
    const cluster = await fetch(`${url}/cluster`);
    expect(decodeCluster(cluster.status, await cluster.json())?.node).toBe("n1");
    const nodes = await fetch(`${url}/cluster/nodes`);
    expect(nodes.status).toBe(200);
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain("# HELP");
    const missing = await fetch(`${url}/buckets/causal/keys/never-written`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: string }).code).toBe("NOT_FOUND");
    const docs = await fetch(`${url}/docs/json`);
    expect(docs.status).toBe(200);
    const spec = (await docs.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toContain("/");
    expect(Object.keys(spec.paths)).toContain("/cluster");
    expect(Object.keys(spec.paths).filter((p) => p.startsWith("/assets"))).toEqual([]);
  });

  it("an unknown path, a missing asset or another method on / is the node's JSON 404", async () => {
    for (const [method, path] of [
      ["GET", "/nope"],
      ["GET", "/index.html"],
      ["GET", "/assets/missing.js"],
      ["GET", "/assets/"],
      ["POST", "/"],
      ["DELETE", "/assets/missing.js"],
    ] as const) {
      const response = await fetch(`${url}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(await response.json(), `${method} ${path}`).toMatchObject({ code: "ROUTE_NOT_FOUND" });
    }
  });

  it("serves nothing outside the assets folder, no folder and no dotfile: the JSON 404 again", async () => {
    for (const path of [
      "/assets/..%2Findex.html",
      "/assets/%2e%2e/%2e%2e/package.json",
      "/assets/.hidden",
      "/assets//index.html",
      "/assets/./x.js",
      "/assets",
    ]) {
      const response = await fetch(`${url}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.json(), path).toMatchObject({ code: "ROUTE_NOT_FOUND" });
    }
  });
});

describe("the dashboard's routes before a build", () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "skew-dashboard-"));
    app = Fastify();
    await app.register(registerDashboardRoutes, { assetsDir: join(dir, "app") });
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers 503 DASHBOARD_NOT_BUILT, then serves a build made while it runs", async () => {
    const before = await app.inject({ method: "GET", url: "/" });
    expect(before.statusCode).toBe(503);
    expect(before.json()).toEqual({ code: "DASHBOARD_NOT_BUILT", message: expect.stringContaining("npm run build") });
    expect((await app.inject({ method: "GET", url: "/assets/main-abc.js" })).statusCode).toBe(404);

    mkdirSync(join(dir, "app", "assets"), { recursive: true });
    writeFileSync(join(dir, "app", "index.html"), '<script type="module" src="/assets/main-abc.js"></script>');
    writeFileSync(join(dir, "app", "assets", "main-abc.js"), "console.log(1);");
    const page = await app.inject({ method: "GET", url: "/" });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("/assets/main-abc.js");
    const script = await app.inject({ method: "GET", url: "/assets/main-abc.js" });
    expect(script.statusCode).toBe(200);
    expect(script.body).toBe("console.log(1);");
    expect(script.headers["cache-control"]).toBe(immutable);
  });
});
