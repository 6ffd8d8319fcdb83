/**
 * A small Dockerfile reader: enough of the format to check docker/Dockerfile
 * against the code (there is no Docker engine to build it here). It keeps
 * what an image's configuration comes from: FROM (stages and their
 * parents), WORKDIR, COPY, RUN, ENV, EXPOSE, VOLUME, USER, HEALTHCHECK,
 * ENTRYPOINT and CMD, with the line each came from. What it does not
 * understand it refuses, so that a check never passes on a misreading.
 */

export interface Instruction {
  /** Upper case: `ENV`, `COPY`, ... */
  readonly keyword: string;
  /** Everything after the keyword, continuation lines joined. */
  readonly args: string;
  /** 1-based line of the keyword. */
  readonly line: number;
}

export interface Stage {
  /** What FROM names: an image, or an earlier stage. */
  readonly from: string;
  readonly name: string | undefined;
  readonly line: number;
  readonly instructions: readonly Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const lines = text.split("\n");
  if (lines.some((line) => /^#\s*escape\s*=/i.test(line))) throw new Error("an escape directive is not supported");
  const instructions: Instruction[] = [];
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i] ?? "";
    if (/^\s*(#.*)?$/.test(first)) continue;
    const start = i;
    let joined = first;
    // A trailing backslash continues the instruction; comment lines inside it are dropped, as Docker does.
    while (/\\\s*$/.test(joined) && i + 1 < lines.length) {
      i++;
      const next = lines[i] ?? "";
      if (/^\s*#/.test(next)) continue;
      joined = `${joined.replace(/\\\s*$/, "")}${next}`;
    }
    const match = /^\s*([A-Za-z]+)\s*(.*)$/.exec(joined);
    if (match === null) throw new Error(`line ${start + 1}: not an instruction: ${first}`);
    instructions.push({
      keyword: (match[1] as string).toUpperCase(),
      args: (match[2] as string).trim(),
      line: start + 1,
    });
  }
  const stages: { from: string; name: string | undefined; line: number; instructions: Instruction[] }[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === "FROM") {
      const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith("--"));
      const [from, as, name] = words;
      if (from === undefined || (as !== undefined && (as.toUpperCase() !== "AS" || name === undefined))) {
        throw new Error(`line ${instruction.line}: FROM ${instruction.args} is not FROM image [AS name]`);
      }
      stages.push({ from, name, line: instruction.line, instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (stage === undefined) {
        if (instruction.keyword === "ARG") continue;
        throw new Error(`line ${instruction.line}: ${instruction.keyword} before the first FROM`);
      }
      stage.instructions.push(instruction);
    }
  }
  return stages;
}

/** The stage's instructions preceded by those of the stages it is built FROM, oldest first. */
export function lineage(stages: readonly Stage[], stage: Stage): Instruction[] {
  const parent = stages.find(
    (other) => other.name !== undefined && other.name === stage.from && other.line < stage.line,
  );
  return [...(parent === undefined ? [] : lineage(stages, parent)), ...stage.instructions];
}

/** Shell-like words: whitespace separates, quotes group, a backslash escapes. */
export function words(text: string): string[] {
  const result: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      if (word !== undefined) result.push(word);
      word = undefined;
    } else if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new Error(`an unclosed ${c} in ${text}`);
      const quoted = text.slice(i + 1, end);
      // Inside double quotes a backslash escapes a quote, a backslash or a dollar; inside single quotes nothing.
      word = (word ?? "") + (c === '"' ? quoted.replace(/\\(["\\$])/g, "$1") : quoted);
      i = end;
    } else if (c === "\\" && i + 1 < text.length) {
      word = (word ?? "") + text[i + 1];
      i++;
    } else {
      word = (word ?? "") + c;
    }
  }
  if (word !== undefined) result.push(word);
  return result;
}

/** `ENV a=1 b="2 3"` or the older `ENV a 1`. */
export function parseEnv(args: string): Record<string, string> {
  const parts = words(args);
  const first = parts[0];
  if (first === undefined) throw new Error("ENV without a variable");
  if (!first.includes("=")) return { [first]: args.slice(args.indexOf(first) + first.length).trim() };
  const env: Record<string, string> = {};
  for (const part of parts) {
    const at = part.indexOf("=");
    if (at <= 0) throw new Error(`ENV ${args}: ${part} is not name=value`);
    env[part.slice(0, at)] = part.slice(at + 1);
  }
  return env;
}

/** A command in exec form (`["node", "x"]`) as is; in shell form, as Docker runs it. */
export function commandOf(args: string): string[] {
  if (!args.startsWith("[")) return ["/bin/sh", "-c", args];
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === "string")) {
    throw new Error(`${args} is not a JSON array of strings`);
  }
  return parsed;
}

export interface Healthcheck {
  /** Option name (without `--`) to value: interval, timeout, start-period, retries. */
  readonly options: Readonly<Record<string, string>>;
  readonly command: readonly string[];
}

/** `HEALTHCHECK [--option=value ...] CMD command`, or undefined for `HEALTHCHECK NONE`. */
export function parseHealthcheck(args: string): Healthcheck | undefined {
  if (/^NONE$/i.test(args)) return undefined;
  const options: Record<string, string> = {};
  let rest = args;
  for (let option = /^--([a-z-]+)=(\S+)\s+/.exec(rest); option !== null; option = /^--([a-z-]+)=(\S+)\s+/.exec(rest)) {
    options[option[1] as string] = option[2] as string;
    rest = rest.slice(option[0].length);
  }
  const cmd = /^CMD\s+(.*)$/is.exec(rest);
  if (cmd === null) throw new Error(`HEALTHCHECK ${args}: expected [options] CMD command`);
  return { options, command: commandOf((cmd[1] as string).trim()) };
}

/** A Docker duration (`3s`, `1m30s`, `500ms`) in ms. */
export function durationMs(text: string): number {
  const units: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join("") !== text)
    throw new Error(`${text} is not a duration`);
  return parts.reduce((sum, part) => sum + Number(part[1]) * (units[part[2] as string] as number), 0);
}

export interface Copy {
  readonly from: string | undefined;
  readonly sources: readonly string[];
  /** Absolute: the destination resolved against WORKDIR. */
  readonly destination: string;
  readonly line: number;
}

/** The COPY instructions of a list of instructions, their destinations resolved against the WORKDIR in force. */
export function copies(instructions: readonly Instruction[]): Copy[] {
  let workdir = "/";
  const result: Copy[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === "WORKDIR") workdir = resolvePath(workdir, instruction.args);
    if (instruction.keyword !== "COPY" && instruction.keyword !== "ADD") continue;
    const parts = instruction.args.startsWith("[") ? commandOf(instruction.args) : words(instruction.args);
    const flags = parts.filter((part) => part.startsWith("--"));
    const paths = parts.filter((part) => !part.startsWith("--"));
    const destination = paths.at(-1);
    if (destination === undefined || paths.length < 2)
      throw new Error(`line ${instruction.line}: COPY needs a source and a destination`);
    const from = flags.find((flag) => flag.startsWith("--from="))?.slice("--from=".length);
    const resolved = resolvePath(workdir, destination);
    result.push({
      from,
      sources: paths.slice(0, -1),
      destination: destination.endsWith("/") ? `${resolved}/` : resolved,
      line: instruction.line,
    });
  }
  return result;
}

/** The stage's WORKDIR at its end (Docker's default is /). */
export function workdirOf(instructions: readonly Instruction[]): string {
  return instructions.filter((i) => i.keyword === "WORKDIR").reduce((dir, i) => resolvePath(dir, i.args), "/");
}

function resolvePath(base: string, path: string): string {
  const segments = path.startsWith("/") ? [] : base.split("/").filter((s) => s !== "");
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  return `/${segments.join("/")}`;
}
