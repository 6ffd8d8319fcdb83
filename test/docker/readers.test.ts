/** The readers the docker/ checks rely on: Dockerfile, Compose interpolation, ports, mounts, .dockerignore. */
import { describe, expect, it } from "vitest";
import { interpolate, mountOf, portOf } from "./compose-file.js";
import { commandOf, durationMs, parseDockerfile, parseEnv, parseHealthcheck } from "./dockerfile.js";
import { isIgnored, parseDockerignore } from "./dockerignore.js";

describe("the readers these checks rely on", () => {
  it("read Dockerfile continuations, ENV forms and exec-form commands", () => {
    const [stage] = parseDockerfile(
      [
        "# syntax=docker/dockerfile:1",
        "FROM base AS one",
        'ENV A=1 B="two words" \\',
        "  # a comment inside",
        "  C=3",
        "ENV LEGACY some value",
        'HEALTHCHECK --interval=5s --timeout=1m30s CMD ["node", "-e", "x"]',
        'ENTRYPOINT ["node", "/app/cli.js"]',
      ].join("\n"),
    );
    expect(stage?.name).toBe("one");
    const [env, legacy, health, entry] = stage?.instructions ?? [];
    expect(parseEnv(env?.args ?? "")).toEqual({ A: "1", B: "two words", C: "3" });
    expect(env?.line).toBe(3);
    expect(parseEnv(legacy?.args ?? "")).toEqual({ LEGACY: "some value" });
    expect(parseHealthcheck(health?.args ?? "")).toEqual({
      options: { interval: "5s", timeout: "1m30s" },
      command: ["node", "-e", "x"],
    });
    expect(durationMs("1m30s")).toBe(90_000);
    expect(commandOf(entry?.args ?? "")).toEqual(["node", "/app/cli.js"]);
    expect(commandOf("echo hi")).toEqual(["/bin/sh", "-c", "echo hi"]);
  });

  it("interpolate as Compose does, and refuse what they do not understand", () => {
    // Compose's syntax, in template literals with the `${` escaped (it is not JavaScript's here).
    expect(interpolate(`a\${X}b$$c`, { X: "1" })).toBe("a1b$c");
    expect(interpolate(`\${X:-d}|\${X-d}`, { X: "" })).toBe("d|");
    expect(() => interpolate(`\${X:?say why}`, { X: "" })).toThrow(/X.*say why/);
    expect(interpolate(`\${X?say why}`, { X: "" })).toBe("");
    expect(() => interpolate(`\${X/y}`, {})).toThrow(/not an interpolation/);
  });

  it("read ports and mounts in both syntaxes", () => {
    expect(portOf("127.0.0.1:7002:7001")).toEqual({ hostIp: "127.0.0.1", published: 7002, target: 7001 });
    expect(portOf({ target: 7001, published: "7003" })).toEqual({ hostIp: undefined, published: 7003, target: 7001 });
    expect(() => portOf("7001-7003:7001")).toThrow();
    expect(mountOf("n1-data:/data")).toEqual({ type: "volume", source: "n1-data", target: "/data" });
    expect(mountOf("./here:/data:ro")).toEqual({ type: "bind", source: "./here", target: "/data" });
  });

  it("match .dockerignore patterns as Docker does", () => {
    const rules = parseDockerignore("**/dist\n*.md\n!README.md\ndocker\n");
    expect(isIgnored(rules, "packages/node/dist/cli.js")).toBe(true);
    expect(isIgnored(rules, "dist")).toBe(true);
    expect(isIgnored(rules, "notes.md")).toBe(true);
    expect(isIgnored(rules, "packages/notes.md")).toBe(false);
    expect(isIgnored(rules, "README.md")).toBe(false);
    expect(isIgnored(rules, "docker/.env")).toBe(true);
    expect(isIgnored(rules, "packages/node/src/cli.ts")).toBe(false);
  });
});
