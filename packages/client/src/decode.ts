/**
 * The checks every decoder of a node's reply is made of (wire.ts,
 * wire-ops.ts): each takes a value and what it is called in the reply, and
 * returns it typed or throws `InvalidReply` naming it. Browser-safe, as
 * everything `api.ts` reaches: base64 is decoded with `atob`, not Buffer.
 */

/** A reply that is not what the API sends; the caller turns it into `INVALID_RESPONSE`. */
export class InvalidReply extends Error {
  override name = "InvalidReply";
}

export type Json = Record<string, unknown>;

export function object(value: unknown, what: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new InvalidReply(`${what} is not an object`);
  return value as Json;
}

export function string(value: unknown, what: string): string {
  if (typeof value !== "string") throw new InvalidReply(`${what} is not a string`);
  return value;
}

export function number(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new InvalidReply(`${what} is not a number`);
  return value;
}

export function count(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
    throw new InvalidReply(`${what} is not a count`);
  return value;
}

export function boolean(value: unknown, what: string): boolean {
  if (typeof value !== "boolean") throw new InvalidReply(`${what} is not a boolean`);
  return value;
}

export function array(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new InvalidReply(`${what} is not an array`);
  return value;
}

export function nullable<T>(value: unknown, decode: (v: unknown, what: string) => T, what: string): T | null {
  return value === null ? null : decode(value, what);
}

/** `decode(value)` when the field is there, nothing when it is absent (an optional field, never `undefined`). */
export function optional<K extends string, T>(
  name: K,
  value: unknown,
  decode: (v: unknown, what: string) => T,
  what: string,
): { [P in K]?: T } {
  return (value === undefined ? {} : { [name]: decode(value, what) }) as { [P in K]?: T };
}

/** One of `allowed`, exactly. */
export function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  const found = allowed.find((a) => a === value);
  if (found === undefined) throw new InvalidReply(`${what} is not one of ${allowed.join(", ")}`);
  return found;
}

const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict base64 (a lenient decoder skips what it does not know, which would turn a corrupt reply into other bytes). */
export function bytes(value: unknown, what: string): Uint8Array {
  const text = string(value, what);
  if (!base64.test(text)) throw new InvalidReply(`${what} is not base64`);
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
