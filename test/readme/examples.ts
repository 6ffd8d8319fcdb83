/**
 * README examples are code: every ```ts block of the root README and of each
 * package README is extracted here so a test can run it (STYLE.md: "README
 * examples are executed by a test, so they never rot"). A block that must not
 * run is fenced as ```text or ```sh instead.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export interface Example {
  /** The README it comes from, relative to the repository root. */
  readonly readme: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly code: string;
}

export function extractExamples(readme: string, markdown: string): Example[] {
  const examples: Example[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i] ?? "")) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ""); i++) body.push(lines[i] ?? "");
    if (i >= lines.length) throw new Error(`${readme}:${start + 1}: a \`\`\`ts block is never closed`);
    examples.push({ readme, line: start + 1, code: `${body.join("\n")}\n` });
  }
  return examples;
}

/** The root README and every package README, relative to `root`. */
export function readmes(root: string): string[] {
  const packages = readdirSync(path.join(root, "packages")).sort();
  return ["README.md", ...packages.map((name) => path.join("packages", name, "README.md"))].filter((file) =>
    existsSync(path.join(root, file)),
  );
}

export function examplesOf(root: string, readme: string): Example[] {
  return extractExamples(readme, readFileSync(path.join(root, readme), "utf8"));
}
