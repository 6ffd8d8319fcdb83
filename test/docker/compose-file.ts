/**
 * Reading docker/compose.yaml as Compose does, for the parts the cluster
 * uses: variable interpolation (`${NAME:?message}` and friends), a
 * service's environment (map or list), its ports and its volumes (short or
 * long syntax). Anything else in those places is refused rather than
 * guessed at.
 */
import { parse } from "yaml";

export interface ComposeService {
  readonly build?: { readonly context?: string; readonly dockerfile?: string };
  readonly image?: string;
  readonly restart?: string;
  readonly environment?: Record<string, unknown> | string[];
  readonly ports?: unknown[];
  readonly volumes?: unknown[];
  readonly healthcheck?: { readonly test?: string | string[]; readonly disable?: boolean };
}

export interface ComposeFile {
  readonly services: Record<string, ComposeService>;
  readonly volumes?: Record<string, unknown>;
}

/** The file as YAML, merge keys (`<<: *anchor`) resolved as Compose resolves them. */
export function parseCompose(text: string): unknown {
  return parse(text, { merge: true });
}

/** Every variable the file interpolates, with the message it gives when the variable is required and missing. */
export function variablesOf(text: string): Map<string, string | undefined> {
  const found = new Map<string, string | undefined>();
  for (const match of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?\?)([^}]*)|:?[-+][^}]*)?\}/g)) {
    found.set(match[1] as string, match[2] === undefined ? found.get(match[1] as string) : (match[3] as string));
  }
  return found;
}

/**
 * Compose's interpolation of one string: `$$` is a dollar; `${A}` and `$A`
 * the variable or empty; `${A:-x}`/`${A-x}` a default when unset or empty /
 * unset; `${A:?msg}`/`${A?msg}` an error with msg when unset or empty / unset.
 */
export function interpolate(value: string, variables: Readonly<Record<string, string | undefined>>): string {
  return value.replace(
    /\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*)|\{[^}]*\}?)/g,
    (whole, _body, braced, colon, operator, operand, bare) => {
      if (whole === "$$") return "$";
      const name = (braced ?? bare) as string | undefined;
      if (name === undefined) throw new Error(`${JSON.stringify(whole)} is not an interpolation Compose understands`);
      const raw = variables[name];
      const missing = colon === ":" ? raw === undefined || raw === "" : raw === undefined;
      if (operator === "-") return missing ? (operand as string) : (raw as string);
      if (operator === "?") {
        if (missing) throw new Error(`required variable ${name} is missing a value: ${operand as string}`);
        return raw as string;
      }
      if (operator === "+") return missing ? "" : (operand as string);
      return raw ?? "";
    },
  );
}

/** Every string in a parsed YAML value, interpolated. */
export function interpolateAll<T>(value: T, variables: Readonly<Record<string, string | undefined>>): T {
  if (typeof value === "string") return interpolate(value, variables) as T;
  if (Array.isArray(value)) return value.map((item) => interpolateAll(item, variables)) as T;
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateAll(item, variables)])) as T;
  }
  return value;
}

/** A service's environment as the container gets it (without the image's ENV). */
export function environmentOf(service: ComposeService): Record<string, string> {
  const { environment } = service;
  if (environment === undefined) return {};
  const entries: [string, unknown][] = Array.isArray(environment)
    ? environment.map((item) => {
        const at = item.indexOf("=");
        return at < 0 ? [item, null] : [item.slice(0, at), item.slice(at + 1)];
      })
    : Object.entries(environment);
  const env: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (value === null || typeof value === "object")
      throw new Error(`${name} has no value here (Compose would take it from the host)`);
    env[name] = String(value);
  }
  return env;
}

export interface PortMapping {
  readonly hostIp: string | undefined;
  readonly published: number;
  readonly target: number;
}

/** `[ip:]published:target[/protocol]` or `{ target, published, host_ip }`. */
export function portOf(entry: unknown): PortMapping {
  if (typeof entry === "object" && entry !== null) {
    const {
      target,
      published,
      host_ip: hostIp,
    } = entry as { target?: unknown; published?: unknown; host_ip?: unknown };
    return {
      hostIp: typeof hostIp === "string" ? hostIp : undefined,
      published: Number(published),
      target: Number(target),
    };
  }
  const match = /^(?:(\d{1,3}(?:\.\d{1,3}){3}):)?(\d+):(\d+)(?:\/(tcp|udp))?$/.exec(String(entry));
  if (match === null) throw new Error(`${JSON.stringify(entry)} is not [ip:]published:target`);
  return { hostIp: match[1], published: Number(match[2]), target: Number(match[3]) };
}

export interface Mount {
  readonly type: "volume" | "bind";
  readonly source: string;
  readonly target: string;
}

/** `source:target[:mode]` or `{ type, source, target }`; a source that is a path is a bind mount. */
export function mountOf(entry: unknown): Mount {
  if (typeof entry === "object" && entry !== null) {
    const { type, source, target } = entry as { type?: unknown; source?: unknown; target?: unknown };
    if ((type !== "volume" && type !== "bind") || typeof source !== "string" || typeof target !== "string") {
      throw new Error(`${JSON.stringify(entry)} is not a volume or bind mount with a source and a target`);
    }
    return { type, source, target };
  }
  const [source, target] = String(entry).split(":");
  if (source === undefined || target === undefined) throw new Error(`${JSON.stringify(entry)} is not source:target`);
  return { type: /^[./~]/.test(source) ? "bind" : "volume", source, target };
}
