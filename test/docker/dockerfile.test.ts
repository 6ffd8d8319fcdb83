/**
 * docker/Dockerfile checked against the code and the repository: the base
 * image, the workspace manifests `npm ci` needs, the runtime user and its
 * data volume, the entry point (the `skew` CLI, compiled from
 * packages/node/src/cli.ts) and its command, and the build context.
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { usage } from "../../packages/node/src/cli.js";
import {
  DOCKERFILE,
  DOCKERIGNORE,
  image,
  imageEnv,
  imageInstructions,
  imageWorkdir,
  last,
  read,
  root,
  stages,
} from "./docker-files.js";
import { commandOf, copies, lineage, workdirOf } from "./dockerfile.js";
import { isIgnored, parseDockerignore } from "./dockerignore.js";

describe(`${DOCKERFILE}`, () => {
  it("builds on node:20-bookworm-slim and runs on it", () => {
    expect(stages[0]?.from, `${DOCKERFILE}:${stages[0]?.line} FROM`).toBe("node:20-bookworm-slim");
    expect(image.from, `${DOCKERFILE}:${image.line} FROM (the image)`).toBe("node:20-bookworm-slim");
  });

  it("copies every workspace's manifest, where it belongs, before each npm ci", () => {
    const workspaces = (JSON.parse(read("package.json")) as { workspaces: string[] }).workspaces.flatMap((pattern) =>
      pattern.endsWith("/*")
        ? readdirSync(path.join(root, pattern.slice(0, -2)))
            .map((dir) => `${pattern.slice(0, -2)}/${dir}`)
            .filter((dir) => existsSync(path.join(root, dir, "package.json")))
        : [pattern],
    );
    const manifests = ["package.json", "package-lock.json", ...workspaces.map((dir) => `${dir}/package.json`)];
    let installs = 0;
    for (const stage of stages) {
      const instructions = lineage(stages, stage);
      const install = instructions.findIndex((i) => i.keyword === "RUN" && /\bnpm ci\b/.test(i.args));
      if (install < 0 || !stage.instructions.includes(instructions[install] as (typeof instructions)[number])) continue;
      installs++;
      const before = instructions.slice(0, install);
      const workdir = workdirOf(before);
      const landed = copies(before)
        .filter((copy) => copy.from === undefined)
        .flatMap((copy) =>
          copy.sources.map((source) =>
            copy.destination.endsWith("/") ? `${copy.destination}${path.posix.basename(source)}` : copy.destination,
          ),
        );
      for (const manifest of manifests) {
        expect(
          landed,
          `${DOCKERFILE}:${instructions[install]?.line} npm ci: ${manifest} is not copied to ${workdir}/${manifest} before it`,
        ).toContain(path.posix.join(workdir, manifest));
      }
    }
    expect(installs, `${DOCKERFILE}: no stage runs npm ci`).toBeGreaterThan(0);
  });

  it("declares SKEW_DATA_DIR a volume that the runtime user owns, and that user is not root", () => {
    const user = last("USER");
    expect(user.value.split(":")[0], user.where).not.toMatch(/^(root|0)$/);
    const volume = last("VOLUME");
    expect(volume.value.startsWith("[") ? commandOf(volume.value) : volume.value.split(/\s+/), volume.where).toEqual([
      imageEnv.SKEW_DATA_DIR,
    ]);
    const chown = imageInstructions.find(
      (i) =>
        i.keyword === "RUN" &&
        new RegExp(`chown\\s+(-R\\s+)?${user.value}(:\\S+)?\\s+${imageEnv.SKEW_DATA_DIR}\\b`).test(i.args),
    );
    expect(
      chown,
      `${DOCKERFILE}: no RUN chown ${user.value} ${imageEnv.SKEW_DATA_DIR} in the image stage`,
    ).toBeDefined();
  });

  it("enters the CLI compiled from packages/node/src/cli.ts, and runs its node command", () => {
    const entrypoint = last("ENTRYPOINT");
    const [runtime, script, ...rest] = commandOf(entrypoint.value);
    expect(runtime, entrypoint.where).toBe("node");
    expect(rest, entrypoint.where).toEqual([]);
    const compiled = path.posix.relative(imageWorkdir, script ?? "");
    expect(compiled, `${entrypoint.where} (relative to WORKDIR ${imageWorkdir})`).toBe("packages/node/dist/cli.js");
    // Where tsc puts it: packages/node/tsconfig.src.json maps rootDir to outDir.
    const tsconfig = JSON.parse(read("packages/node/tsconfig.src.json")) as {
      compilerOptions: { rootDir: string; outDir: string };
    };
    const outDir = path.posix.join("packages/node", tsconfig.compilerOptions.outDir);
    const source = path.posix
      .join("packages/node", tsconfig.compilerOptions.rootDir, path.posix.relative(outDir, compiled))
      .replace(/\.js$/, ".ts");
    expect(source, entrypoint.where).toBe("packages/node/src/cli.ts");
    expect(existsSync(path.join(root, source)), `${entrypoint.where}: ${source} exists`).toBe(true);
    const bin = (JSON.parse(read("packages/node/package.json")) as { bin: Record<string, string> }).bin.skew;
    expect(
      path.posix.join("packages/node", bin ?? ""),
      `${entrypoint.where} vs packages/node/package.json bin.skew`,
    ).toBe(compiled);

    const cmd = last("CMD");
    const commands = usage()
      .split("\n")
      .flatMap((line) => /^ {2}(\S+)\s/.exec(line)?.slice(1) ?? []);
    const [command, ...options] = commandOf(cmd.value);
    expect(commands, `${cmd.where}: ${command} vs the commands of packages/node/src/cli.ts usage()`).toContain(command);
    expect(command, `${cmd.where}: the command that runs a replica`).toBe("node");
    expect(options, `${cmd.where}: options belong in SKEW_* variables`).toEqual([]);
  });

  it(`keeps out of the build context what git ignores and the secrets, and keeps what it copies (${DOCKERIGNORE})`, () => {
    // BuildKit reads <Dockerfile>.dockerignore beside the Dockerfile; a docker/.dockerignore would be ignored.
    expect(
      existsSync(path.join(root, "docker/.dockerignore")),
      "docker/.dockerignore is never read; use docker/Dockerfile.dockerignore",
    ).toBe(false);
    const rules = parseDockerignore(read(DOCKERIGNORE));
    const gitignored = read(".gitignore")
      .split("\n")
      .map((line) => line.trim().replace(/\/$/, ""))
      .filter((line) => line !== "" && !line.startsWith("#") && !line.startsWith("!"));
    for (const pattern of gitignored) {
      const sample = pattern.replace(/\*/g, "sample");
      for (const where of [sample, `packages/node/${sample}`]) {
        expect(
          isIgnored(rules, where),
          `${DOCKERIGNORE}: ${where} (.gitignore ${pattern}) is in the build context`,
        ).toBe(true);
      }
    }
    for (const secret of [".git/config", "docker/.env"]) {
      expect(isIgnored(rules, secret), `${DOCKERIGNORE}: ${secret} is in the build context`).toBe(true);
    }
    const needed = copies(stages.flatMap((stage) => stage.instructions))
      .filter((copy) => copy.from === undefined)
      .flatMap((copy) => copy.sources.map((source) => source.replace(/\/$/, "")));
    for (const source of [...needed, "packages/node/src/cli.ts", "packages/node/tsconfig.src.json"]) {
      expect(isIgnored(rules, source), `${DOCKERIGNORE}: ${source}, which ${DOCKERFILE} copies, is left out`).toBe(
        false,
      );
    }
  });
});
