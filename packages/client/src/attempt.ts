/**
 * One attempt of a call at one node: send, read the whole answer, decode it.
 * Every way it can fail becomes a value (`FailureDetails`), so the caller
 * can decide whether another node may be tried; only bugs are thrown.
 */
import type { Dispatcher } from "undici";
import { clientErrorCodes, type FailureDetails } from "./errors.js";
import type { NodeAddress } from "./options.js";
import { AttemptFailure, type HttpRequest, send } from "./transport.js";
import { decodeError, InvalidReply } from "./wire.js";

export interface Call<T> {
  readonly request: HttpRequest;
  /** Writes are retried only after definite failures. */
  readonly writes: boolean;
  readonly decode: (status: number, json: unknown) => T | undefined;
  /** The coordinator's quorum wait, if the call sets one: the client waits longer. */
  readonly serverTimeoutMs: number | undefined;
  readonly signal: AbortSignal | undefined;
  /** One node only (`/health`, `/cluster`): no other node is tried. */
  readonly only?: NodeAddress;
}

export async function attempt<T>(
  dispatcher: Dispatcher,
  node: NodeAddress,
  call: Call<T>,
  waitMs: number,
): Promise<{ ok: true; value: T } | { ok: false; details: FailureDetails }> {
  let answer: { status: number; text: string };
  try {
    answer = await send(dispatcher, node, call.request, waitMs, call.signal);
  } catch (error) {
    if (error instanceof AttemptFailure) return { ok: false, details: error.details };
    throw error;
  }
  const { status, text } = answer;
  const invalid = (detail: string, cause?: unknown): { ok: false; details: FailureDetails } => ({
    ok: false,
    details: {
      code: "INVALID_RESPONSE",
      message: `${clientErrorCodes.INVALID_RESPONSE}: ${node.url} answered ${status}: ${detail}`,
      // A success that does not parse may still have been a write that was applied.
      definite: false,
      status,
      node: node.url,
      ...(cause === undefined ? {} : { cause }),
    },
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return invalid(`not JSON: ${JSON.stringify(text.slice(0, 120))}`, error);
  }
  try {
    const value = call.decode(status, json);
    if (value !== undefined) return { ok: true, value };
    if (status < 400) return invalid("a status this request is never answered with");
    return { ok: false, details: decodeError(status, json, node.url) };
  } catch (error) {
    if (error instanceof InvalidReply) return invalid(error.message, error);
    throw error;
  }
}
