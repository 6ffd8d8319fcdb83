/**
 * The floor of the node benchmark: one fastify server doing one local level
 * put (or get) per request, nothing else: no replication, no quorum, no
 * fsync, no checksum. What a replicated write cannot beat on this machine.
 * `node --import tsx bench/floor-server.ts <port> <dir>`; prints "ready".
 */
import { ClassicLevel } from "classic-level";
import Fastify from "fastify";

const port = Number(process.argv[2]);
const dir = process.argv[3] as string;
const db = new ClassicLevel<string, Uint8Array>(dir, { valueEncoding: "view" });
await db.open();
const app = Fastify();
app.removeAllContentTypeParsers();
app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
app.put<{ Params: { key: string } }>("/buckets/:bucket/keys/:key", async (request) => {
  await db.put(request.params.key, request.body as Buffer);
  return { ok: true };
});
app.get<{ Params: { key: string } }>("/buckets/:bucket/keys/:key", async (request, reply) => {
  const value = await db.get(request.params.key);
  return value === undefined ? reply.status(404).send({}) : { value: Buffer.from(value).toString("base64") };
});
await app.listen({ host: "127.0.0.1", port });
process.stdout.write("ready\n");
const stop = async (): Promise<void> => {
  await app.close();
  await db.close();
  process.exit(0);
};
process.once("SIGTERM", () => void stop());
