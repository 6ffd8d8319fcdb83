/**
 * docker/ as the checks see it, read once: the Dockerfile's image stage
 * (with what it inherits) and its ENV, and the compose file interpolated
 * with test values for the secrets it requires.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { type ComposeFile, type ComposeService, environmentOf, interpolateAll, parseCompose } from "./compose-file.js";
import { type Instruction, lineage, parseDockerfile, parseEnv, type Stage, workdirOf } from "./dockerfile.js";

export const root = path.resolve(import.meta.dirname, "../..");
export const DOCKERFILE = "docker/Dockerfile";
export const COMPOSE = "docker/compose.yaml";
export const ENV_EXAMPLE = "docker/.env.example";
/** BuildKit reads `<Dockerfile>.dockerignore` beside the Dockerfile before the context's own .dockerignore. */
export const DOCKERIGNORE = `${DOCKERFILE}.dockerignore`;

export const read = (file: string): string => readFileSync(path.join(root, file), "utf8");

export const stages: readonly Stage[] = parseDockerfile(read(DOCKERFILE));
const lastStage = stages.at(-1);
if (lastStage === undefined) throw new Error(`${DOCKERFILE} has no FROM`);
/** The stage that is the image: the last one. */
export const image: Stage = lastStage;
/** The image's instructions, with those of the stages it is built FROM. */
export const imageInstructions: readonly Instruction[] = lineage(stages, image);

/** The last instruction of a kind in the image (the one in force), and where it is, for messages. */
export function last(keyword: string): { value: string; where: string } {
  const found = imageInstructions.filter((i) => i.keyword === keyword).at(-1);
  if (found === undefined) throw new Error(`${DOCKERFILE}: the image stage has no ${keyword}`);
  return { value: found.args, where: `${DOCKERFILE}:${found.line} ${keyword}` };
}

export const imageEnv: Readonly<Record<string, string>> = Object.assign(
  {},
  ...imageInstructions.filter((i) => i.keyword === "ENV").map((i) => parseEnv(i.args)),
);
export const imageWorkdir = workdirOf(imageInstructions);

export const composeText = read(COMPOSE);
/** Before interpolation. */
export const composeRaw = parseCompose(composeText) as ComposeFile;
/** What a docker/.env would hold; the checks use these. */
export const testVariables = {
  SKEW_SECRET: "compose-test-secret-0123456789",
  SKEW_ADMIN_TOKEN: "compose-test-admin-token-0123456789",
} as const;
export const compose: ComposeFile = interpolateAll(composeRaw, testVariables);
export const serviceNames: readonly string[] = Object.keys(compose.services ?? {});
export const service = (name: string): ComposeService => compose.services[name] ?? {};

/** The container's environment as Docker assembles it: the image's ENV, then the service's. */
export function containerEnv(name: string): Record<string, string> {
  return { ...imageEnv, ...environmentOf(service(name)) };
}
