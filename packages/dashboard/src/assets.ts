/**
 * Where the built dashboard is, for the node that serves it (the node's
 * routes/dashboard.ts). This is the package's only Node-side module: the
 * app itself (app/) is built by Vite into `dist/app` and runs in a browser.
 *
 * The path is worked out from this module's own location, so it holds both
 * when the node runs from source (`src/assets.ts`, tests) and compiled
 * (`dist/server/assets.js`).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package's folder: one up from src/, two up from dist/server/. */
const packageRoot = fileURLToPath(new URL(import.meta.url.endsWith(".ts") ? "../" : "../../", import.meta.url));

/** The absolute path of the built app: `index.html` and `assets/` (hashed file names, safe to cache for ever). */
export const dashboardAssetsDir: string = join(packageRoot, "dist", "app");

/** The page's entry, served at `/`. */
export const dashboardIndexFile: string = join(dashboardAssetsDir, "index.html");

/** True once `npm run build -w @skew/dashboard` has produced the app (checked on each call: a build after start counts). */
export function dashboardBuilt(): boolean {
  return existsSync(dashboardIndexFile);
}
