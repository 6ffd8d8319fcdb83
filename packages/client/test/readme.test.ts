/**
 * The README's example runs against a live cluster, as a user would run it
 * against `skew cluster`: written beside the README (so that its imports
 * resolve as a user's would) with `SKEW_NODES` pointing at the cluster.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { examplesOf } from "../../../test/readme/examples.js";
import { type LocalCluster, startLocalCluster } from "../../node/test/support/local.js";

const root = path.resolve(import.meta.dirname, "../../..");
const readme = path.join("packages", "client", "README.md");
let cluster: LocalCluster;
const previousNodes = process.env.SKEW_NODES;

beforeAll(async () => {
  cluster = await startLocalCluster(3);
  process.env.SKEW_NODES = cluster.urls.join(",");
});

afterAll(async () => {
  if (previousNodes === undefined) delete process.env.SKEW_NODES;
  else process.env.SKEW_NODES = previousNodes;
  await cluster?.close();
});

it("has an example, and every example runs against a live cluster", async () => {
  const examples = examplesOf(root, readme);
  expect(examples.length).toBeGreaterThan(0);
  const dir = path.join(import.meta.dirname, "..", ".tsbuild", "readme-live");
  mkdirSync(dir, { recursive: true });
  for (const example of examples) {
    const file = path.join(dir, `example-${example.line}.ts`);
    writeFileSync(file, example.code.includes("export") ? example.code : `${example.code}\nexport {};\n`);
    await import(pathToFileURL(file).href);
  }
});
