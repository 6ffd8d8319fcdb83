/**
 * Shared by the HTTP API tests: what a reply of the client API looks like
 * (a read's siblings and context, an error's code and message), how to read
 * one with plain `fetch`, and peer credentials and streams for `/internal/stream`
 * signed as a member of the test cluster, or with another secret.
 */
import { randomBytes } from "node:crypto";
import type { PeerMessage } from "@skew/kv";
import { expect } from "vitest";
import {
  type ClusterSecret,
  checkClusterSecret,
  createPeerAuth,
  openStream,
  type PeerAuth,
  streamNonceBytes,
} from "../../src/index.js";
import { secret } from "../support/local.js";

/** The cluster name `startLocalCluster` leaves at its default. */
export const clusterName = "skew";

export interface Sibling {
  readonly contentType: string;
  readonly value: string;
}

export interface ReadBody {
  readonly siblings: Sibling[];
  readonly context: string;
}

export interface ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly definite?: boolean;
  readonly got?: number;
  readonly need?: number;
  readonly context?: string;
}

/** A read as the client sees it: status, body, and the context header. */
export interface Read {
  readonly status: number;
  readonly body: ReadBody & Partial<ErrorBody>;
  readonly contextHeader: string | null;
}

export function keyUrl(base: string, bucket: string, key: string, query = ""): string {
  return `${base}/buckets/${encodeURIComponent(bucket)}/keys/${encodeURIComponent(key)}${query}`;
}

export async function read(base: string, bucket: string, key: string, query = ""): Promise<Read> {
  const response = await fetch(keyUrl(base, bucket, key, query));
  const body = (await response.json()) as Read["body"];
  return { status: response.status, body, contextHeader: response.headers.get("x-skew-context") };
}

export async function put(
  base: string,
  bucket: string,
  key: string,
  value: Uint8Array | string,
  headers: Record<string, string> = {},
  query = "",
): Promise<Response> {
  const body = typeof value === "string" ? value : Buffer.from(value);
  return fetch(keyUrl(base, bucket, key, query), { method: "PUT", body, headers });
}

/** Asserts an error reply: its status, its JSON `{ code, message }`, and returns the body for more checks. */
export async function expectError(response: Response, status: number, code: string): Promise<ErrorBody> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const body = JSON.parse(text) as ErrorBody;
  expect(body.code).toBe(code);
  expect(typeof body.message).toBe("string");
  expect(body.message.length).toBeGreaterThan(0);
  return body;
}

export function clusterSecretOf(text: string): ClusterSecret {
  const checked = checkClusterSecret(text);
  if (!checked.ok) throw checked.error;
  return checked.value;
}

/** Credentials of member `self` of the test cluster (nodes n1..n`size`), with its secret or another one. */
export function peerAuthAs(self: string, options: { size?: number; secretText?: string } = {}): PeerAuth {
  const members = Array.from({ length: options.size ?? 3 }, (_, i) => `n${i + 1}`);
  return createPeerAuth({
    secret: clusterSecretOf(options.secretText ?? secret),
    cluster: clusterName,
    self,
    members: members.includes(self) ? members : [...members, self],
  });
}

/** A stream's opening headers and body (its frames, one per batch of messages), ready to send in one request. */
export function peerStream(
  auth: PeerAuth,
  to: string,
  batches: readonly (readonly PeerMessage[])[],
  options: { nowMs?: number; nonce?: Uint8Array } = {},
): { headers: Record<string, string>; frames: Buffer[]; body: Buffer } {
  const nowMs = options.nowMs ?? Date.now();
  const { headers, encoder } = openStream(auth, to, options.nonce ?? randomBytes(streamNonceBytes), nowMs);
  const frames = batches.map((messages) => encoder.encode(messages, nowMs));
  return { headers: { ...headers }, frames, body: Buffer.concat(frames) };
}

/**
 * How long a request refused 503 is asked again. On a loaded machine a node may briefly suspect a peer, and a
 * request that needs every replica (R or W = 3) is then refused (UNAVAILABLE) or times out (TIMEOUT): that says
 * nothing about what a test checks, so it is asked again; a 503 that lasts this long is returned, and fails.
 */
export const unavailableRetryMs = 15_000;

/**
 * Sends with `send`, again while the answer is 503 (see `unavailableRetryMs`); any other answer is returned at
 * once, and so is a 503 that lasted that long.
 */
export async function answered(send: () => Promise<Response>): Promise<Response> {
  const giveUpAt = performance.now() + unavailableRetryMs;
  for (;;) {
    const response = await send();
    if (response.status !== 503 || performance.now() >= giveUpAt) return response;
    await response.arrayBuffer();
    await sleep(200);
  }
}

/**
 * `put`, asked again while it is answered 503 (`answered`). For setup writes and writes whose outcome is checked
 * afterwards: a TIMEOUT may have been applied somewhere, so a causal write asked again may leave the first attempt
 * beside it as a sibling.
 */
export function putAnswered(...args: Parameters<typeof put>): Promise<Response> {
  return answered(() => put(...args));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns a value (not undefined) or `timeoutMs` passes; returns the last value. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  stepMs = 50,
): Promise<T | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined || Date.now() >= until) return value;
    await sleep(stepMs);
  }
}
