/**
 * The store's client requests (`@skew/kv`'s `ClientRequest`, what every
 * workload sends) as calls of a node's HTTP API through `@skew/client`, and
 * the answers back as the store's replies (`ClientReply`), so that a
 * workload and a checker cannot tell a real node from a simulated one.
 *
 * Failures keep their meaning. The node's answers for the store's own
 * failures (`TIMEOUT`, `UNAVAILABLE`, `SIBLINGS_EXCEEDED`, ...) come back
 * as those failures, `definite` as the node said. What only HTTP can say
 * is mapped onto what a simulated client would have seen:
 *
 * | the client saw                                         | the workload sees                      |
 * | ------------------------------------------------------ | -------------------------------------- |
 * | no connection opened (nothing sent)                    | `UNAVAILABLE`, definite                |
 * | `SHUTTING_DOWN` (the node refused it while stopping)   | `UNAVAILABLE`, as definite as the node |
 * | a dropped connection, no answer, an abort              | `NO_REPLY` (indefinite)                |
 * | `INTERNAL`, an unreadable answer                       | `NO_REPLY`, and an anomaly             |
 * | a refusal of the node's own (400, 404 bucket, 415 ...) | `INVALID_REQUEST`, definite, anomaly   |
 *
 * An anomaly is a node or driver bug, or a cluster without the bucket: the
 * run that met one is refused (`LIVE_NODE_ANOMALY`), never judged.
 */
import { type SkewClient, SkewClientError } from "@skew/client";
import { type ClientReply, type ClientRequest, type Failure, type FailureCode, kvErrorCodes } from "@skew/kv";
import type { NoReply, Outcome } from "../driver.js";

export const noReply: NoReply = Object.freeze({ ok: false, code: "NO_REPLY", definite: false });

/** The store's failure codes: those a coordinator answers a client with (the decoders' own stay inside the store). */
const storeFailureCodes: ReadonlySet<string> = new Set(
  Object.keys(kvErrorCodes).filter(
    (code) => !["RECORD_MALFORMED", "RECORD_CORRUPT", "MESSAGE_MALFORMED"].includes(code),
  ),
);

export function isStoreFailureCode(code: string): code is FailureCode {
  return storeFailureCodes.has(code);
}

/** What a call came to: the outcome a workload sees, and, when the node answered outside the store's vocabulary, why. */
export interface Translated {
  readonly outcome: Outcome;
  readonly anomaly: string | undefined;
}

/** Copies the fields of `source` named in `keys` that are defined (exactOptionalPropertyTypes: absent, never undefined). */
function defined<T extends object, K extends keyof T>(
  source: T,
  keys: readonly K[],
): { [P in K]?: Exclude<T[P], undefined> } {
  const picked: { [P in K]?: Exclude<T[P], undefined> } = {};
  for (const key of keys) {
    const value = source[key];
    if (value !== undefined) picked[key] = value as Exclude<T[typeof key], undefined>;
  }
  return picked;
}

/**
 * Sends `request` through `client` (a client of one node, without retries) and returns the store's reply;
 * a failure the node or the connection reports rejects with the client's `SkewClientError`.
 */
export async function send(client: SkewClient, request: ClientRequest, signal: AbortSignal): Promise<ClientReply> {
  switch (request.kind) {
    case "get": {
      const read = await client.get(request.bucket, request.key, {
        ...defined(request, ["r", "pr", "n", "timeoutMs", "at", "wait"]),
        signal,
      });
      return { ok: true, kind: "get", values: read.siblings.map((sibling) => sibling.value), context: read.context };
    }
    case "put": {
      const written = await client.put(request.bucket, request.key, request.value, {
        ...defined(request, ["w", "pw", "n", "timeoutMs", "context", "fence"]),
        signal,
      });
      return {
        ok: true,
        kind: "put",
        context: written.context,
        siblings: written.siblings,
        ...(written.warning === "SIBLINGS_WARN" ? { warning: "SIBLINGS_WARN" as const } : {}),
      };
    }
    case "delete": {
      const deleted = await client.delete(request.bucket, request.key, {
        ...defined(request, ["w", "pw", "n", "timeoutMs", "context", "fence"]),
        signal,
      });
      return { ok: true, kind: "delete", context: deleted.context, siblings: deleted.siblings };
    }
    case "snapshot": {
      const snapshot = await client.snapshot(request.bucket, request.keys, request.at, {
        ...defined(request, ["r", "pr", "n", "timeoutMs", "wait"]),
        signal,
      });
      return {
        ok: true,
        kind: "snapshot",
        at: snapshot.at,
        entries: snapshot.entries.map((entry) => ({
          key: entry.key,
          values: entry.siblings.map((sibling) => sibling.value),
        })),
        context: "",
      };
    }
    case "history":
      throw new TypeError(
        "HttpDriver: history requests are not translated (no workload sends one); ask SkewClient.history directly",
      );
  }
}

/** A failed call as the workload sees it (the module's table); anything but a `SkewClientError` is a bug and is thrown. */
export function translateFailure(error: unknown): Translated {
  if (!(error instanceof SkewClientError)) throw error;
  const { code, definite, message } = error;
  if (isStoreFailureCode(code)) {
    const failure: Failure = {
      ok: false,
      code,
      definite,
      message,
      ...(error.got === undefined ? {} : { got: error.got }),
      ...(error.need === undefined ? {} : { need: error.need }),
    };
    return { outcome: failure, anomaly: undefined };
  }
  const asStore = (storeCode: FailureCode, isDefinite: boolean, anomaly: string | undefined): Translated => ({
    outcome: { ok: false, code: storeCode, definite: isDefinite, message: `${code}: ${message}` },
    anomaly,
  });
  switch (code) {
    case "NETWORK_ERROR":
      return definite ? asStore("UNAVAILABLE", true, undefined) : { outcome: noReply, anomaly: undefined };
    case "SHUTTING_DOWN":
      return asStore("UNAVAILABLE", definite, undefined);
    case "CLIENT_TIMEOUT":
    case "ABORTED":
      return { outcome: noReply, anomaly: undefined };
    default:
      // INTERNAL, INVALID_RESPONSE, or a refusal of the node's own: the driver or the node is wrong.
      return definite
        ? asStore("INVALID_REQUEST", true, `${code}: ${message}`)
        : { outcome: noReply, anomaly: `${code}: ${message}` };
  }
}
