/**
 * `GET /debug/keys/:bucket/:key/replicas`: each replica's own record of a
 * key, side by side: for every node of the key's preference list, what it
 * holds (an LWW stamp, or a causal record's dots, version vector and
 * siblings), asked of it at its member URL (`/debug/keys/...?history=false`,
 * its `local`; 1 s each, in parallel), or read here for this node itself.
 * What replicas disagree on, before read repair or anti-entropy reconciles
 * them, shows.
 */
import { type Static, Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { KeyReplicaView } from "@skew/client/api";
import { decodeKeyDebug } from "@skew/client/api";
import type { FastifyInstance } from "fastify";
import { askMember, decodeAnswer, invalidAnswer } from "../http/members.js";
import type { NodeRuntime } from "../runtime.js";
import { ErrorBody, KeyReplicasSchema } from "./schemas.js";
import { checkKey, describeRecord, preferenceOf } from "./views.js";

const Params = Type.Object({
  bucket: Type.String({ minLength: 1, maxLength: 255 }),
  key: Type.String({ maxLength: 4096 }),
});

async function replicaEntry(runtime: NodeRuntime, node: string, bucket: string, key: string): Promise<KeyReplicaView> {
  const url = runtime.config.peers.find((p) => p.id === node)?.url ?? "";
  if (node === runtime.config.id) {
    return { node, url, record: describeRecord(runtime.driver.node.localRecord(bucket, key)), error: null };
  }
  const path = `/debug/keys/${encodeURIComponent(bucket)}/${encodeURIComponent(key)}?history=false`;
  const answer = await askMember(url, path, { nowMs: () => runtime.monotonic.now() });
  const decoded = decodeAnswer(answer, node, decodeKeyDebug);
  if (!decoded.ok) return { node, url, record: null, error: decoded.error };
  const view = decoded.value;
  if (view.node !== node || view.bucket !== bucket || view.key !== key) {
    const about = `${view.node}'s ${JSON.stringify(view.bucket)}/${JSON.stringify(view.key)}`;
    return { node, url, record: null, error: invalidAnswer(`${node} answered about ${about}`) };
  }
  return { node, url, record: view.local, error: null };
}

export async function registerReplicaRoutes(app: FastifyInstance): Promise<void> {
  const runtime = app.skew;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.get(
    "/debug/keys/:bucket/:key/replicas",
    {
      schema: {
        summary: "Each replica's own record of a key, fetched from every node of its preference list",
        description:
          "One entry per node of the key's preference list (the default N), in its order: the record that node holds (an LWW stamp, or a causal record's dots, version vector and siblings; `text` for values that are UTF-8 of at most 1 KiB), null when it holds none. Other nodes are asked at their member URL, in parallel, 1 s each; one that did not answer has `record: null` and `error.code` `UNREACHABLE`, `TIMEOUT` or `INVALID_RESPONSE`. 404 `BUCKET_NOT_FOUND` for a bucket the cluster does not have.",
        params: Params,
        response: { 200: KeyReplicasSchema, 400: ErrorBody, 404: ErrorBody, 413: ErrorBody, 503: ErrorBody },
      },
    },
    async (request) => {
      const { bucket, key } = request.params;
      checkKey(runtime, bucket, key);
      const preference = preferenceOf(runtime, bucket, key);
      const replicas = await Promise.all(preference.map((node) => replicaEntry(runtime, node, bucket, key)));
      return {
        node: runtime.config.id,
        bucket,
        key,
        mode: runtime.config.buckets[bucket] as string,
        preference,
        replicas,
      } as Static<typeof KeyReplicasSchema>;
    },
  );
}
