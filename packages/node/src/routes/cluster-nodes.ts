/**
 * `GET /cluster/nodes`: every member's `/cluster` at once, for a page that
 * talks to one node only. This node answers its own entry from its own
 * parts and asks each other member at its member URL, all in parallel,
 * each for at most `memberAnswerTimeoutMs`; a member that does not answer,
 * or answers something that is not a `/cluster` of that member, is an entry
 * with an `error` and no view, never a failed route.
 */
import type { Static, TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { ClusterNodeView } from "@skew/client/api";
import { decodeCluster } from "@skew/client/api";
import type { FastifyInstance } from "fastify";
import { askMember, decodeAnswer, invalidAnswer } from "../http/members.js";
import type { NodeRuntime } from "../runtime.js";
import { ClusterNodesSchema } from "./schemas.js";
import { clusterView } from "./views.js";

async function memberEntry(runtime: NodeRuntime, id: string, url: string): Promise<ClusterNodeView> {
  const nowMs = (): number => runtime.monotonic.now();
  if (id === runtime.config.id) {
    const started = nowMs();
    const view = clusterView(runtime);
    return { id, url, view, error: null, tookMs: Math.round(nowMs() - started) };
  }
  const answer = await askMember(url, "/cluster", { nowMs });
  const decoded = decodeAnswer(answer, `${url}/cluster`, decodeCluster);
  if (!decoded.ok) return { id, url, view: null, error: decoded.error, tookMs: answer.tookMs };
  const view = decoded.value;
  if (view.node !== id) {
    const error = invalidAnswer(`${url}/cluster answered as ${JSON.stringify(view.node)}, not ${JSON.stringify(id)}`);
    return { id, url, view: null, error, tookMs: answer.tookMs };
  }
  return { id, url, view, error: null, tookMs: answer.tookMs };
}

export async function registerClusterNodesRoutes(app: FastifyInstance): Promise<void> {
  const runtime = app.skew;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.get(
    "/cluster/nodes",
    {
      schema: {
        summary: "Every member's /cluster, fetched by this node",
        description:
          "One entry per member, in the configuration's order: this node's own `/cluster`, and each other member's as it answers it at its member URL (all in parallel, 1 s each). A member that did not answer has `view: null` and `error.code` `UNREACHABLE` (no connection), `TIMEOUT` (no answer within 1 s) or `INVALID_RESPONSE` (another status, not JSON, not the documented shape, or another node's view); `tookMs` is how long it took either way.",
        response: { 200: ClusterNodesSchema },
      },
    },
    async () => {
      const nodes = await Promise.all(runtime.config.peers.map(({ id, url }) => memberEntry(runtime, id, url)));
      return { node: runtime.config.id, nodes } as Static<typeof ClusterNodesSchema>;
    },
  );
}
