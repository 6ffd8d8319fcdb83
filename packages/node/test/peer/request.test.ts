import { type PeerMessage, parsePeerMessage } from "@skew/kv";
import { Packr } from "msgpackr";
import { describe, expect, it } from "vitest";
import { type ReceivedHeaders, signRequest } from "../../src/peer/auth.js";
import { checksumHeader, checksumOf } from "../../src/peer/checksum.js";
import { encodeEnvelope } from "../../src/peer/codec.js";
import { envelopeBytesMax, peerContentType, peerMessagesMethod, peerMessagesPath } from "../../src/peer/constants.js";
import { type AuthError, httpStatusOf, type WireError } from "../../src/peer/errors.js";
import { openPeerRequest, sealPeerRequest } from "../../src/peer/request.js";
import { authOf, realNowMs, secretOf } from "./support.js";

const n1 = authOf("n1");
const n2 = authOf("n2");

/** Messages as @skew/kv makes them (every one passes its parser), bytes and nulls included. */
const messages = [
  {
    kind: "write",
    ts: 3_604_480_000_000_005,
    op: "k7h2.1",
    bucket: "b",
    key: "k",
    fence: 3,
    record: new Uint8Array(100).fill(7),
  },
  { kind: "write-ack", ts: 3_604_480_000_000_006, op: "k7h2.1", refused: null },
  { kind: "read-reply", ts: 3_604_480_000_000_007, op: "k7h2.2", record: null },
  {
    kind: "read-at-reply",
    ts: 3_604_480_000_000_008,
    op: "k7h2.3",
    version: { at: 17, node: "n1", value: new Uint8Array([1, 2]) },
    horizon: null,
  },
  { kind: "heartbeat", ts: 3_604_480_000_000_009, wallMs: 1_760_000_000_000 },
] as unknown as PeerMessage[];

function open(headers: ReceivedHeaders, body: Uint8Array, nowMs = realNowMs) {
  return openPeerRequest(n2, { method: peerMessagesMethod, path: peerMessagesPath, headers }, body, nowMs);
}

function expectRefused(result: ReturnType<typeof open>, code: (WireError | AuthError)["code"], status: number) {
  if (result.ok) throw new Error(`expected ${code}, the request was opened`);
  expect(result.error.code).toBe(code);
  expect(httpStatusOf(result.error)).toBe(status);
}

describe("a sealed request", () => {
  it("opens at its recipient into its sender and the same messages, each of which kv's parser accepts", () => {
    for (const message of messages) expect(parsePeerMessage(message).ok).toBe(true);
    const sealed = sealPeerRequest(n1, "n2", messages, realNowMs);
    expect(sealed.method).toBe("POST");
    expect(sealed.path).toBe("/internal/messages");
    expect(sealed.headers["content-type"]).toBe(peerContentType);
    expect(sealed.headers[checksumHeader]).toBe(checksumOf(sealed.body));
    const opened = open(sealed.headers, sealed.body);
    if (!opened.ok) throw opened.error;
    expect(opened.value.from).toBe("n1");
    expect(opened.value.envelope).toEqual({
      v: 1,
      cluster: "demo",
      from: "n1",
      to: "n2",
      sentAtMs: realNowMs,
      messages,
    });
    for (const message of opened.value.envelope.messages) expect(parsePeerMessage(message).ok).toBe(true);
  });

  it("opens from a Buffer body at an offset in a larger allocation, as an HTTP server hands it over", () => {
    const sealed = sealPeerRequest(n1, "n2", messages, realNowMs);
    const pool = Buffer.alloc(sealed.body.byteLength + 64, 0xff);
    pool.set(sealed.body, 32);
    const received = pool.subarray(32, 32 + sealed.body.byteLength);
    const opened = open(sealed.headers, received);
    expect(opened.ok).toBe(true);
  });
});

describe("a received request is refused", () => {
  const sealed = sealPeerRequest(n1, "n2", messages, realNowMs);

  it("as CHECKSUM_MISMATCH (400) when the body was damaged, not as a forgery", () => {
    const damaged = Uint8Array.from(sealed.body);
    damaged[damaged.byteLength >> 1] = (damaged[damaged.byteLength >> 1] as number) ^ 0x10;
    expectRefused(open(sealed.headers, damaged), "CHECKSUM_MISMATCH", 400);
  });

  it("as AUTH_MISSING (401) without credentials, whether or not it has a checksum", () => {
    const bare = { [checksumHeader]: sealed.headers[checksumHeader] };
    expectRefused(open(bare, sealed.body), "AUTH_MISSING", 401);
    expectRefused(open({}, sealed.body), "AUTH_MISSING", 401);
    expectRefused(open({}, new Uint8Array([0xc1, 0xc1])), "AUTH_MISSING", 401);
  });

  it("as AUTH_INVALID (403) from an outsider with another secret, its checksum right", () => {
    const outsider = authOf("n1", { secret: secretOf("not-the-cluster-secret-at-all-!!") });
    const forged = sealPeerRequest(outsider, "n2", messages, realNowMs);
    expectRefused(open(forged.headers, forged.body), "AUTH_INVALID", 403);
  });

  it("as AUTH_INVALID when the body was replaced and its checksum recomputed", () => {
    const other = sealPeerRequest(n1, "n2", [messages[1] as PeerMessage], realNowMs);
    const headers = { ...sealed.headers, [checksumHeader]: checksumOf(other.body) };
    expectRefused(open(headers, other.body), "AUTH_INVALID", 403);
  });

  it("as AUTH_EXPIRED (401) when replayed long after it was sent", () => {
    expectRefused(open(sealed.headers, sealed.body, realNowMs + 10 * 60 * 1000), "AUTH_EXPIRED", 401);
  });

  it("as CHECKSUM_MISSING (400) when an authenticated sender left the checksum out", () => {
    const { [checksumHeader]: _dropped, ...headers } = sealed.headers;
    expectRefused(open(headers, sealed.body), "CHECKSUM_MISSING", 400);
  });

  it("as ENVELOPE_MALFORMED (400) when an authenticated body is not an envelope", () => {
    const garbage = new Uint8Array([0x92, 0x01]);
    const headers = {
      ...signRequest(n1, { method: "POST", path: peerMessagesPath, to: "n2", sentAtMs: realNowMs, body: garbage }),
      [checksumHeader]: checksumOf(garbage),
    };
    expectRefused(open(headers, garbage), "ENVELOPE_MALFORMED", 400);
  });

  it("as ENVELOPE_MISMATCH (400) when the envelope names another cluster, sender, recipient or time than its headers", () => {
    const envelope = { v: 1, cluster: "demo", from: "n1", to: "n2", sentAtMs: realNowMs, messages } as const;
    for (const change of [{ cluster: "staging" }, { from: "n3" }, { to: "n3" }, { sentAtMs: realNowMs - 1 }]) {
      const body = encodeEnvelope({ ...envelope, ...change });
      const headers = {
        ...signRequest(n1, { method: "POST", path: peerMessagesPath, to: "n2", sentAtMs: realNowMs, body }),
        [checksumHeader]: checksumOf(body),
      };
      expectRefused(open(headers, body), "ENVELOPE_MISMATCH", 400);
    }
  });

  it(`as ENVELOPE_TOO_LARGE (413) over envelopeBytesMax, before any other check`, () => {
    expectRefused(open({}, new Uint8Array(envelopeBytesMax + 1)), "ENVELOPE_TOO_LARGE", 413);
  });

  it("as ENVELOPE_VERSION_UNSUPPORTED (400) from a peer that speaks another version", () => {
    const body = new Packr({ useRecords: false }).pack({
      v: 2,
      cluster: "demo",
      from: "n1",
      to: "n2",
      sentAtMs: realNowMs,
      messages: [],
    });
    const headers = {
      ...signRequest(n1, { method: "POST", path: peerMessagesPath, to: "n2", sentAtMs: realNowMs, body }),
      [checksumHeader]: checksumOf(body),
    };
    expectRefused(open(headers, body), "ENVELOPE_VERSION_UNSUPPORTED", 400);
  });
});
