/**
 * The malformed requests to the client routes (and `/admin/clock`): each
 * carries at least one defect the API documents as a 4xx, whatever else
 * was drawn beside it, so that no well-behaved node could accept it (an
 * unknown bucket, a context that is not the bucket's, an unknown query
 * parameter or a bad value of a known one, a fencing token that is no
 * token, a precondition that cannot hold, a key over the limit, a bad
 * percent-escape, a method the route lacks, a JSON body its schema refuses,
 * a head over Node's 16 KiB).
 */
import fc from "fast-check";
import { adminToken } from "../../support/local.js";
import {
  anyBody,
  contentType,
  type FuzzTargets,
  type HeaderList,
  headerValue,
  keyPath,
  methodsWithBody,
  noiseHeaders,
  pathChar,
  queryChar,
  randomBytes,
  type WireRequest,
  withBody,
} from "./wire.js";

/** The HTTP parser's limit on a request's head (Node's default, which the server states as headerBytesMax). */
const headerBytesLimit = 16 * 1024;

/** The mode whose buckets take causal contexts (`c.`); every other mode's take `l.` ones. */
const causalMode = "causal";

/** kv's largest fencing token (its fenceMax): a 16-digit token above it is refused. */
const fenceMax = Number.MAX_SAFE_INTEGER;

export const clientCategories = [
  "body-with-defect",
  "invalid-context",
  "bad-percent-encoding",
  "random-query",
  "wrong-method",
  "snapshot-json",
  "admin-json",
  "huge-headers",
] as const;

export type ClientCategory = (typeof clientCategories)[number];

export interface ClientCase {
  readonly category: ClientCategory;
  readonly request: WireRequest;
}

// ---- defects of the key routes -----------------------------------------------------------------------------------

const knownQueryNames = new Set(["r", "w", "pr", "pw", "n", "timeout", "at", "wait"]);

/** A query parameter no route takes. */
const unknownQueryName = fc
  .oneof(
    fc.string({ unit: queryChar, maxLength: 12 }),
    fc.constantFrom("__proto__", "constructor", "", "R", "r[]", "toString"),
  )
  .filter((name) => !knownQueryNames.has(name));

/** A quorum no request allows: above the 3 replicas, negative, fractions, words. */
const badQuorum = fc.oneof(
  fc.integer({ min: 4, max: 1e9 }).map(String),
  fc.constantFrom("-1", "1.5", "2.25", "1e400", "NaN", "", "two"),
);

/**
 * A known parameter with a value no request allows. Zero is a bad `r`, `w`
 * or `n`, but not a bad `pr` or `pw`: "no primary required" is their default
 * (kv's requests.ts, as in Riak), and a `pw=0` drawn here was a valid delete.
 */
const badQueryPair = fc.oneof(
  fc.tuple(fc.constantFrom("r", "w", "n"), fc.oneof(badQuorum, fc.constant("0"))),
  fc.tuple(fc.constantFrom("pr", "pw"), badQuorum),
  fc.tuple(
    fc.constant("timeout"),
    fc.oneof(fc.integer({ min: 60_001, max: 2 ** 40 }).map(String), fc.constantFrom("0", "-5", "0.5", "soon", "")),
  ),
  fc.tuple(fc.constant("at"), fc.constantFrom("-1", "-0.5", "yesterday", "1e999", "")),
  fc.tuple(fc.constant("wait"), fc.constantFrom("true", "false", "maybe", "1", "")),
);

/** A query string of random characters and pairs, and one defect (an unknown name, or a known one with a bad value). */
const defectiveQuery = fc
  .tuple(
    fc.string({ unit: queryChar, maxLength: 40 }),
    fc.oneof(
      unknownQueryName.map((name) => [name, "1"] as const),
      badQueryPair,
    ),
    fc.boolean(),
  )
  .map(([noise, [name, value], noiseFirst]) => {
    const defect = `${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
    return noiseFirst ? `?${noise}&${defect}` : `?${defect}&${noise}`;
  });

const notDigitsOnly = (text: string): boolean => !/^[0-9]{1,16}$/.test(text.trim());

/** A fencing token no request allows: not 1 to 16 digits, or above fenceMax. */
const badFence = fc.oneof(
  headerValue(20).filter(notDigitsOnly),
  fc.integer({ min: 1, max: 999_999_999 }).map((n) => String(fenceMax + n)),
  fc.constantFrom("-1", "1.0", "0x10", "1e3", "12345678901234567", " ", "\u00b2"),
);

/** A string over `chars`, with one of `spoilers` put at a random place: the result is never of the family. */
function spoiled(chars: fc.Arbitrary<string>, spoilers: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.string({ unit: chars, maxLength: 24 }), fc.constantFrom(...spoilers), fc.nat())
    .map(([text, spoiler, at]) => {
      const i = at % (text.length + 1);
      return text.slice(0, i) + spoiler + text.slice(i);
    });
}

const base64urlChar = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
/** Header-safe characters that are neither base64url nor part of a JavaScript number's spelling. */
const spoilers = [
  "!",
  "#",
  "$",
  "&",
  "'",
  "(",
  ")",
  "*",
  ",",
  "/",
  ":",
  ";",
  "<",
  "=",
  ">",
  "?",
  "@",
  "[",
  "]",
  "^",
  "`",
  "{",
  "|",
  "}",
  "~",
  "\u00e9",
  " x",
];

/**
 * A context that is not one of `bucket`'s (kv's record/context.ts:
 * `c.<fence>.<base64url clock>` in causal buckets, `l.<fence>.<time>` in
 * the others; "" is a blind write and is never drawn).
 */
function invalidContext(causal: boolean): fc.Arbitrary<string> {
  const own = causal ? "c" : "l";
  const other = causal ? "l" : "c";
  const validFence = fc.oneof(fc.constant("0"), fc.integer({ min: 1, max: 1e9 }).map(String));
  const notAFence = fc.oneof(
    fc.constantFrom("", "00", "01", "-1", "+1", "1e3", "0x1", "99999999999999999", "9007199254740992", " 1"),
    fc
      .string({ unit: pathChar, minLength: 1, maxLength: 8 })
      .filter((t) => !/^(0|[1-9][0-9]{0,15})$/.test(t) && !t.includes(".")),
  );
  return fc.oneof(
    // anything not starting with a family's prefix
    headerValue(60, 1).filter((text) => text.trim() !== "" && !/^[cl]\./.test(text.trim())),
    // the prefix, a broken fence, anything after
    fc.tuple(fc.constantFrom("c", "l"), notAFence, headerValue(30)).map(([p, f, rest]) => `${p}.${f}.${rest}`.trim()),
    // the prefix and a fence, no dot after it
    fc.tuple(fc.constantFrom("c", "l"), validFence).map(([p, f]) => `${p}.${f}`),
    fc.constantFrom("c", "l", "c.", "l.", "c..", "l.."),
    // the other family's well-formed context
    fc
      .tuple(validFence, causal ? fc.nat().map(String) : fc.string({ unit: base64urlChar, maxLength: 20 }))
      .map(([f, rest]) => `${other}.${f}.${rest}`),
    // this family's prefix and fence, and a body spoiled by a character neither base64url nor numeric
    fc
      .tuple(validFence, spoiled(causal ? base64urlChar : fc.constantFrom(..."0123456789"), spoilers))
      .map(([f, rest]) => `${own}.${f}.${rest}`),
    // a well-formed one, sent twice: the server joins the two with ", "
    fc.constant(causal ? "c.0.AA, c.0.AA" : "l.0.5, l.0.5"),
  );
}

/** One defect of a write (PUT or DELETE) to a key route, and what it changes in the request. */
interface Defect {
  readonly bucket?: string;
  readonly key?: string;
  readonly query?: string;
  readonly headers?: HeaderList;
}

function writeDefect(targets: FuzzTargets): fc.Arbitrary<Defect> {
  const bucketNames = Object.keys(targets.buckets);
  const unknownBucket = fc
    .oneof(
      fc.string({ unit: "grapheme", maxLength: 30 }),
      fc.string({ unit: "grapheme-ascii", minLength: 256, maxLength: 300 }),
    )
    .filter((name) => !bucketNames.includes(name));
  // Over kv's 1024 UTF-8 bytes; or, in ASCII, over the router's 4096-character parameter limit too (the target
  // stays under Node's 16 KiB head, which huge-headers covers).
  const tooLongKey = fc.oneof(
    fc
      .tuple(fc.constantFrom("a", "é", "✓", "𝄞"), fc.integer({ min: 1, max: 400 }))
      .map(([unit, extra]) => unit.repeat(Math.ceil(1025 / new TextEncoder().encode(unit).length) + extra)),
    fc.integer({ min: 4097, max: 6000 }).map((length) => "k".repeat(length)),
  );
  return fc.oneof(
    unknownBucket.map((bucket): Defect => ({ bucket })),
    tooLongKey.map((key): Defect => ({ key })),
    defectiveQuery.map((query): Defect => ({ query })),
    badFence.map((fence): Defect => ({ headers: [["x-skew-fence", fence]] })),
    headerValue(20)
      .filter((v) => v.trim() !== "*")
      .map((v): Defect => ({ headers: [["if-none-match", v]] })),
    // If-Match with a context nobody read: the key's current context differs
    headerValue(60, 1)
      .filter((v) => v.replace(/^"(.*)"$/, "$1").trim() !== "")
      .map((v): Defect => ({ headers: [["if-match", v]] })),
  );
}

function bucketAndKey(targets: FuzzTargets): fc.Arbitrary<{ bucket: string; key: string }> {
  return fc.record({
    bucket: fc.constantFrom(...Object.keys(targets.buckets)),
    key: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...targets.keys) },
      { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }) },
    ),
  });
}

// ---- the client categories ----------------------------------------------------------------------------------------

function bodyWithDefect(targets: FuzzTargets): fc.Arbitrary<ClientCase> {
  return fc
    .record({
      method: fc.constantFrom("PUT", "DELETE"),
      at: bucketAndKey(targets),
      defect: writeDefect(targets),
      body: fc.option(anyBody, { nil: undefined }),
      type: fc.option(contentType, { nil: undefined }),
      noise: noiseHeaders,
    })
    .map(({ method, at, defect, body, type, noise }) => {
      const bucket = defect.bucket ?? at.bucket;
      const key = defect.key ?? at.key;
      return {
        category: "body-with-defect",
        request: {
          method,
          path: keyPath(bucket, key, defect.query ?? ""),
          headers: withBody(defect.headers ?? [], body, type, noise),
          ...(body === undefined ? {} : { body }),
        },
      } as const;
    });
}

function invalidContextCase(targets: FuzzTargets): fc.Arbitrary<ClientCase> {
  return bucketAndKey(targets).chain(({ bucket, key }) =>
    fc
      .record({
        method: fc.constantFrom("PUT", "DELETE"),
        context: invalidContext(targets.buckets[bucket] === causalMode),
        body: fc.option(anyBody, { nil: undefined }),
        type: fc.option(contentType, { nil: undefined }),
        noise: noiseHeaders,
      })
      .map(({ method, context, body, type, noise }) => {
        const headers: HeaderList = context.includes(", ")
          ? (context.split(", ").map((part) => ["x-skew-context", part] as const) as HeaderList)
          : [["x-skew-context", context]];
        return {
          category: "invalid-context",
          request: {
            method,
            path: keyPath(bucket, key),
            headers: withBody(headers, body, type, noise),
            ...(body === undefined ? {} : { body }),
          },
        } as const;
      }),
  );
}

/** Escapes that decodeURIComponent refuses: a lone or short '%', non-hex digits, bytes that are not UTF-8. */
const badEscape = fc.oneof(
  fc.constantFrom(
    "%",
    "%%",
    "%0",
    "%G0",
    "%0G",
    "%zz",
    "%-1",
    "%80",
    "%BF",
    "%C0%AF",
    "%C3",
    "%E0%A4",
    "%E0%A4%A",
    "%ED%A0%80",
    "%F4%90%80%80",
    "%F8%88%80%80%80",
    "%FF",
    "%FE%FF",
  ),
  fc
    .tuple(
      fc.constantFrom(..."0123456789ABCDEFabcdef"),
      fc.constantFrom(..."GHIJKLMNOPQRSTUVWXYZghijklmnopqrstuvwxyz_-.~!"),
    )
    .map(([a, b]) => `%${a}${b}`),
);

function badPercentEncoding(targets: FuzzTargets): fc.Arbitrary<ClientCase> {
  const segment = fc.string({ unit: pathChar.filter((c) => c !== "/"), maxLength: 12 });
  // What follows an escape must not complete it ("%0" then "b" is "%0b", a good escape).
  const spoil = fc
    .tuple(
      segment,
      badEscape,
      segment.filter((b) => !/^[0-9A-Fa-f]/.test(b)),
    )
    .map(([a, bad, b]) => `${a}${bad}${b}`);
  const bucket = fc.constantFrom(...Object.keys(targets.buckets));
  const path = fc.oneof(
    fc.tuple(spoil, segment).map(([b, k]) => `/buckets/${b}/keys/${k}`),
    fc.tuple(bucket, spoil).map(([b, k]) => `/buckets/${b}/keys/${k}`),
    fc.tuple(bucket, spoil).map(([b, k]) => `/buckets/${b}/keys/${k}/history`),
    fc.tuple(spoil).map(([b]) => `/buckets/${b}/snapshot`),
    fc.tuple(bucket, spoil).map(([b, k]) => `/debug/keys/${b}/${k}`),
    fc.tuple(bucket, spoil).map(([b, k]) => `/debug/keys/${b}/${k}/replicas`),
    spoil.map((id) => `/admin/nodes/${id}/clock`),
    spoil.map((s) => `/internal/stream${s}`),
    spoil.map((s) => `/health${s}`),
    spoil.map((s) => `/${s}`),
  );
  return fc
    .record({
      method: fc.constantFrom("GET", "PUT", "DELETE", "POST"),
      path,
      body: anyBody,
      type: contentType,
      noise: noiseHeaders,
    })
    .map(({ method, path: p, body, type, noise }) => {
      const withPayload = methodsWithBody.has(method);
      return {
        category: "bad-percent-encoding",
        request: {
          method,
          path: p,
          headers: withBody([], withPayload ? body : undefined, type, noise),
          ...(withPayload ? { body } : {}),
        },
      } as const;
    });
}

function randomQuery(targets: FuzzTargets): fc.Arbitrary<ClientCase> {
  return fc
    .record({
      route: fc.constantFrom("read", "write", "delete", "history"),
      at: bucketAndKey(targets),
      query: defectiveQuery,
      body: fc.option(anyBody, { nil: undefined }),
      type: contentType,
      noise: noiseHeaders,
    })
    .map(({ route, at, query, body, type, noise }) => {
      const method = route === "write" ? "PUT" : route === "delete" ? "DELETE" : "GET";
      const payload = method === "GET" ? undefined : body;
      const path = keyPath(at.bucket, at.key, route === "history" ? `/history${query}` : query);
      return {
        category: "random-query",
        request: {
          method,
          path,
          headers: withBody([], payload, type, noise),
          ...(payload === undefined ? {} : { body: payload }),
        },
      } as const;
    });
}

function wrongMethod(targets: FuzzTargets): fc.Arbitrary<ClientCase> {
  const exotic = [
    "PATCH",
    "OPTIONS",
    "PROPFIND",
    "PROPPATCH",
    "MKCOL",
    "COPY",
    "MOVE",
    "LOCK",
    "UNLOCK",
    "SEARCH",
    "PURGE",
    "REPORT",
    "MKACTIVITY",
    "NOTIFY",
    "SUBSCRIBE",
    "LINK",
    "QUERY",
    "FROB",
  ];
  const methodsFor = (allowed: readonly string[]): fc.Arbitrary<string> =>
    fc.constantFrom(...["GET", "PUT", "DELETE", "POST", ...exotic].filter((m) => !allowed.includes(m)));
  const route = bucketAndKey(targets).chain(({ bucket, key }) =>
    fc.oneof(
      methodsFor(["GET", "PUT", "DELETE"]).map((method) => ({ method, path: keyPath(bucket, key) })),
      methodsFor(["GET"]).map((method) => ({ method, path: keyPath(bucket, key, "/history") })),
      methodsFor(["POST"]).map((method) => ({ method, path: `/buckets/${encodeURIComponent(bucket)}/snapshot` })),
      methodsFor(["GET"]).map((method) => ({
        method,
        path: `/debug/keys/${encodeURIComponent(bucket)}/${encodeURIComponent(key)}`,
      })),
      methodsFor(["GET"]).map((method) => ({
        method,
        path: `/debug/keys/${encodeURIComponent(bucket)}/${encodeURIComponent(key)}/replicas`,
      })),
      fc
        .tuple(methodsFor(["GET"]), fc.constantFrom("/health", "/metrics", "/cluster", "/cluster/nodes", "/docs/json"))
        .map(([method, path]) => ({ method, path })),
      fc
        .tuple(
          methodsFor(["POST"]),
          fc.constantFrom("/admin/clock", "/admin/nodes/n1/clock", "/admin/nodes/n2/clock", "/admin/demo/lost-update"),
        )
        .map(([method, path]) => ({ method, path })),
      methodsFor(["POST"]).map((method) => ({ method, path: "/internal/stream" })),
    ),
  );
  return fc
    .record({ route, body: anyBody, type: contentType, noise: noiseHeaders })
    .map(({ route: { method, path }, body, type, noise }) => {
      const withPayload = methodsWithBody.has(method);
      return {
        category: "wrong-method",
        request: {
          method,
          path,
          headers: withBody([], withPayload ? body : undefined, type, noise),
          ...(withPayload ? { body } : {}),
        },
      } as const;
    });
}

const notAnObject = fc
  .jsonValue({ maxDepth: 2 })
  .filter((v) => typeof v !== "object" || v === null || Array.isArray(v));
const notANumber = fc.jsonValue({ maxDepth: 2 }).filter((v) => typeof v !== "number");

/** A snapshot request's JSON that its schema refuses (a body is never converted: "1" is not a number). */
function snapshotJson(targets: FuzzTargets): fc.Arbitrary<ClientCase> {
  const keys = fc.array(fc.constantFrom(...targets.keys), { minLength: 1, maxLength: 4 });
  const body = fc.oneof(
    notAnObject,
    fc.record({
      keys: fc.jsonValue({ maxDepth: 2 }).filter((v) => !Array.isArray(v)),
      at: fc.jsonValue({ maxDepth: 1 }),
    }),
    fc.record({
      keys: fc.array(
        fc.jsonValue({ maxDepth: 1 }).filter((v) => typeof v !== "string"),
        { minLength: 1, maxLength: 3 },
      ),
      at: fc.nat(),
    }),
    fc.record({ keys, at: notANumber }),
    fc.record({ keys: fc.constant([]), at: fc.nat() }),
    fc.record({ keys: fc.array(fc.string(), { minLength: 101, maxLength: 120 }), at: fc.nat() }),
    fc.record({ keys, at: fc.integer({ min: -1e12, max: -1 }) }),
    fc
      .tuple(
        keys,
        fc.nat(),
        fc
          .string({ minLength: 1, maxLength: 8 })
          .filter((k) => !["keys", "at", "wait", "r", "pr", "n", "timeout"].includes(k)),
        fc.jsonValue({ maxDepth: 1 }),
      )
      .map(([k, at, extra, value]) => ({ keys: k, at, [extra]: value })),
    fc
      .tuple(keys, fc.nat())
      .map(
        ([k, at]) => JSON.parse(`{"keys":${JSON.stringify(k)},"at":${at},"__proto__":{"polluted":true}}`) as unknown,
      ),
  );
  return fc
    .record({
      bucket: fc.constantFrom(...Object.keys(targets.buckets)),
      body,
      type: fc.oneof({ weight: 4, arbitrary: fc.constant("application/json") }, { weight: 1, arbitrary: contentType }),
      noise: noiseHeaders,
    })
    .map(({ bucket, body: value, type, noise }) => {
      const bytes = new TextEncoder().encode(JSON.stringify(value) ?? "null");
      return {
        category: "snapshot-json",
        request: {
          method: "POST",
          path: `/buckets/${encodeURIComponent(bucket)}/snapshot`,
          headers: withBody([], bytes, type, noise),
          body: bytes,
        },
      } as const;
    });
}

/** `/admin/clock` with a body its schema refuses, with or without the token; or any body without the right token. */
function adminJson(): fc.Arbitrary<ClientCase> {
  const refused = fc.oneof(
    notAnObject,
    fc.record({ offsetMs: notANumber }, { requiredKeys: [] }).filter((v) => Object.keys(v).length > 0),
    fc.record({ driftPpm: notANumber }),
    fc.record({ jumpMs: notANumber }),
    fc.record({ offsetMs: fc.double({ min: 1e10, max: 1e300, noNaN: true }) }),
    fc.record({ offsetMs: fc.integer({ min: -10, max: 10 }), extra: fc.jsonValue({ maxDepth: 1 }) }),
    fc.constant(JSON.parse('{"__proto__":{"offsetMs":1}}') as unknown),
  );
  const wrongToken = fc.oneof(
    fc.constant(undefined),
    headerValue(40)
      .map((t) => `Bearer ${t}`)
      .filter((t) => t !== `Bearer ${adminToken}`),
    fc.constantFrom(adminToken, `bearer ${adminToken}`, `Basic ${adminToken}`),
  );
  const request = fc.oneof(
    fc.record({
      token: fc.constant<string | undefined>(`Bearer ${adminToken}`),
      body: refused.map((v) => JSON.stringify(v) ?? "null"),
    }),
    fc.record({ token: wrongToken, body: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? "null") }),
    fc.record({ token: wrongToken, body: fc.constant('{"offsetMs":0}') }),
    fc.record({
      token: fc.constant<string | undefined>(`Bearer ${adminToken}`),
      body: fc.constantFrom("{", "", "[", "nul", '{"offsetMs":}', "\u0000"),
    }),
  );
  return fc
    .record({
      request,
      // The same body schema here and at the routes that forward to a member's /admin/clock (n1 is itself).
      path: fc.constantFrom("/admin/clock", "/admin/nodes/n1/clock", "/admin/nodes/n2/clock"),
      type: fc.oneof({ weight: 4, arbitrary: fc.constant("application/json") }, { weight: 1, arbitrary: contentType }),
      noise: noiseHeaders,
    })
    .map(({ request: { token, body }, path, type, noise }) => {
      const bytes = new TextEncoder().encode(body);
      const headers: HeaderList = token === undefined ? [] : [["authorization", token]];
      return {
        category: "admin-json",
        request: { method: "POST", path, headers: withBody(headers, bytes, type, noise), body: bytes },
      } as const;
    });
}

/** A request whose head is over Node's 16 KiB: one long header, many headers, a huge context or a huge target. */
function hugeHeaders(targets: FuzzTargets): fc.Arbitrary<ClientCase> {
  const size = fc.integer({ min: headerBytesLimit + 1, max: 4 * headerBytesLimit });
  const shape = fc.oneof(
    size.map((n) => ({ headers: [["x-padding", "p".repeat(n)]] as HeaderList, query: "" })),
    // The values alone are over the limit, whatever the parser counts of names and separators.
    size.map((n) => ({
      headers: Array.from({ length: Math.ceil(n / 90) }, (_, i) => [`x-many-${i}`, "m".repeat(90)] as const),
      query: "",
    })),
    size.map((n) => ({ headers: [["x-skew-context", `c.0.${"A".repeat(n)}`]] as HeaderList, query: "" })),
    size.map((n) => ({ headers: [] as HeaderList, query: `?r=${"1".repeat(n)}` })),
  );
  return fc
    .record({
      at: bucketAndKey(targets),
      method: fc.constantFrom("GET", "PUT", "DELETE", "POST"),
      shape,
      body: randomBytes(256),
    })
    .map(({ at, method, shape: { headers, query }, body }) => {
      const path = method === "POST" ? `/internal/stream${query}` : keyPath(at.bucket, at.key, query);
      const withPayload = method !== "GET";
      return {
        category: "huge-headers",
        request: {
          method,
          path,
          headers: withBody(headers, withPayload ? body : undefined, "application/octet-stream", []),
          ...(withPayload ? { body } : {}),
        },
      } as const;
    });
}

/** Every client category's arbitrary. */
export function clientArbitraries(targets: FuzzTargets): Readonly<Record<ClientCategory, fc.Arbitrary<ClientCase>>> {
  return {
    "body-with-defect": bodyWithDefect(targets),
    "invalid-context": invalidContextCase(targets),
    "bad-percent-encoding": badPercentEncoding(targets),
    "random-query": randomQuery(targets),
    "wrong-method": wrongMethod(targets),
    "snapshot-json": snapshotJson(targets),
    "admin-json": adminJson(),
    "huge-headers": hugeHeaders(targets),
  };
}
