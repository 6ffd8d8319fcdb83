import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { examplesOf, extractExamples, readmes } from "./examples.js";

const root = path.resolve(import.meta.dirname, "../..");

describe("README examples", () => {
  it("extracts ts blocks and leaves the others", () => {
    const markdown = [
      "# x",
      "```ts",
      "const a = 1;",
      "```",
      "```sh",
      "npm test",
      "```",
      "```ts",
      "export {};",
      "```",
    ].join("\n");
    expect(extractExamples("X.md", markdown)).toEqual([
      { readme: "X.md", line: 2, code: "const a = 1;\n" },
      { readme: "X.md", line: 8, code: "export {};\n" },
    ]);
    expect(() => extractExamples("X.md", "```ts\nconst a = 1;\n")).toThrow(/never closed/);
  });

  it("every package has a README with at least one runnable example", () => {
    const files = readmes(root);
    const packages = files.filter((file) => file.startsWith("packages"));
    expect(packages.length).toBeGreaterThanOrEqual(6);
    for (const file of packages) {
      if (file.includes("harness")) continue; // an internal tool: documented, but its examples are its tests
      expect(examplesOf(root, file).length, `${file} has no \`\`\`ts example`).toBeGreaterThan(0);
    }
  });

  for (const readme of readmes(root)) {
    for (const example of examplesOf(root, readme)) {
      it(`${readme}:${example.line} runs`, async () => {
        // Written beside the README so that its imports resolve as a user's would.
        const dir = path.join(root, path.dirname(readme), ".tsbuild", "readme");
        mkdirSync(dir, { recursive: true });
        const file = path.join(dir, `example-${example.line}.ts`);
        writeFileSync(file, example.code.includes("export") ? example.code : `${example.code}\nexport {};\n`);
        await import(pathToFileURL(file).href);
      });
    }
  }
});
