/**
 * The browser app's build: app/ (index.html and its TypeScript) into
 * dist/app, with hashed file names under dist/app/assets (the node serves
 * those as immutable). Workspace packages are bundled from their sources
 * (the `@skew/source` condition), so the app needs no build of
 * `@skew/client` first. JSX is Preact's, through Vite's own transform.
 */
import { fileURLToPath } from "node:url";
import { defaultClientConditions, defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL("app/", import.meta.url)),
  base: "/",
  publicDir: false,
  resolve: { conditions: ["@skew/source", ...defaultClientConditions] },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: fileURLToPath(new URL("dist/app/", import.meta.url)),
    emptyOutDir: true,
    assetsDir: "assets",
    // Everything the page needs is in the bundle: no request leaves the node that served it.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
