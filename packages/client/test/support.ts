/**
 * Stand-ins for a node that misbehaves in one exact way (never answers,
 * drops the connection, answers with a given status), each counting the
 * requests it received, so a test can tell how many attempts a call made.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { freePort } from "../../node/test/support/local.js";

export interface FakeNode {
  readonly url: string;
  /** Requests received so far, in order. */
  readonly requests: FakeRequest[];
  close(): Promise<void>;
}

export interface FakeRequest {
  readonly method: string;
  /** The path and query string. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export type FakeBehaviour = (request: IncomingMessage, response: ServerResponse) => void;

export async function startFakeNode(behaviour: FakeBehaviour): Promise<FakeNode> {
  const requests: FakeRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      requests.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers, body });
      behaviour(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Accepts the request and never answers it. */
export const neverAnswers: FakeBehaviour = () => {};

/** Drops the connection as soon as the request arrives: the request reached a node, the answer never left. */
export const dropsConnection: FakeBehaviour = (request) => {
  request.socket.destroy();
};

/** Answers every request with this status and JSON body. */
export function answers(status: number, body: unknown): FakeBehaviour {
  return (_request, response) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(typeof body === "string" ? body : JSON.stringify(body));
  };
}

/** Answers like `answers`, but only after `delayMs`: a node whose quorum is slow. */
export function answersAfter(delayMs: number, status: number, body: unknown): FakeBehaviour {
  const answer = answers(status, body);
  return (request, response) => {
    const timer = setTimeout(() => answer(request, response), delayMs);
    response.on("close", () => clearTimeout(timer));
  };
}

/** The URL of a loopback port nothing listens on: connecting is refused. */
export async function closedNodeUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}
