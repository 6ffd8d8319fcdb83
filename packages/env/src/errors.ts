/**
 * The one base class for Skew's documented runtime errors. Each package keeps
 * its own registry of codes (see its `errors.ts` and README); programming
 * mistakes are plain `TypeError`/`RangeError`, as in abstract-level.
 */
export class SkewError<Code extends string = string> extends Error {
  override name = "SkewError";
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** An expected failure as a value: `{ ok: false, error }`, or `{ ok: true, value }`. */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}
