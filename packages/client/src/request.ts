/**
 * What a call sends: the key's path, the query, the node's headers and the
 * value as bytes with a content type (routes/keys.ts of @skew/node). A
 * string value is UTF-8; one that has no UTF-8 form (a lone surrogate) is
 * refused, never silently replaced.
 */
import { describeValue, hasLoneSurrogate } from "@skew/env";
import { headerValue } from "./options.js";
import type { Resolved } from "./types.js";

export { contextHeader, fenceHeader } from "./shapes.js";

/** A string value's content type unless the caller names one. */
export const textContentType = "text/plain; charset=utf-8";
/** A byte value's content type unless the caller names one (the node's default too). */
export const bytesContentType = "application/octet-stream";

export function path(bucket: string, key?: string): string {
  const base = `/buckets/${encodeURIComponent(bucket)}`;
  return key === undefined ? base : `${base}/keys/${encodeURIComponent(key)}`;
}

export function withQuery(base: string, query: Readonly<Record<string, number | boolean | undefined>>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  const text = params.toString();
  return text === "" ? base : `${base}?${text}`;
}

/** A value as bytes and a content type: strings are UTF-8 (a lone surrogate has none, so it is refused, not replaced). */
export function encodeValue(
  value: unknown,
  contentType: string | undefined,
  what: string,
): { bytes: Uint8Array; contentType: string } {
  if (typeof value === "string") {
    if (hasLoneSurrogate(value)) throw new RangeError(`${what} holds a lone surrogate: it has no UTF-8 form`);
    return { bytes: new TextEncoder().encode(value), contentType: contentType ?? textContentType };
  }
  if (value instanceof Uint8Array) return { bytes: value, contentType: contentType ?? bytesContentType };
  throw new TypeError(`${what} must be a Uint8Array or a string, got ${describeValue(value)}`);
}

export function resolvedValue(
  resolved: Resolved,
  contentType: string | undefined,
): { bytes: Uint8Array; contentType: string } {
  if (typeof resolved === "string" || resolved instanceof Uint8Array)
    return encodeValue(resolved, contentType, "the resolved value");
  if (typeof resolved !== "object" || resolved === null) {
    throw new TypeError(
      `resolve must return a Uint8Array, a string or { value, contentType }, got ${describeValue(resolved)}`,
    );
  }
  const own =
    resolved.contentType === undefined
      ? contentType
      : headerValue(resolved.contentType, "the resolved contentType", false);
  return encodeValue(resolved.value, own, "the resolved value");
}
