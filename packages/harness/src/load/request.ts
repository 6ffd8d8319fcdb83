/**
 * What one request of a load looks like, so that one load generator can
 * drive systems with different APIs (a Skew put is the value's bytes in a
 * `PUT /buckets/b/keys/k`, an etcd put is JSON with base64 fields through
 * etcd's HTTP gateway) and the comparison between them is the systems', not
 * the tools'. A request is described as data (it crosses a process boundary
 * as JSON) and compiled once per load: per request only the key index
 * changes, so everything that does not depend on it is worked out up front
 * and the generator spends its share of the 2 cores sending, not formatting.
 */
import { describeValue } from "@skew/env";

/** How a request carries a body. */
export type LoadBody =
  /** The value itself, `valueBytes` bytes, as `application/octet-stream` (a Skew put). */
  | { readonly kind: "value" }
  /**
   * Text from a template. Placeholders: `{i}` the key index, `{value}` the
   * value as text (`valueBytes` ASCII characters), and `{base64:...}` the
   * base64 of what it encloses once expanded (the enclosed text may hold
   * `{i}` and `{value}` but no other braces). Any other brace is literal, so
   * JSON templates need no escaping.
   */
  | { readonly kind: "template"; readonly template: string; readonly contentType: string };

export type LoadMethod = "GET" | "PUT" | "POST";

/** The shape of every request of a load. */
export interface LoadRequest {
  readonly method: LoadMethod;
  /** The path; `{i}` is replaced by the key index. */
  readonly path: string;
  /** Absent: no body for GET, the value's bytes (`{ kind: "value" }`) for PUT and POST. */
  readonly body?: LoadBody;
  /** How many distinct keys to cycle over (the index modulo this); absent: a new key per request. */
  readonly keys?: number;
}

/** One request, ready for undici. */
export interface PreparedRequest {
  readonly method: LoadMethod;
  readonly path: string;
  readonly body?: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The byte every value is made of (`x`): ASCII, so `{value}` in a template is the same bytes as the raw value. */
export const valueByte = 0x78;

type Part =
  | string
  | { readonly kind: "index" }
  | { readonly kind: "value" }
  | { readonly kind: "base64"; readonly parts: readonly Part[] };

/**
 * Turns a request description into a function of the request's index.
 * Throws a TypeError for a description no request could be made from (a
 * programming mistake in the benchmark, not a runtime failure).
 */
export function prepareRequest(request: LoadRequest, valueBytes: number): (index: number) => PreparedRequest {
  if (!Number.isInteger(valueBytes) || valueBytes < 0) throw new TypeError(`valueBytes must be an integer >= 0`);
  if (request.keys !== undefined && (!Number.isInteger(request.keys) || request.keys < 1))
    throw new TypeError(`keys must be a positive integer, got ${describeValue(request.keys)}`);
  if (typeof request.path !== "string" || !request.path.startsWith("/"))
    throw new TypeError(`the path must start with "/", got ${describeValue(request.path)}`);
  const keyOf = request.keys === undefined ? (i: number) => i : (i: number) => i % (request.keys as number);
  const path = compile(parseTemplate(request.path, false), "");
  const body = request.body ?? (request.method === "GET" ? undefined : ({ kind: "value" } as const));
  if (body === undefined) return (i) => ({ method: request.method, path: render(path, keyOf(i)) });
  if (body.kind === "value") {
    const bytes = Buffer.alloc(valueBytes, valueByte);
    const headers = { "content-type": "application/octet-stream" };
    return (i) => ({ method: request.method, path: render(path, keyOf(i)), body: bytes, headers });
  }
  const text = compile(parseTemplate(body.template, true), "x".repeat(valueBytes));
  const headers = { "content-type": body.contentType };
  return (i) => {
    const key = keyOf(i);
    return { method: request.method, path: render(path, key), body: render(text, key), headers };
  };
}

/** Expands a body template for one index (what `prepareRequest` sends); for tests and for checking a template by eye. */
export function expandTemplate(template: string, index: number, valueBytes: number): string {
  return render(compile(parseTemplate(template, true), "x".repeat(valueBytes)), index);
}

/** A Skew put: the value's bytes to `PUT /buckets/<bucket>/keys/<keyPrefix><i>`. */
export function skewPutRequest(bucket: string, keyPrefix: string): LoadRequest {
  checkPlainText("bucket", bucket);
  checkPlainText("keyPrefix", keyPrefix);
  return {
    method: "PUT",
    path: `/buckets/${encodeURIComponent(bucket)}/keys/${encodeURIComponent(keyPrefix)}{i}`,
    body: { kind: "value" },
  };
}

/**
 * An etcd v3 put through etcd's HTTP/JSON gateway (grpc-gateway, on every
 * member's client port): `POST /v3/kv/put` with the key and the value as
 * base64, as the gateway maps protobuf `bytes` fields.
 */
export function etcdPutRequest(keyPrefix: string): LoadRequest {
  checkPlainText("keyPrefix", keyPrefix);
  return {
    method: "POST",
    path: "/v3/kv/put",
    body: {
      kind: "template",
      contentType: "application/json",
      template: `{"key":"{base64:${keyPrefix}{i}}","value":"{base64:{value}}"}`,
    },
  };
}

/** An etcd v3 read of one key through the gateway (`POST /v3/kv/range`; linearizable, etcd's default). */
export function etcdRangeRequest(keyPrefix: string, keys?: number): LoadRequest {
  checkPlainText("keyPrefix", keyPrefix);
  return {
    method: "POST",
    path: "/v3/kv/range",
    body: { kind: "template", contentType: "application/json", template: `{"key":"{base64:${keyPrefix}{i}}"}` },
    ...(keys === undefined ? {} : { keys }),
  };
}

/** Key prefixes and bucket names go into URLs, JSON strings and templates: no braces, quotes, backslashes or controls. */
function checkPlainText(what: string, text: string): void {
  if (typeof text !== "string" || !/^[A-Za-z0-9._~/:-]*$/.test(text))
    throw new TypeError(`${what} may hold only letters, digits and . _ ~ / : -, got ${describeValue(text)}`);
}

const base64Open = "{base64:";

function parseTemplate(template: string, isBody: boolean): Part[] {
  let at = 0;
  const parse = (depth: number): Part[] => {
    const parts: Part[] = [];
    let literal = "";
    while (at < template.length) {
      if (template.startsWith("{i}", at)) {
        if (literal !== "") parts.push(literal);
        literal = "";
        parts.push({ kind: "index" });
        at += 3;
      } else if (template.startsWith("{value}", at)) {
        if (!isBody) throw new TypeError(`{value} is for bodies, not paths: ${template}`);
        if (literal !== "") parts.push(literal);
        literal = "";
        parts.push({ kind: "value" });
        at += 7;
      } else if (template.startsWith(base64Open, at)) {
        if (!isBody) throw new TypeError(`{base64:...} is for bodies, not paths: ${template}`);
        if (depth > 0) throw new TypeError(`{base64:...} cannot nest: ${template}`);
        if (literal !== "") parts.push(literal);
        literal = "";
        at += base64Open.length;
        const inner = parse(depth + 1);
        if (template[at] !== "}") throw new TypeError(`{base64: is never closed in ${template}`);
        at++;
        parts.push({ kind: "base64", parts: inner });
      } else if (depth > 0 && template[at] === "}") {
        break;
      } else if (depth > 0 && template[at] === "{") {
        throw new TypeError(`only {i} and {value} may appear inside {base64:...}: ${template}`);
      } else {
        literal += template[at];
        at++;
      }
    }
    if (literal !== "") parts.push(literal);
    return parts;
  };
  return parse(0);
}

/** Folds everything that does not depend on the index into literals. */
function compile(parts: readonly Part[], value: string): Part[] {
  const out: Part[] = [];
  const push = (part: Part): void => {
    const last = out[out.length - 1];
    if (typeof part === "string" && typeof last === "string") out[out.length - 1] = last + part;
    else out.push(part);
  };
  for (const part of parts) {
    // The value is the same for every request of a load: a literal once compiled.
    if (typeof part !== "string" && part.kind === "value") push(value);
    else if (typeof part === "string" || part.kind === "index") push(part);
    else {
      const inner = compile(part.parts, value);
      const only = inner[0];
      if (inner.length === 0) continue;
      if (inner.length === 1 && typeof only === "string") push(Buffer.from(only).toString("base64"));
      else push({ kind: "base64", parts: inner });
    }
  }
  return out;
}

function render(parts: readonly Part[], index: number): string {
  let text = "";
  for (const part of parts) {
    if (typeof part === "string") text += part;
    else if (part.kind === "index") text += String(index);
    else if (part.kind === "value") throw new TypeError("a template was rendered before it was compiled");
    else text += Buffer.from(render(part.parts, index)).toString("base64");
  }
  return text;
}
