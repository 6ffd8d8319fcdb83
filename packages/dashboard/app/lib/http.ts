/**
 * Every request the pages make goes through `requestJson`: one place that
 * turns what can go wrong (no answer, not JSON, the wrong shape, an error
 * status) into an `ApiError` carrying the server's `{ code, message }`, so a
 * page always has something to print.
 */

/** A failed request: the server's code and message, or one of ours (`UNREACHABLE`, `INVALID_RESPONSE`). */
export class ApiError extends Error {
  override name = "ApiError";
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * A reply's decoder, in @skew/client's manner: the value for a success
 * status, undefined for any other status (the body is then an error), and
 * a throw for a reply of the wrong shape.
 */
export type Decoder<T> = (status: number, json: unknown) => T | undefined;

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** How long a page waits for the node, unless a request says otherwise. */
export const requestTimeoutMs = 10_000;

/** An error body's code and message, if it has them. */
function errorBody(json: unknown): { code: string; message: string } | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  const { code, message } = json as { code?: unknown; message?: unknown };
  return typeof code === "string" && typeof message === "string" ? { code, message } : undefined;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs?: number;
  /** The fetch to use (tests pass their own). */
  readonly fetch?: Fetch;
}

export async function requestJson<T>(path: string, decode: Decoder<T>, options: RequestOptions = {}): Promise<T> {
  const send = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? requestTimeoutMs;
  let response: Response;
  try {
    response = await send(path, {
      method: options.method ?? "GET",
      headers: { accept: "application/json", ...options.headers },
      ...(options.body === undefined ? {} : { body: options.body }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof Error && error.name === "TimeoutError";
    throw new ApiError(
      0,
      timedOut ? "TIMEOUT" : "UNREACHABLE",
      timedOut
        ? `the node did not answer ${path} within ${timeoutMs} ms`
        : `the node could not be reached (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    throw new ApiError(response.status, "INVALID_RESPONSE", `${path} answered ${response.status} with no JSON`);
  }
  let decoded: T | undefined;
  try {
    decoded = decode(response.status, json);
  } catch (error) {
    throw new ApiError(
      response.status,
      "INVALID_RESPONSE",
      `${path} answered an unexpected reply: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (decoded !== undefined) return decoded;
  const body = errorBody(json);
  if (body !== undefined) throw new ApiError(response.status, body.code, body.message);
  throw new ApiError(response.status, `HTTP_${response.status}`, `${path} answered ${response.status}`);
}

/** Any thrown value as `{ code, message }`, for printing. */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof ApiError) return { code: error.code, message: error.message };
  const body = errorBody(error);
  if (body !== undefined) return body;
  if (error instanceof Error) return { code: error.name, message: error.message };
  return { code: "ERROR", message: String(error) };
}
