/**
 * The client API, in the manner of Riak's HTTP interface:
 *
 * ```text
 * GET    /buckets/:bucket/keys/:key            200 one value, 300 siblings, 404 none (with the context)
 * PUT    /buckets/:bucket/keys/:key            200 { context, siblings }; body = the value, Content-Type kept
 * DELETE /buckets/:bucket/keys/:key            200 { context }
 * GET    /buckets/:bucket/keys/:key/history    200 each primary's kept versions
 * POST   /buckets/:bucket/snapshot             200 { at, entries }: several keys as of one timestamp
 * ```
 *
 * Per request: `r`, `w`, `pr`, `pw`, `n`, `timeout` (ms) in the query; a
 * read of the past with `at` (and `wait`); the causal context in the
 * `x-skew-context` header (every read returns it, in the body and the
 * header; hand it back with the write that follows); a fencing token in
 * `x-skew-fence`. Conditional writes: `If-None-Match: *` (only if the key
 * has no value) and `If-Match: <context>` (only if the key's context is
 * still that one) are checked with a read before the write, so they are not
 * atomic: a concurrent write can land between (Riak's are not either); in a
 * causal bucket the write then makes siblings rather than losing anything.
 *
 * Statuses and codes: http/errors.ts; the README lists them.
 */
import { type Static, Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { ClientReply, Failure } from "@skew/kv";
import { contextCharsMax, fenceMax, replicasMax, requestTimeoutMsMax, snapshotKeysMax } from "@skew/kv";
import type { FastifyInstance, FastifyReply } from "fastify";
import { HttpError } from "../http/errors.js";
import { defaultContentType, frameValue, httpValueBytesMax, isContentType, jsonSibling } from "../http/values.js";
import type { NodeRuntime } from "../runtime.js";

export const contextHeader = "x-skew-context";
export const fenceHeader = "x-skew-fence";

const Count = Type.Integer({ minimum: 0, maximum: replicasMax });
const Params = Type.Object({
  bucket: Type.String({ minLength: 1, maxLength: 255 }),
  key: Type.String({ maxLength: 4096 }),
});
const BucketParams = Type.Object({ bucket: Type.String({ minLength: 1, maxLength: 255 }) });
const ReadQuery = Type.Object(
  {
    r: Type.Optional(Count),
    pr: Type.Optional(Count),
    n: Type.Optional(Count),
    timeout: Type.Optional(Type.Integer({ minimum: 1, maximum: requestTimeoutMsMax })),
    at: Type.Optional(Type.Number({ minimum: 0 })),
    wait: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const WriteQuery = Type.Object(
  {
    w: Type.Optional(Count),
    pw: Type.Optional(Count),
    n: Type.Optional(Count),
    timeout: Type.Optional(Type.Integer({ minimum: 1, maximum: requestTimeoutMsMax })),
  },
  { additionalProperties: false },
);
const HistoryQuery = Type.Object(
  { n: Type.Optional(Count), timeout: Type.Optional(Type.Integer({ minimum: 1, maximum: requestTimeoutMsMax })) },
  { additionalProperties: false },
);
const WriteHeaders = Type.Object({
  [contextHeader]: Type.Optional(Type.String({ maxLength: contextCharsMax })),
  [fenceHeader]: Type.Optional(Type.String({ pattern: "^[0-9]{1,16}$" })),
  "if-match": Type.Optional(Type.String({ maxLength: contextCharsMax + 2 })),
  "if-none-match": Type.Optional(Type.Literal("*")),
  "content-type": Type.Optional(Type.String({ maxLength: 255 })),
});
const SnapshotBody = Type.Object(
  {
    keys: Type.Array(Type.String({ maxLength: 4096 }), { minItems: 1, maxItems: snapshotKeysMax }),
    at: Type.Number({ minimum: 0 }),
    wait: Type.Optional(Type.Boolean()),
    r: Type.Optional(Count),
    pr: Type.Optional(Count),
    n: Type.Optional(Count),
    timeout: Type.Optional(Type.Integer({ minimum: 1, maximum: requestTimeoutMsMax })),
  },
  { additionalProperties: false },
);
const Sibling = Type.Object({ contentType: Type.String(), value: Type.String({ description: "base64" }) });
const ErrorBody = Type.Object({
  code: Type.String(),
  message: Type.String(),
  definite: Type.Optional(Type.Boolean()),
  got: Type.Optional(Type.Integer()),
  need: Type.Optional(Type.Integer()),
  context: Type.Optional(Type.String()),
});
const ReadReply = Type.Object({ siblings: Type.Array(Sibling), context: Type.String() });
const WriteReply = Type.Object({
  context: Type.String(),
  siblings: Type.Integer(),
  warning: Type.Optional(Type.String()),
});
const HistoryEntry = Type.Object({
  at: Type.Number(),
  node: Type.String(),
  bytes: Type.Integer(),
  tombstone: Type.Boolean(),
  counter: Type.Union([Type.Integer(), Type.Null()]),
  supersededAt: Type.Union([Type.Number(), Type.Null()]),
});
const HistoryReply = Type.Object({
  bucket: Type.String(),
  key: Type.String(),
  mode: Type.String(),
  replicas: Type.Array(
    Type.Object({
      node: Type.String(),
      state: Type.Union([Type.Literal("answered"), Type.Literal("suspected"), Type.Literal("no-answer")]),
      horizon: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
      versions: Type.Optional(Type.Array(HistoryEntry)),
    }),
  ),
});
const SnapshotReply = Type.Object({
  at: Type.Number(),
  entries: Type.Array(Type.Object({ key: Type.String(), siblings: Type.Array(Sibling) })),
});
const errors = {
  400: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  410: ErrorBody,
  412: ErrorBody,
  413: ErrorBody,
  425: ErrorBody,
  429: ErrorBody,
  503: ErrorBody,
};

/** The store's request from the HTTP one: query names to the store's, and nothing absent. */
function quorum(query: {
  r?: number;
  w?: number;
  pr?: number;
  pw?: number;
  n?: number;
  timeout?: number;
}): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of ["r", "w", "pr", "pw", "n"] as const)
    if (query[name] !== undefined) out[name] = query[name] as number;
  if (query.timeout !== undefined) out.timeoutMs = query.timeout;
  return out;
}

/** Runs a request through the core; a failure becomes its HTTP error (and is counted). */
export async function call(
  runtime: NodeRuntime,
  kind: string,
  bucket: string,
  request: Record<string, unknown>,
): Promise<Exclude<ClientReply, Failure>> {
  if (runtime.closing) throw HttpError.of("SHUTTING_DOWN");
  if (!Object.hasOwn(runtime.config.buckets, bucket)) throw HttpError.of("BUCKET_NOT_FOUND", JSON.stringify(bucket));
  const reply = await runtime.driver.request({ ...request, kind, bucket });
  const { metrics } = runtime;
  metrics.operations.inc({ kind, bucket, outcome: reply.ok ? "ok" : reply.code });
  if (!reply.ok) {
    if (reply.code === "TIMEOUT" || reply.code === "UNAVAILABLE") {
      metrics.quorumFailures.inc({ kind, code: reply.code, definite: String(reply.definite) });
    }
    throw HttpError.fromFailure(reply);
  }
  return reply;
}

function sendRead(reply: FastifyReply, values: readonly Uint8Array[], context: string): FastifyReply {
  reply.header(contextHeader, context);
  if (values.length === 0) {
    return reply
      .status(404)
      .send({ code: "NOT_FOUND", message: "no value: the key was never written, or it was deleted", context });
  }
  return reply.status(values.length === 1 ? 200 : 300).send({ siblings: values.map(jsonSibling), context });
}

export async function registerKeyRoutes(app: FastifyInstance): Promise<void> {
  const runtime = app.skew;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  // Values are bytes of any content type: no JSON parsing on these routes, the body arrives as it came.
  typed.removeAllContentTypeParsers();
  typed.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: httpValueBytesMax }, (_request, body, done) =>
    done(null, body),
  );
  typed.addContentTypeParser(
    "application/json",
    { parseAs: "buffer", bodyLimit: httpValueBytesMax },
    (_request, body, done) => done(null, body),
  );

  typed.get(
    "/buckets/:bucket/keys/:key",
    {
      schema: {
        summary: "Read a key: every sibling and the causal context",
        params: Params,
        querystring: ReadQuery,
        response: { 200: ReadReply, 300: ReadReply, ...errors },
      },
    },
    async (request, reply) => {
      const { bucket, key } = request.params;
      const { at, wait } = request.query;
      const read = await call(runtime, "get", bucket, {
        key,
        ...quorum(request.query),
        ...(at === undefined ? {} : { at }),
        ...(wait === undefined ? {} : { wait }),
      });
      if (read.kind !== "get") throw new Error("a get answered with another kind");
      runtime.metrics.siblings.observe({ bucket }, read.values.length);
      return sendRead(reply, read.values, read.context);
    },
  );

  const write = async (
    kind: "put" | "delete",
    params: Static<typeof Params>,
    query: Static<typeof WriteQuery>,
    headers: Static<typeof WriteHeaders>,
    body: unknown,
  ): Promise<Exclude<ClientReply, Failure>> => {
    const { bucket, key } = params;
    let context = headers[contextHeader];
    const ifMatch = headers["if-match"];
    if (headers["if-none-match"] !== undefined || ifMatch !== undefined) {
      const current = await call(runtime, "get", bucket, { key, ...(query.n === undefined ? {} : { n: query.n }) });
      if (current.kind !== "get") throw new Error("a get answered with another kind");
      if (headers["if-none-match"] !== undefined && current.values.length > 0) {
        throw HttpError.of("PRECONDITION_FAILED", "If-None-Match: * but the key has a value");
      }
      if (ifMatch !== undefined) {
        const wanted = ifMatch.replace(/^"(.*)"$/, "$1");
        if (wanted !== current.context)
          throw HttpError.of("PRECONDITION_FAILED", "the key's context is no longer the one in If-Match");
        context = current.context;
      }
    }
    const fence = headers[fenceHeader] === undefined ? undefined : Number(headers[fenceHeader]);
    if (fence !== undefined && !(fence <= fenceMax))
      throw new HttpError(400, { code: "INVALID_REQUEST", message: `${fenceHeader} is at most ${fenceMax}` });
    const request: Record<string, unknown> = { key, ...quorum(query) };
    if (context !== undefined && context !== "") request.context = context;
    if (fence !== undefined) request.fence = fence;
    if (kind === "put") {
      const contentType = headers["content-type"] ?? defaultContentType;
      if (!isContentType(contentType))
        throw new HttpError(400, { code: "INVALID_REQUEST", message: "the content type is not printable ASCII" });
      const bytes = body === undefined || body === null ? new Uint8Array(0) : (body as Buffer);
      if (!(bytes instanceof Uint8Array))
        throw new HttpError(400, { code: "INVALID_REQUEST", message: "the value must be the request's body" });
      request.value = frameValue(contentType, bytes);
    }
    return call(runtime, kind, bucket, request);
  };

  typed.put(
    "/buckets/:bucket/keys/:key",
    {
      schema: {
        summary: "Write a key; with the context of a read, supersede what that read saw",
        params: Params,
        querystring: WriteQuery,
        headers: WriteHeaders,
        response: { 200: WriteReply, ...errors },
      },
    },
    async (request, reply) => {
      const written = await write("put", request.params, request.query, request.headers, request.body);
      if (written.kind !== "put") throw new Error("a put answered with another kind");
      runtime.metrics.siblings.observe({ bucket: request.params.bucket }, written.siblings);
      reply.header(contextHeader, written.context);
      return {
        context: written.context,
        siblings: written.siblings,
        ...(written.warning ? { warning: written.warning } : {}),
      };
    },
  );

  typed.delete(
    "/buckets/:bucket/keys/:key",
    {
      schema: {
        summary: "Delete a key (a tombstone); with the context of a read, only what that read saw",
        params: Params,
        querystring: WriteQuery,
        headers: WriteHeaders,
        response: { 200: WriteReply, ...errors },
      },
    },
    async (request, reply) => {
      const written = await write("delete", request.params, request.query, request.headers, undefined);
      if (written.kind !== "delete") throw new Error("a delete answered with another kind");
      reply.header(contextHeader, written.context);
      return { context: written.context, siblings: written.siblings };
    },
  );

  typed.get(
    "/buckets/:bucket/keys/:key/history",
    {
      schema: {
        summary: "What each primary of the key keeps of its history (stamps, writers, sizes; no values)",
        params: Params,
        querystring: HistoryQuery,
        response: { 200: HistoryReply, ...errors },
      },
    },
    async (request) => {
      const { bucket, key } = request.params;
      const history = await call(runtime, "history", bucket, { key, ...quorum(request.query) });
      if (history.kind !== "history") throw new Error("a history request answered with another kind");
      const { mode, replicas } = history;
      return {
        bucket,
        key,
        mode,
        replicas: replicas.map((r) =>
          r.state === "answered"
            ? { node: r.node, state: r.state, horizon: r.horizon, versions: [...r.versions] }
            : { ...r },
        ),
      };
    },
  );

  // The snapshot route takes JSON: a context of its own with the JSON parser back.
  await app.register(async (scoped) => {
    scoped.removeContentTypeParser("application/json");
    scoped.addContentTypeParser(
      "application/json",
      { parseAs: "string" },
      scoped.getDefaultJsonParser("error", "error"),
    );
    const json = scoped.withTypeProvider<TypeBoxTypeProvider>();
    json.post(
      "/buckets/:bucket/snapshot",
      {
        schema: {
          summary: "Several keys as of one timestamp: a consistent cut in lww-hlc, lww-truetime and causal buckets",
          params: BucketParams,
          body: SnapshotBody,
          response: { 200: SnapshotReply, ...errors },
        },
      },
      async (request) => {
        const { bucket } = request.params;
        const { keys, at, wait } = request.body;
        const snapshot = await call(runtime, "snapshot", bucket, {
          keys,
          at,
          ...(wait === undefined ? {} : { wait }),
          ...quorum(request.body),
        });
        if (snapshot.kind !== "snapshot") throw new Error("a snapshot answered with another kind");
        return {
          at: snapshot.at,
          entries: snapshot.entries.map((e) => ({ key: e.key, siblings: e.values.map(jsonSibling) })),
        };
      },
    );
  });
}
