/**
 * The web dashboard (`@skew/dashboard`) at `/`: the page, and its scripts and
 * styles under `/assets/`. The page talks only to the node that served it
 * (same origin, no CORS), through the JSON routes every node has.
 *
 * - `GET /`: the app's index.html, `cache-control: no-cache` (a rebuilt app
 *   is picked up on the next load); 503 `DASHBOARD_NOT_BUILT` until
 *   `npm run build` has produced it. Read from disk on each request, so a
 *   build made while the node runs is served without a restart.
 * - `GET /assets/*`: Vite's output, whose file names carry a hash of their
 *   content: cached as immutable for a year. A missing file is the node's
 *   usual JSON 404.
 *
 * Only those two paths are taken: every other route (`/cluster`, `/health`,
 * `/buckets/...`, `/docs`, ...) and every unknown path are left as they are.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import { dashboardAssetsDir } from "@skew/dashboard";
import type { FastifyInstance, FastifyReply } from "fastify";
import { nodeErrorCodes } from "../http/errors.js";
import { ErrorBody } from "./schemas.js";

/** How long a browser may keep a hashed asset without asking again: a year, the most `max-age` means in practice. */
export const dashboardAssetMaxAgeMs = 365 * 24 * 60 * 60 * 1000;

export interface DashboardRouteOptions {
  /** The built app's folder (default: `@skew/dashboard`'s `dist/app`; tests give their own). */
  readonly assetsDir?: string;
}

function notBuilt(reply: FastifyReply): FastifyReply {
  const { status, message } = nodeErrorCodes.DASHBOARD_NOT_BUILT;
  return reply.status(status).send({ code: "DASHBOARD_NOT_BUILT", message });
}

export async function registerDashboardRoutes(
  app: FastifyInstance,
  options: DashboardRouteOptions = {},
): Promise<void> {
  const assetsDir = options.assetsDir ?? dashboardAssetsDir;
  const indexFile = join(assetsDir, "index.html");

  app.get(
    "/",
    {
      schema: {
        summary: "The web dashboard (HTML)",
        description:
          "The dashboard's page: the cluster, the clocks, a key's replicas and siblings, and lost updates watched live. It reads this node's JSON routes (and this node asks its peers). `cache-control: no-cache`; its scripts and styles are under `/assets/` (hashed names, cached as immutable). 503 `DASHBOARD_NOT_BUILT` when the app has not been built (`npm run build`).",
        response: {
          200: { description: "the dashboard's index.html", content: { "text/html": { schema: { type: "string" } } } },
          503: ErrorBody,
        },
      },
    },
    async (_request, reply) => {
      if (!existsSync(indexFile)) return notBuilt(reply);
      let html: Buffer;
      try {
        html = await readFile(indexFile);
      } catch {
        return notBuilt(reply); // removed between the check and the read: a rebuild in progress
      }
      return reply.type("text/html; charset=utf-8").header("cache-control", "no-cache").send(html);
    },
  );

  // @fastify/static refuses a directory, a dotfile or a path that climbs out with 403: here that is a path with
  // nothing to serve, the node's JSON 404 like any other (the node's handler would call it a malformed request).
  const nodeErrorHandler = app.errorHandler;
  app.setErrorHandler((error, request, reply) => {
    const status = (error as { statusCode?: unknown }).statusCode;
    if (status === 403 || status === 404) return reply.callNotFound();
    return nodeErrorHandler.call(app, error, request, reply);
  });

  // Registered inside this plugin, so nothing it decorates reaches the other routes; no reply decorators needed.
  await app.register(fastifyStatic, {
    root: join(assetsDir, "assets"),
    prefix: "/assets/",
    decorateReply: false,
    // Not built yet: the folder may appear later; until then every asset is a 404.
    suppressWarning: true,
    index: false,
    list: false,
    redirect: false,
    dotfiles: "deny",
    cacheControl: true,
    maxAge: dashboardAssetMaxAgeMs,
    immutable: true,
  });
}
