/**
 * One node asking the other members over HTTP, at their member URLs (the
 * `url` of `/cluster`'s members), for the routes that show or act on the
 * whole cluster from one place: the dashboard talks only to the node that
 * served it (same origin), and that node fans out. Each member gets
 * `memberAnswerTimeoutMs`, all in parallel, so one member down costs a
 * second, not a second per member; what did not come back becomes a value
 * (`UNREACHABLE`, `TIMEOUT`, `INVALID_RESPONSE`), never a failed route.
 */
import { type ApiError, InvalidReply, type MemberErrorCode, memberErrorCodes } from "@skew/client/api";
import { request } from "undici";
import { HttpError, type NodeErrorCode, nodeErrorCodes } from "./errors.js";

/** How long a fan-out waits for each member's answer, ms. */
export const memberAnswerTimeoutMs = 1_000;
/** The most of a member's answer read, bytes: a `/cluster` is a few KiB; anything near this is not the API's. */
export const memberAnswerBytesMax = 4 * 1024 * 1024;

/** The codes of the routes that act on other members (errors.ts's table has their status and message). */
export type MemberRouteErrorCode = Extract<
  NodeErrorCode,
  "UNKNOWN_NODE" | "NODE_UNREACHABLE" | "DEMO_RUNNING" | "DEMO_FAILED"
>;

/**
 * A refusal or failure of a route that acts on other members. 404 and 409 are refusals (nothing was done:
 * definite); a 502 promises nothing, because a member may have acted before its answer was lost.
 */
export function memberRouteError(code: MemberRouteErrorCode, detail?: string): HttpError {
  const { status, message } = nodeErrorCodes[code];
  return new HttpError(status, {
    code,
    message: detail === undefined ? message : `${message}: ${detail}`,
    ...(status < 500 ? { definite: true } : {}),
  });
}

export type MemberAnswer =
  | { readonly ok: true; readonly status: number; readonly json: unknown; readonly tookMs: number }
  | { readonly ok: false; readonly error: ApiError; readonly tookMs: number };

export interface MemberRequest {
  readonly method?: "GET" | "POST";
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs?: number;
  /** The serving node's monotonic clock, for `tookMs`. */
  readonly nowMs: () => number;
}

/** `path` (with its query) under a member's base URL. */
export function memberUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}${path}`;
}

/**
 * Sends one request to a member and reads its whole JSON answer, whatever
 * the status; resolves with a value either way.
 */
export async function askMember(base: string, path: string, options: MemberRequest): Promise<MemberAnswer> {
  const started = options.nowMs();
  const took = (): number => Math.round(options.nowMs() - started);
  const timeoutMs = options.timeoutMs ?? memberAnswerTimeoutMs;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const url = memberUrl(base, path);
  const failed = (code: MemberErrorCode, detail: string): MemberAnswer => ({
    ok: false,
    error: { code, message: `${memberErrorCodes[code]}: ${detail}` },
    tookMs: took(),
  });
  try {
    const response = await request(url, {
      method: options.method ?? "GET",
      headers: { accept: "application/json", ...options.headers },
      body: options.body ?? null,
      signal: controller.signal,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > memberAnswerBytesMax) {
        response.body.destroy();
        return failed("INVALID_RESPONSE", `${url} answered more than ${memberAnswerBytesMax} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString("utf8");
    try {
      return { ok: true, status: response.statusCode, json: JSON.parse(text), tookMs: took() };
    } catch {
      return failed(
        "INVALID_RESPONSE",
        `${url} answered ${response.statusCode} with something that is not JSON: ${JSON.stringify(text.slice(0, 80))}`,
      );
    }
  } catch (error) {
    if (timedOut) return failed("TIMEOUT", `no answer from ${url} within ${timeoutMs} ms`);
    const e = error as { code?: unknown; message?: unknown };
    const why = typeof e.code === "string" ? e.code : String(e.message ?? error);
    return failed("UNREACHABLE", `${url}: ${why}`);
  } finally {
    clearTimeout(timer);
  }
}

/** A member's answer that came back but is not what the route sends. */
export function invalidAnswer(detail: string): ApiError {
  return { code: "INVALID_RESPONSE", message: `${memberErrorCodes.INVALID_RESPONSE}: ${detail}` };
}

export type DecodedAnswer<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: ApiError };

/**
 * A member's answer through one of the client's decoders (`@skew/client/api`): the value when the member
 * answered the decoder's success, else why not: the answer's own failure (`UNREACHABLE`, `TIMEOUT`, ...), or
 * `INVALID_RESPONSE` naming what came back instead (another status, or a body not of the API's shape).
 * `who` names the member in the message.
 */
export function decodeAnswer<T>(
  answer: MemberAnswer,
  who: string,
  decode: (status: number, json: unknown) => T | undefined,
): DecodedAnswer<T> {
  if (!answer.ok) return answer;
  let value: T | undefined;
  try {
    value = decode(answer.status, answer.json);
  } catch (error) {
    if (!(error instanceof InvalidReply)) throw error;
    return {
      ok: false,
      error: invalidAnswer(`${who} answered ${answer.status}, not as the API does: ${error.message}`),
    };
  }
  if (value === undefined) {
    return {
      ok: false,
      error: invalidAnswer(`${who} answered ${answer.status}: ${JSON.stringify(answer.json).slice(0, 200)}`),
    };
  }
  return { ok: true, value };
}
