/**
 * The one rule of ../../../shared/DESIGN.md, checked: a core never reads the
 * time, draws a random number, starts a timer, touches the process, the disk
 * or the network by itself. It takes all of that from `@skew/env`.
 *
 * The check parses each source file with the TypeScript compiler and looks at
 * identifiers in expression position and at module specifiers, so a word in a
 * comment or a string is not a violation, while `globalThis.Date`,
 * `globalThis["setTimeout"]`, `require("fs")` and `import("node:os")` are.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import ts from "typescript";

export const corePackages = ["lamport", "vector", "hlc", "truetime", "failure-detector", "kv"] as const;

/** Globals that reach real time, randomness, timers, the process or I/O. */
export const forbiddenGlobals = new Set([
  "Date",
  "performance",
  "setTimeout",
  "setInterval",
  "setImmediate",
  "clearTimeout",
  "clearInterval",
  "clearImmediate",
  "queueMicrotask",
  "process",
  "hrtime",
  "require",
  "global",
  "globalThis",
  "window",
  "self",
  "crypto",
  "fetch",
  "XMLHttpRequest",
  "WebSocket",
  "Bun",
  "Deno",
]);

/** `Math.random` is forbidden; the rest of `Math` is pure. */
const forbiddenMembers = new Map([["Math", new Set(["random"])]]);

/** Modules a core must not import: Node's built-ins (with or without `node:`) and the system environment. */
export function isForbiddenModule(specifier: string): boolean {
  if (specifier.startsWith("node:")) return true;
  const bare = specifier.split("/")[0] ?? specifier;
  if (builtinModules.includes(specifier) || builtinModules.includes(bare)) return true;
  return specifier === "@skew/env/system" || specifier === "@skew/env/manual";
}

export interface Violation {
  readonly file: string;
  readonly line: number;
  readonly what: string;
}

/** Every violation in one TypeScript source text. */
export function scanSource(file: string, text: string): Violation[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const violations: Violation[] = [];
  const report = (node: ts.Node, what: string): void => {
    const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
    violations.push({ file, line: line + 1, what });
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined) {
      const specifier = (node.moduleSpecifier as ts.StringLiteral).text;
      if (isForbiddenModule(specifier)) report(node, `imports ${specifier}`);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg === undefined || !ts.isStringLiteralLike(arg)) report(node, "dynamic import of a computed module");
      else if (isForbiddenModule(arg.text)) report(node, `imports ${arg.text}`);
    } else if (ts.isIdentifier(node) && forbiddenGlobals.has(node.text) && isValueReference(node)) {
      report(node, `uses ${node.text}`);
    } else if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      const members = forbiddenMembers.get(node.expression.text);
      if (members?.has(node.name.text)) report(node, `uses ${node.expression.text}.${node.name.text}`);
    } else if (ts.isElementAccessExpression(node) && ts.isIdentifier(node.expression)) {
      const members = forbiddenMembers.get(node.expression.text);
      if (members !== undefined) report(node, `computed access to ${node.expression.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return violations;
}

/**
 * True when the identifier refers to a binding rather than naming a property
 * (`x.process`, `{ process: 1 }`, `class { Date() {} }`) or a type.
 */
function isValueReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if (
    (ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent)) &&
    parent.name === node
  )
    return false;
  if (
    (ts.isPropertySignature(parent) ||
      ts.isMethodSignature(parent) ||
      ts.isGetAccessor(parent) ||
      ts.isSetAccessor(parent)) &&
    parent.name === node
  )
    return false;
  if (ts.isQualifiedName(parent) || ts.isTypeReferenceNode(parent)) return false;
  if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent)) return false;
  if (ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) return false;
  if (ts.isEnumMember(parent) && parent.name === node) return false;
  return true;
}

/** Every `.ts` file under a directory, recursively. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (full.endsWith(".ts")) out.push(full);
  }
  return out.sort();
}

export function scanDirectory(dir: string): Violation[] {
  return sourceFiles(dir).flatMap((file) => scanSource(file, readFileSync(file, "utf8")));
}
