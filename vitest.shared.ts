import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

/**
 * One vitest configuration for every package. Tests import workspace packages
 * through the `@skew/source` export condition, so they run on the TypeScript
 * sources (no build step between an edit and a test run); benchmarks and the
 * tour run on the compiled `dist/`.
 */
export default defineConfig({
  resolve: { conditions: ["@skew/source", ...defaultServerConditions] },
  ssr: { resolve: { conditions: ["@skew/source", ...defaultServerConditions] } },
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The JSON report is what scripts/test-summary.mjs adds up into the closing line of `npm test`.
    reporters: [process.env.CI ? "dot" : "default", "json"],
    outputFile: { json: ".tsbuild/vitest.json" },
  },
});
