/**
 * The parts every malformed request of the HTTP fuzz is made of: what goes
 * on the wire (method, target, header pairs, body), what the fuzz knows of
 * the cluster it aims at, and the random pieces that ride along with a
 * request's defect (header values undici lets through, content types,
 * bodies of random bytes, JSON or msgpack cut short, noise headers).
 */
import fc from "fast-check";
import { Packr } from "msgpackr";

/** What the fuzz knows of the cluster: its buckets (name to mode) and the keys written before the fuzz. */
export interface FuzzTargets {
  readonly buckets: Readonly<Record<string, string>>;
  readonly keys: readonly string[];
  /** The node the requests go to, and the members that may sign (the others). */
  readonly self: string;
  readonly members: readonly string[];
}

export interface WireRequest {
  readonly method: string;
  readonly path: string;
  /** Pairs, so a name may repeat. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: Uint8Array;
}

export type HeaderList = (readonly [string, string])[];

export const ascii = (min: number, max: number): fc.Arbitrary<string> =>
  fc.integer({ min, max }).map((code) => String.fromCharCode(code));

/** What undici lets through in a header value: tab, visible ASCII and space, and Latin-1's upper half. */
export const headerChar = fc.oneof(
  { weight: 8, arbitrary: ascii(0x20, 0x7e) },
  { weight: 1, arbitrary: ascii(0x80, 0xff) },
  { weight: 1, arbitrary: fc.constant("\t") },
);

export const headerValue = (maxLength: number, minLength = 0): fc.Arbitrary<string> =>
  fc.string({ unit: headerChar, minLength, maxLength });

/** Characters a request target may carry as they are (undici refuses others; '#' would end it, '%' starts an escape). */
export const pathChar = ascii(0x21, 0x7e).filter((c) => c !== "#" && c !== "%" && c !== "?");

export const queryChar = ascii(0x21, 0x7e).filter((c) => c !== "#");

/** Extra headers of no meaning to the node, with any value: noise the parser must carry. */
export const noiseHeaders = fc.array(
  fc.tuple(
    fc.stringMatching(/^[a-z0-9-]{1,12}$/).map((name) => `x-fz-${name}`),
    headerValue(64),
  ),
  { maxLength: 3 },
);

export const contentType = fc.oneof(
  fc.constantFrom(
    "application/json",
    "application/json; charset=utf-8",
    "application/msgpack",
    "application/octet-stream",
    "text/plain",
    "text/plain; charset=utf-16",
    "multipart/form-data; boundary=xyz",
    "application/x-www-form-urlencoded",
    'application/json; charset="',
    ";;;",
    "*/*",
    "",
  ),
  headerValue(80),
);

export const randomBytes = (maxLength: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength });

export const packr = new Packr({ useRecords: false });

/** Bodies: random bytes, JSON of anything, msgpack of anything cut short. */
export const anyBody = fc.oneof(
  randomBytes(2048),
  fc.jsonValue({ maxDepth: 3 }).map((value) => new TextEncoder().encode(JSON.stringify(value) ?? "null")),
  fc.tuple(fc.jsonValue({ maxDepth: 3 }), fc.double({ min: 0, max: 1, noNaN: true })).map(([value, fraction]) => {
    const packed = packr.pack(value);
    return packed.subarray(0, Math.floor(packed.length * fraction));
  }),
);

export const methodsWithBody = new Set(["PUT", "POST", "DELETE", "PATCH"]);

/** A header list with the content type, when there is a body, and the noise. */
export function withBody(
  headers: readonly (readonly [string, string])[],
  body: Uint8Array | undefined,
  type: string | undefined,
  noise: readonly (readonly [string, string])[],
): (readonly [string, string])[] {
  const list: (readonly [string, string])[] = [...headers, ...noise];
  if (body !== undefined && type !== undefined) list.push(["content-type", type]);
  return list;
}

export function keyPath(bucket: string, key: string, suffix = ""): string {
  return `/buckets/${encodeURIComponent(bucket)}/keys/${encodeURIComponent(key)}${suffix}`;
}
