/**
 * `POST /internal/stream`: a peer's stream of frames (peer/stream.ts). The
 * opening is checked before a byte of the body is read (signature, nonce
 * not seen before); then each frame is checked as it completes (length,
 * checksum, its HMAC at its position, the envelope) and its messages go to
 * the core, which checks each one itself (`KvNode.handlePeerMessage` counts
 * and drops a malformed one).
 *
 * The request lasts as long as the sender keeps it open. It ends with 204
 * when the sender ends it, or with the first refusal (4xx `{ code, message }`,
 * and the connection closed: after a bad frame, nothing that follows can be
 * trusted to be framed right). When this node closes, its open streams are
 * cut (their senders reconnect to whoever serves next), or `app.close()`
 * would wait for them forever.
 */
import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply } from "fastify";
import { HttpError } from "../http/errors.js";
import {
  AuthError,
  acceptStream,
  type Envelope,
  httpStatusOf,
  peerStreamContentType,
  peerStreamPath,
  StreamNonces,
  type UncheckedMessage,
  type WireError,
} from "../peer/index.js";

export async function registerPeerRoutes(app: FastifyInstance): Promise<void> {
  const runtime = app.skew;
  const nonces = new StreamNonces();
  const open = new Set<IncomingMessage>();
  app.removeAllContentTypeParsers();
  // The body is handed over as the stream it is: no buffering, no body limit (a frame's length is checked instead).
  app.addContentTypeParser(peerStreamContentType, (_request, payload, done) => done(null, payload));
  app.addHook("preClose", (done) => {
    for (const request of open) request.destroy();
    done();
  });

  app.post(peerStreamPath, { schema: { hide: true } }, async (request, reply) => {
    if (runtime.closing) throw HttpError.of("SHUTTING_DOWN");
    const realNowMs = Date.now(); // the REAL clock: the admin may have skewed the node's own
    const accepted = acceptStream(
      runtime.auth,
      { method: request.method, path: request.url.split("?")[0] as string, headers: request.headers },
      realNowMs,
    );
    if (!accepted.ok) return refuse(reply, accepted.error);
    const { from, nonce, decoder } = accepted.value;
    if (!nonces.remember(nonce, realNowMs)) {
      return refuse(reply, new AuthError("AUTH_REPLAYED", `nonce ${nonce} was used by another stream from ${from}`));
    }
    const body = request.body as Readable | undefined;
    open.add(request.raw);
    try {
      if (body !== undefined && typeof body[Symbol.asyncIterator] === "function") {
        for await (const chunk of body) {
          const read = decoder.push(chunk as Buffer);
          if (!read.ok) return refuse(reply, read.error);
          const envelopes = read.value;
          if (envelopes.length === 0) continue;
          // One delivery (one turn of the core) for every frame this chunk completed.
          runtime.driver.deliver(
            from,
            envelopes.length === 1
              ? (envelopes[0] as Envelope<UncheckedMessage>).messages
              : envelopes.flatMap((e) => e.messages),
          );
        }
      }
    } catch {
      // The connection went away (the sender stopped, or this node is closing): nobody to answer.
      return reply.hijack();
    } finally {
      open.delete(request.raw);
    }
    const end = decoder.finish();
    if (!end.ok) return refuse(reply, end.error);
    return reply.status(204).send();
  });
}

function refuse(reply: FastifyReply, error: WireError | AuthError): FastifyReply {
  return reply
    .header("connection", "close")
    .status(httpStatusOf(error))
    .send({ code: error.code, message: error.message });
}
