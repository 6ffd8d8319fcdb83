/**
 * Cluster names and node ids as they travel: in the envelope, and in the
 * signed headers (percent-encoded there, since a header carries only
 * visible ASCII and a node id may be any UTF-8).
 */
import { hasLoneSurrogate, utf8Length } from "@skew/env";
import { peerNameBytesMax } from "./constants.js";

/** What is wrong with a cluster name or node id, if anything (said of "the name": "<field> is ..."). */
export function peerNameProblem(name: unknown): string | undefined {
  if (typeof name !== "string" || name.length === 0) return "is not a non-empty string";
  // Length in UTF-16 units first: it bounds the work of the checks after it.
  if (name.length > peerNameBytesMax) return `is longer than peerNameBytesMax (${peerNameBytesMax} UTF-8 bytes)`;
  if (hasLoneSurrogate(name)) return "holds a lone surrogate, which UTF-8 cannot carry";
  if (utf8Length(name) > peerNameBytesMax) return `is longer than peerNameBytesMax (${peerNameBytesMax} UTF-8 bytes)`;
  return undefined;
}

/** A checked name as a header value. */
export function nameToHeader(name: string): string {
  return encodeURIComponent(name);
}

/**
 * A header value back to a name, or undefined when it is not exactly what
 * `nameToHeader` writes (one spelling per name: "%6E1" is not "n1").
 */
export function nameFromHeader(value: string): string | undefined {
  let name: string;
  try {
    name = decodeURIComponent(value);
  } catch {
    return undefined;
  }
  return peerNameProblem(name) === undefined && nameToHeader(name) === value ? name : undefined;
}
