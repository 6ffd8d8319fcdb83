/**
 * Docker's .dockerignore matching, for checking what the build context
 * holds: patterns are relative to the context root, `*` and `?` stay within
 * a path segment, `**` spans any number of them, a `!` line re-includes,
 * the last matching line wins, and a pattern that matches a directory
 * matches everything under it.
 */

export interface IgnoreRule {
  readonly negated: boolean;
  readonly pattern: string;
  readonly regex: RegExp;
}

export function parseDockerignore(text: string): IgnoreRule[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const negated = line.startsWith("!");
      const pattern = (negated ? line.slice(1) : line).trim().replace(/^\/+/, "").replace(/\/+$/, "");
      return { negated, pattern, regex: new RegExp(`^${globToRegex(pattern)}$`) };
    });
}

/** Whether a path (relative to the context root, `/`-separated) is left out of the build context. */
export function isIgnored(rules: readonly IgnoreRule[], path: string): boolean {
  const segments = path.split("/");
  const prefixes = segments.map((_, i) => segments.slice(0, i + 1).join("/"));
  let ignored = false;
  for (const rule of rules) {
    if (prefixes.some((prefix) => rule.regex.test(prefix))) ignored = !rule.negated;
  }
  return ignored;
}

function globToRegex(pattern: string): string {
  let regex = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (pattern.startsWith("**/", i)) {
      regex += "(?:.*/)?";
      i += 2;
    } else if (pattern.startsWith("**", i)) {
      regex += ".*";
      i += 1;
    } else if (c === "*") regex += "[^/]*";
    else if (c === "?") regex += "[^/]";
    else regex += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return regex;
}
