import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * `npm test` runs its tasks through turbo, two at a time here and more on a
 * bigger machine. `tsc -b` writes every project it references that is out of
 * date (its `dist/` and build info), so two tasks that may run at once must
 * never both build one TypeScript project: one would read the `.d.ts` files
 * the other is rewriting. That happened in CI (stop 21): `@skew/hlc#build` and
 * `@skew/hlc#typecheck` both built `packages/hlc/tsconfig.src.json`, and the
 * typecheck read a half-written declaration ("'text' is of type 'unknown'").
 *
 * The law, on the task graph of the README's test command itself: of the
 * tasks that may build a project, one comes before all the others.
 */

const root = path.resolve(import.meta.dirname, "../..");

interface DryTask {
  readonly taskId: string;
  readonly command: string;
  readonly directory: string;
  readonly dependencies: readonly string[];
}

/** The `turbo run …` part of the root `test` script, as arguments. */
function turboArguments(): string[] {
  const script: unknown = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).scripts?.test;
  if (typeof script !== "string") throw new Error("the root package.json has no test script");
  const step = script.split("&&").find((part) => part.trim().startsWith("turbo run "));
  if (step === undefined) throw new Error(`the test script does not run turbo: ${script}`);
  return step.trim().split(/\s+/).slice(1);
}

function dryRun(): DryTask[] {
  const turbo = path.join(root, "node_modules", ".bin", "turbo");
  const output = execFileSync(turbo, [...turboArguments(), "--dry=json"], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
    maxBuffer: 64 * 1024 * 1024,
  });
  return (JSON.parse(output) as { tasks: DryTask[] }).tasks;
}

/** The tsconfig files a command builds with `tsc -b` (one per `tsc -b` in it). */
function builtConfigs(task: DryTask): string[] {
  const configs: string[] = [];
  for (const match of task.command.matchAll(/\btsc -b ([^\s&;|]+)/g)) {
    configs.push(path.resolve(root, task.directory, match[1] as string));
  }
  return configs;
}

/** A config and every config it references, transitively: the projects `tsc -b` may write. */
function projectClosure(config: string, into = new Set<string>()): Set<string> {
  if (into.has(config)) return into;
  into.add(config);
  const read = ts.readConfigFile(config, ts.sys.readFile);
  if (read.error !== undefined) {
    throw new Error(`${config}: ${ts.flattenDiagnosticMessageText(read.error.messageText, "\n")}`);
  }
  const references = (read.config as { references?: { path: string }[] }).references ?? [];
  for (const reference of references) {
    const target = path.resolve(path.dirname(config), reference.path);
    projectClosure(target.endsWith(".json") ? target : path.join(target, "tsconfig.json"), into);
  }
  return into;
}

const buildOf = (taskId: string): string => `${taskId.slice(0, taskId.lastIndexOf("#"))}#build`;

describe("the test command's task graph", () => {
  const tasks = dryRun();
  const byId = new Map(tasks.map((task) => [task.taskId, task]));

  const ancestors = new Map<string, Set<string>>();
  function ancestorsOf(id: string): Set<string> {
    let known = ancestors.get(id);
    if (known !== undefined) return known;
    known = new Set();
    for (const dependency of byId.get(id)?.dependencies ?? []) {
      known.add(dependency);
      for (const further of ancestorsOf(dependency)) known.add(further);
    }
    ancestors.set(id, known);
    return known;
  }

  it("builds each package before it type-checks the package's tests (the pair that raced in CI)", () => {
    const checked = tasks.filter((task) => task.taskId.endsWith("#typecheck") && byId.has(buildOf(task.taskId)));
    expect(checked.map((task) => task.taskId)).toContain("@skew/hlc#typecheck");
    for (const task of checked) expect(ancestorsOf(task.taskId), task.taskId).toContain(buildOf(task.taskId));
  });

  it("runs a package's tests after the builds of the workspace packages it depends on", () => {
    // Tests load the workspace packages from source (vitest's @skew/source condition), but a child process a test
    // starts may not: in CI @skew/harness#test started the load generator, which imported @skew/env's dist before
    // @skew/env#build had written it (stop 23). Children from source now pass the condition too; this is the
    // second line: no test task starts before what its package imports is built.
    const tested = tasks.filter((task) => task.taskId.endsWith("#test"));
    expect(tested.length).toBeGreaterThan(10);
    const missing: string[] = [];
    for (const task of tested) {
      const manifest = JSON.parse(readFileSync(path.join(root, task.directory, "package.json"), "utf8")) as {
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      const names = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies });
      for (const name of names) {
        const build = `${name}#build`;
        if (byId.has(build) && !ancestorsOf(task.taskId).has(build)) missing.push(`${task.taskId} before ${build}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("never lets two tasks that may run at once build the same TypeScript project", () => {
    const writers = new Map<string, string[]>();
    for (const task of tasks) {
      for (const config of builtConfigs(task)) {
        for (const project of projectClosure(config)) {
          const list = writers.get(project) ?? [];
          if (!list.includes(task.taskId)) list.push(task.taskId);
          writers.set(project, list);
        }
      }
    }
    // The law has something to judge: most projects are built by more than one task.
    const shared = [...writers.values()].filter((list) => list.length > 1);
    expect(shared.length).toBeGreaterThan(10);

    // Once one task has built a project, `tsc -b` finds it up to date everywhere else and only reads it. So
    // a project is safe when one of the tasks that may build it comes before all the others.
    const concurrent: string[] = [];
    for (const [project, list] of writers) {
      if (list.some((a) => list.every((b) => b === a || ancestorsOf(b).has(a)))) continue;
      // For the message: the tasks that may build it without waiting for the task that builds it in its own
      // package (its build for a package's sources, the one task otherwise).
      const owner = list.find((id) => builtConfigs(byId.get(id) as DryTask)[0] === project) ?? list[0];
      const early = list.filter((id) => id !== owner && !ancestorsOf(id).has(owner as string));
      concurrent.push(`${path.relative(root, project)} (${owner}): also ${early.join(", ")}`);
    }
    expect(concurrent).toEqual([]);
  });
});
