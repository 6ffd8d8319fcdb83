/**
 * The replication floor: one member of a 3-process cluster that replicates
 * a put with the node's own parts and nothing of `@skew/kv`. What any
 * quorum write built on these parts costs on this machine, whatever its
 * conflict handling: the figure a Skew put is judged against besides the
 * single-process floor (bench/floor-server.ts).
 *
 * The parts are the node's: fastify for the client's request, the peer
 * streams (transport.ts: undici, msgpackr frames with a checksum and an
 * HMAC, routes/peer.ts on the receiving side) and the level store
 * (storage/level-store.ts: group commit, sync durability). A put is the
 * least a replicated write is: the coordinator writes the value (one
 * level operation) and sends it to the two other members; each writes it
 * and answers; the coordinator answers the client once its own write and
 * one member's are durable (N = 3, W = 2). No clock, no version, no
 * history, no Merkle tree, no hint, no heartbeat.
 *
 *   node --conditions=@skew/source --import tsx bench/replication-floor.ts <id> <port> <dir> <id=url,...>
 *
 * It prints "ready" once it listens (bench/support.ts starts the three).
 *
 * The cluster secret comes from the environment (`SKEW_SECRET`), as the
 * node's does, and so may the group commit window
 * (`SKEW_GROUP_COMMIT_WINDOW_MS`, the store's default when absent).
 * `SKEW_FLOOR_STORAGE=none` stores nothing: a write counts as durable on
 * the next turn of the event loop, so what is left is the processes and
 * their messages.
 */
import type { PeerMessage, WriteBatch } from "@skew/kv";
import Fastify from "fastify";
import { pino } from "pino";
import { checkClusterSecret, createPeerAuth } from "../src/peer/index.js";
import { registerPeerRoutes } from "../src/routes/peer.js";
import { LevelStore } from "../src/storage/index.js";
import { HttpPeerTransport } from "../src/transport.js";

const [id, portText, dir, peersText] = process.argv.slice(2) as [string, string, string, string];
const members = new Map(peersText.split(",").map((pair) => pair.split("=", 2) as [string, string]));
const secret = checkClusterSecret(process.env.SKEW_SECRET);
if (!secret.ok) throw secret.error;
const auth = createPeerAuth({ secret: secret.value, cluster: "floor", self: id, members: members.keys() });
const log = pino({ level: "warn" });
const windowText = process.env.SKEW_GROUP_COMMIT_WINDOW_MS;
const storage = process.env.SKEW_FLOOR_STORAGE ?? "level";
if (storage !== "level" && storage !== "none") throw new Error(`SKEW_FLOOR_STORAGE is level or none, got ${storage}`);
const store =
  storage === "none"
    ? undefined
    : await LevelStore.open({
        dir,
        durability: "sync",
        ...(windowText === undefined ? {} : { groupCommitWindowMs: Number(windowText) }),
      });
const transport = new HttpPeerTransport({ auth, peers: members, log });
const others = [...members.keys()].filter((member) => member !== id);
/** Quorum: the coordinator's own write and this many others'. */
const acksNeeded = 1;

/** The messages between members: a write to replicate, and its acknowledgement. */
type FloorMessage =
  | { readonly kind: "w"; readonly op: number; readonly key: string; readonly value: Uint8Array }
  | { readonly kind: "a"; readonly op: number };

let batchId = 0;
/** Writes one put; resolves once it is durable. */
function write(key: string, value: Uint8Array): Promise<void> {
  if (store === undefined) return new Promise((resolve) => setImmediate(resolve));
  const batch: WriteBatch = { batchId: ++batchId, ops: [{ kind: "put", key: `v/${key}`, value }] };
  return store.submit(batch);
}

interface Pending {
  durable: boolean;
  acks: number;
  readonly resolve: () => void;
}
const pending = new Map<number, Pending>();
let ops = 0;
const settle = (op: number, entry: Pending): void => {
  if (entry.durable && entry.acks >= acksNeeded) {
    pending.delete(op);
    entry.resolve();
  }
};

function deliver(from: string, messages: readonly unknown[]): void {
  for (const raw of messages) {
    const message = raw as FloorMessage;
    if (message.kind === "w") {
      write(message.key, message.value).then(
        () => transport.send(from, { kind: "a", op: message.op } as unknown as PeerMessage),
        (error: unknown) => log.error({ err: error }, "write failed"),
      );
    } else {
      const entry = pending.get(message.op);
      if (entry === undefined) continue; // a late acknowledgement: the put was answered
      entry.acks++;
      settle(message.op, entry);
    }
  }
}

const app = Fastify();
// routes/peer.ts reads what it needs of the node's runtime from `app.skew`.
app.decorate("skew", { closing: false, auth, driver: { deliver } } as never);
await app.register(registerPeerRoutes);
await app.register(async (scoped) => {
  scoped.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
  scoped.put<{ Params: { bucket: string; key: string } }>("/buckets/:bucket/keys/:key", (request, reply) => {
    const op = ++ops;
    const key = `${request.params.bucket}\u0000${request.params.key}`;
    const value = request.body as Buffer;
    const done = new Promise<void>((resolve) => pending.set(op, { durable: false, acks: 0, resolve }));
    for (const other of others) transport.send(other, { kind: "w", op, key, value } as unknown as PeerMessage);
    write(key, value).then(
      () => {
        const entry = pending.get(op);
        if (entry === undefined) return;
        entry.durable = true;
        settle(op, entry);
      },
      (error: unknown) => log.error({ err: error }, "write failed"),
    );
    return done.then(() => reply.status(204).send());
  });
});
await app.listen({ host: "127.0.0.1", port: Number(portText) });
process.stdout.write("ready\n");
process.once("SIGTERM", () => {
  void (async () => {
    await app.close();
    await transport.close();
    await store?.close();
    process.exit(0);
  })();
});
