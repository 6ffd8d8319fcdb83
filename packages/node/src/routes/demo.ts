/**
 * `POST /admin/demo/lost-update`: the lost-update demonstration
 * (demo/lost-update.ts) run from this node against the whole cluster, for
 * the dashboard to draw: one member's clock set off, appends through each
 * member in turn, the final read, each write kept or lost and why; the
 * clock put back afterwards, whatever happened. Behind the admin token. One
 * run at a time per node (409 `DEMO_RUNNING`): two at once would skew the
 * same clock twice and put it back wrong.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type Static, Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { demoAppendsDefault, demoAppendsMax, demoAppendsMin, demoSkewMsDefault, demoSkewMsMax } from "@skew/client/api";
import type { FastifyInstance } from "fastify";
import { DemoError, runLostUpdate } from "../demo/lost-update.js";
import { HttpError } from "../http/errors.js";
import { memberRouteError } from "../http/members.js";
import { peerNameBytesMax } from "../peer/constants.js";
import { authorize } from "./admin.js";
import { ErrorBody, LostUpdateRunSchema } from "./schemas.js";

const LostUpdateBody = Type.Object(
  {
    bucket: Type.String({ minLength: 1, maxLength: 255, description: "a bucket of this cluster" }),
    appends: Type.Optional(
      Type.Integer({ minimum: demoAppendsMin, maximum: demoAppendsMax, default: demoAppendsDefault }),
    ),
    skewMs: Type.Optional(
      Type.Number({
        minimum: -demoSkewMsMax,
        maximum: demoSkewMsMax,
        default: demoSkewMsDefault,
        description:
          "how far the skewed member's clock is set, ms. Past the nodes' max offset (--max-offset-ms, 500 ms by default) the other nodes refuse the skewed member's messages: its appends then fail (each after the quorum timeout, reported with an error) instead of being stamped in the past",
      }),
    ),
    skewed: Type.Optional(
      Type.String({ minLength: 1, maxLength: peerNameBytesMax, description: "a member id (default: the last member)" }),
    ),
  },
  { additionalProperties: false },
);

export async function registerDemoRoutes(app: FastifyInstance): Promise<void> {
  const runtime = app.skew;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  let running = false;
  typed.post(
    "/admin/demo/lost-update",
    {
      schema: {
        summary: "Run the lost-update demonstration in one bucket (admin token)",
        description:
          "Sets `skewed`'s clock `skewMs` off, waits 1 s for heartbeats, appends `appends` items to a fresh list key (read, add, write back with the read's context; append i through member i mod size; causal buckets merge siblings by union), reads the list from every replica (when not every replica answers, from a quorum, and `finalReadR` says so), and puts `skewed`'s previous offset back (also when the run fails). A failed append is reported in its write (`error`), not acknowledged, and not retried. Each write says whether it was kept; a lost LWW write names the earlier write whose higher stamp beat it, and why. One run at a time per node: 409 `DEMO_RUNNING`. 404 `BUCKET_NOT_FOUND`, `UNKNOWN_NODE`; 502 `DEMO_FAILED` when a clock could not be set or put back, or the final read failed. Takes about 1 s plus the appends.",
        body: LostUpdateBody,
        response: {
          200: LostUpdateRunSchema,
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
          502: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request) => {
      authorize(runtime, request);
      if (runtime.closing) throw HttpError.of("SHUTTING_DOWN");
      const { bucket } = request.body;
      const mode = Object.hasOwn(runtime.config.buckets, bucket) ? runtime.config.buckets[bucket] : undefined;
      if (mode === undefined) throw HttpError.of("BUCKET_NOT_FOUND", JSON.stringify(bucket));
      const members = runtime.config.peers;
      const skewed = request.body.skewed ?? (members[members.length - 1]?.id as string);
      if (!members.some((m) => m.id === skewed)) throw memberRouteError("UNKNOWN_NODE", JSON.stringify(skewed));
      if (running) throw memberRouteError("DEMO_RUNNING");
      running = true;
      try {
        const run = await runLostUpdate({
          members,
          bucket,
          mode,
          appends: request.body.appends ?? demoAppendsDefault,
          skewed,
          skewMs: request.body.skewMs ?? demoSkewMsDefault,
          authorization: request.headers.authorization as string,
          nowMs: () => runtime.monotonic.now(),
          sleep: (ms) => sleep(ms),
          offsets: () => {
            const measured = new Map(runtime.driver.node.membership().map((v) => [v.peer, v.clockOffsetMs]));
            return Object.fromEntries(
              members.map(({ id }) => [id, id === runtime.config.id ? 0 : (measured.get(id) ?? null)]),
            );
          },
        });
        request.log.warn(
          { bucket, skewed, skewMs: run.skewMs, acknowledged: run.acknowledged, lost: run.lost },
          "lost-update demonstration run",
        );
        return run as Static<typeof LostUpdateRunSchema>;
      } catch (error) {
        if (error instanceof DemoError) throw memberRouteError("DEMO_FAILED", error.message);
        throw error;
      } finally {
        running = false;
      }
    },
  );
}
