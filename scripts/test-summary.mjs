#!/usr/bin/env node
// Adds up the vitest results every workspace wrote (.tsbuild/vitest.json, see
// vitest.shared.ts) and prints one closing line: "Tests: N passed, N failed".
// Exits non-zero when a workspace with a test script has no results, when a
// test failed, or when one was skipped (no skipped test is left behind).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));

const workspaces = readJson(path.join(root, "package.json")).workspaces.flatMap((pattern) => {
  if (!pattern.endsWith("/*")) return [pattern];
  const parent = pattern.slice(0, -2);
  return readdirSync(path.join(root, parent), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join(parent, entry.name))
    .sort();
});

let passed = 0;
let failed = 0;
let skipped = 0;
let missing = 0;
for (const workspace of workspaces) {
  const manifest = path.join(root, workspace, "package.json");
  if (!existsSync(manifest) || readJson(manifest).scripts?.test === undefined) continue;
  const results = path.join(root, workspace, ".tsbuild", "vitest.json");
  if (!existsSync(results)) {
    console.error(`no test results from ${workspace} (expected ${path.relative(root, results)})`);
    missing++;
    continue;
  }
  const report = readJson(results);
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
}
console.log(`Tests: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
process.exitCode = failed > 0 || skipped > 0 || missing > 0 || passed === 0 ? 1 : 0;
