/**
 * One request to one node through undici, and what its failure means. The
 * line that matters is whether the request can have reached the node: a
 * connection that never opened (refused, no such host, connect timeout)
 * carried nothing, so the failure is definite; once a connection is open the
 * request may have left, and a timeout or a dropped connection says nothing
 * about whether the node acted on it.
 */
import type { Dispatcher } from "undici";
import { clientErrorCodes, type FailureDetails } from "./errors.js";
import type { NodeAddress } from "./options.js";

export interface HttpRequest {
  readonly method: "GET" | "PUT" | "DELETE" | "POST";
  /** The path under the node's base path, with its query string. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string;
}

export interface HttpAnswer {
  readonly status: number;
  readonly text: string;
}

/** One attempt's failure, as a value: the client decides whether to try another node. */
export class AttemptFailure extends Error {
  readonly details: FailureDetails;

  constructor(details: FailureDetails) {
    super(details.message);
    this.details = details;
  }
}

/** Errors Node raises while a connection is being opened: the request was never written. */
const connectSyscalls = new Set(["connect", "getaddrinfo", "getaddrinfo_async"]);
/** undici's own connect-phase errors. */
const connectCodes = new Set(["UND_ERR_CONNECT_TIMEOUT"]);

function neverSent(error: unknown): boolean {
  const e = error as { code?: unknown; syscall?: unknown };
  return (
    (typeof e.syscall === "string" && connectSyscalls.has(e.syscall)) ||
    (typeof e.code === "string" && connectCodes.has(e.code))
  );
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : error instanceof Error ? error.name : "unknown";
}

/**
 * Sends `request` to `node` and reads the whole answer, within `waitMs` and
 * the caller's `signal`. Resolves with any status; rejects with an
 * `AttemptFailure` when no answer came.
 */
export async function send(
  dispatcher: Dispatcher,
  node: NodeAddress,
  request: HttpRequest,
  waitMs: number,
  signal: AbortSignal | undefined,
): Promise<HttpAnswer> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, waitMs);
  const onAbort = (): void => controller.abort();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const response = await dispatcher.request({
      origin: node.origin,
      path: `${node.basePath}${request.path}`,
      method: request.method,
      headers: { accept: "application/json", ...request.headers },
      body: request.body ?? null,
      signal: controller.signal,
    });
    return { status: response.statusCode, text: await response.body.text() };
  } catch (error) {
    if (error instanceof Error && (error as { code?: unknown }).code === "UND_ERR_INVALID_ARG") throw error; // a bug: ours
    if (timedOut) {
      throw new AttemptFailure({
        code: "CLIENT_TIMEOUT",
        message: `${clientErrorCodes.CLIENT_TIMEOUT}: no answer from ${node.url} within ${waitMs} ms (the request may have been handled)`,
        definite: false,
        node: node.url,
        cause: error,
      });
    }
    if (controller.signal.aborted) {
      throw new AttemptFailure({
        code: "ABORTED",
        message: `${clientErrorCodes.ABORTED} while waiting for ${node.url} (the request may have been handled)`,
        definite: false,
        node: node.url,
        cause: error,
      });
    }
    const definite = neverSent(error);
    const detail = error instanceof Error ? error.message : String(error);
    throw new AttemptFailure({
      code: "NETWORK_ERROR",
      message: definite
        ? `could not connect to ${node.url} (${errorCode(error)}: ${detail}): nothing was sent`
        : `the connection to ${node.url} failed after the request left (${errorCode(error)}: ${detail}): it may have been handled`,
      definite,
      node: node.url,
      cause: error,
    });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}
