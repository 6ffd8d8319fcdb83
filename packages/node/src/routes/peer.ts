/**
 * `POST /internal/messages`: a batch of replica messages from a peer, as
 * peer/request.ts seals it. Everything is checked before the core sees a
 * message (size, checksum, signature, envelope), then each message is
 * checked by the core itself (`KvNode.handlePeerMessage` counts and drops a
 * malformed one). 204 when accepted; 4xx with `{ code, message }` otherwise.
 */
import type { FastifyInstance } from "fastify";
import { HttpError } from "../http/errors.js";
import { envelopeBytesMax, httpStatusOf, openPeerRequest, peerContentType, peerMessagesPath } from "../peer/index.js";

export async function registerPeerRoutes(app: FastifyInstance): Promise<void> {
  const runtime = app.skew;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    peerContentType,
    { parseAs: "buffer", bodyLimit: envelopeBytesMax },
    (_request, body, done) => done(null, body),
  );
  app.post(peerMessagesPath, { schema: { hide: true } }, async (request, reply) => {
    if (runtime.closing) throw HttpError.of("SHUTTING_DOWN");
    const body = request.body;
    if (!(body instanceof Uint8Array)) throw HttpError.of("MALFORMED_REQUEST", `the body must be ${peerContentType}`);
    const opened = openPeerRequest(
      runtime.auth,
      { method: request.method, path: request.url.split("?")[0] as string, headers: request.headers },
      body,
      Date.now(), // the REAL clock: the admin may have skewed the node's own
    );
    if (!opened.ok) {
      return reply.status(httpStatusOf(opened.error)).send({ code: opened.error.code, message: opened.error.message });
    }
    runtime.driver.deliver(opened.value.from, opened.value.envelope.messages);
    return reply.status(204).send();
  });
}
