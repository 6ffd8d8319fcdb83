import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { corePackages, scanDirectory, scanSource, sourceFiles } from "./scan.js";

const root = path.resolve(import.meta.dirname, "../..");
const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "fixtures", name), "utf8");

describe("the determinism rule (DESIGN.md: cores are deterministic)", () => {
  it("catches every kind of violation in a fixture that breaks it", () => {
    const found = scanSource("bad-core.ts", fixture("bad-core.ts")).map((v) => v.what);
    expect(found).toEqual(
      expect.arrayContaining([
        "imports node:fs",
        "imports os",
        "imports @skew/env/system",
        "uses Date",
        "uses Math.random",
        "uses setTimeout",
        "uses process",
        "uses globalThis",
        "uses performance",
        "computed access to Math",
        "imports node:net",
      ]),
    );
  });

  it("does not flag comments, strings, property names or pure Math", () => {
    expect(scanSource("good-core.ts", fixture("good-core.ts"))).toEqual([]);
  });

  const present = corePackages.filter((name) => existsSync(path.join(root, "packages", name, "src")));

  it("finds the four clock cores at least", () => {
    expect(present).toEqual(expect.arrayContaining(["lamport", "vector", "hlc", "truetime"]));
  });

  for (const name of present) {
    it(`@skew/${name} reads no real time, randomness, timers, process or node:*`, () => {
      const src = path.join(root, "packages", name, "src");
      expect(sourceFiles(src).length, `@skew/${name} has no source to check`).toBeGreaterThan(0);
      const violations = scanDirectory(src);
      expect(violations.map((v) => `${path.relative(root, v.file)}:${v.line} ${v.what}`)).toEqual([]);
    });

    it(`@skew/${name} depends on nothing but @skew/env and other cores`, () => {
      const manifest = JSON.parse(readFileSync(path.join(root, "packages", name, "package.json"), "utf8")) as {
        dependencies?: Record<string, string>;
      };
      const allowed = new Set(["@skew/env", ...corePackages.map((core) => `@skew/${core}`)]);
      expect(Object.keys(manifest.dependencies ?? {}).filter((dep) => !allowed.has(dep))).toEqual([]);
    });
  }
});
