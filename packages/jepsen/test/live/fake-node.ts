/**
 * A tiny stand-in for a node's HTTP API, for the live driver's translation
 * tests: each test says how to answer, and the server keeps what it was
 * asked (method, path with query, headers, body), so a test checks both
 * directions of the translation without a real store behind it.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Uint8Array;
}

export type Answer =
  | { readonly status: number; readonly json: unknown; readonly headers?: Readonly<Record<string, string>> }
  /** Never answers (until the client gives up). */
  | "hang";

export interface FakeNode {
  readonly url: string;
  readonly received: Received[];
  /** Requests whose connection the client closed before an answer. */
  readonly abandoned: Received[];
  answer(respond: (request: Received) => Answer): void;
  close(): Promise<void>;
}

export async function fakeNode(): Promise<FakeNode> {
  let respond: (request: Received) => Answer = () => ({
    status: 500,
    json: { code: "INTERNAL", message: "no answer set" },
  });
  const received: Received[] = [];
  const abandoned: Received[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request: Received = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: new Uint8Array(Buffer.concat(chunks)),
      };
      received.push(request);
      const answer = respond(request);
      if (answer === "hang") {
        hanging.add(res);
        res.on("close", () => {
          if (!res.writableEnded) abandoned.push(request);
          hanging.delete(res);
        });
        return;
      }
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      res.end(JSON.stringify(answer.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    abandoned,
    answer(next) {
      respond = next;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const base64 = (text: string): string => Buffer.from(text).toString("base64");
