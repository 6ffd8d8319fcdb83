/**
 * `/admin/clock`: sets this node's clock offset and drift, or jumps it, for
 * demos and tests (clocks.ts: the machine's clock is never touched). Behind
 * the admin token (`Authorization: Bearer <token>`): 401 without it, 403
 * with a wrong one, 404 `ADMIN_DISABLED` when the node has none.
 *
 * `/admin/nodes/:id/clock`: the same change for any member, through this
 * node, so that a page served by one node can skew every clock (it talks to
 * that node alone). This node checks the token itself first, then applies
 * the change (itself) or forwards it with the same `Authorization` to the
 * member's `/admin/clock`, whose own refusals (4xx) come back as they are.
 */
import { timingSafeEqual } from "node:crypto";
import { type Static, Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { ClusterClock } from "@skew/client/api";
import { decodeClock, decodeErrorBody, InvalidReply } from "@skew/client/api";
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from "fastify";
import { clockDriftPpmMax, clockOffsetMsMax } from "../clocks.js";
import { HttpError } from "../http/errors.js";
import { askMember, decodeAnswer, memberRouteError } from "../http/members.js";
import { peerNameBytesMax } from "../peer/constants.js";
import type { NodeRuntime } from "../runtime.js";
import { ClusterClockSchema, ErrorBody } from "./schemas.js";

export const ClockChange = Type.Object(
  {
    offsetMs: Type.Optional(Type.Number({ minimum: -clockOffsetMsMax, maximum: clockOffsetMsMax })),
    driftPpm: Type.Optional(Type.Number({ minimum: -clockDriftPpmMax, maximum: clockDriftPpmMax })),
    jumpMs: Type.Optional(Type.Number({ minimum: -clockOffsetMsMax, maximum: clockOffsetMsMax })),
  },
  { additionalProperties: false },
);

/** A member id in a path: what a peer name may be (peer/names.ts). */
export const MemberParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: peerNameBytesMax }) });

/** Throws the refusal unless the request carries this node's admin token. */
export function authorize(runtime: NodeRuntime, request: FastifyRequest): void {
  const token = runtime.config.adminToken;
  if (token === undefined) throw HttpError.of("ADMIN_DISABLED");
  const header = request.headers.authorization;
  if (typeof header !== "string" || !header.startsWith("Bearer "))
    throw HttpError.of("UNAUTHORIZED", "Authorization: Bearer <admin token>");
  const given = Buffer.from(header.slice("Bearer ".length));
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw HttpError.of("FORBIDDEN");
}

export function clockView(runtime: NodeRuntime): ClusterClock {
  const settings = runtime.wall.settings;
  const truetime = runtime.clocks.truetime.tryNow();
  return {
    wallMs: runtime.wall.now(),
    systemMs: Date.now(),
    offsetMs: settings.offsetMs + settings.accruedDriftMs,
    driftPpm: settings.driftPpm,
    hlc: runtime.clocks.hlc.last,
    truetime: truetime.ok ? { earliest: truetime.value.earliest, latest: truetime.value.latest } : null,
  };
}

/** Applies a checked change to this node's wall clock; answers its clocks after it. */
function adjustClock(runtime: NodeRuntime, log: FastifyBaseLogger, change: Static<typeof ClockChange>): ClusterClock {
  const { offsetMs, driftPpm, jumpMs } = change;
  runtime.wall.adjust({
    ...(offsetMs === undefined ? {} : { offsetMs }),
    ...(driftPpm === undefined ? {} : { driftPpm }),
    ...(jumpMs === undefined ? {} : { jumpMs }),
  });
  log.warn({ offsetMs, driftPpm, jumpMs }, "clock adjusted by the admin");
  runtime.driver.poke(); // timers keyed on the wall clock look again
  return clockView(runtime);
}

const adminErrors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

export async function registerAdminRoutes(app: FastifyInstance): Promise<void> {
  const runtime = app.skew;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.post(
    "/admin/clock",
    {
      schema: {
        summary: "Set this node's clock offset and drift, or jump it (admin token)",
        body: ClockChange,
        response: { 200: ClusterClockSchema, ...adminErrors },
      },
    },
    async (request) => {
      authorize(runtime, request);
      return adjustClock(runtime, request.log, request.body) as Static<typeof ClusterClockSchema>;
    },
  );

  typed.post(
    "/admin/nodes/:id/clock",
    {
      schema: {
        summary: "Set any member's clock offset and drift, or jump it, through this node (admin token)",
        description:
          "The body of `/admin/clock`. This node checks the token (401, 403, 404 `ADMIN_DISABLED` as `/admin/clock`), then applies the change itself or forwards it, with the same `Authorization`, to the member's `/admin/clock` (1 s): 200 is the member's clocks after the change; the member's own refusals (4xx) are passed through as they came. 404 `UNKNOWN_NODE`: no member has that id. 502 `NODE_UNREACHABLE`: the member could not be reached, did not answer within 1 s (the change may still have been applied), or answered something else.",
        params: MemberParams,
        body: ClockChange,
        response: { 200: ClusterClockSchema, ...adminErrors, 502: ErrorBody },
      },
    },
    async (request, reply) => {
      authorize(runtime, request);
      const { id } = request.params;
      const member = runtime.config.peers.find((p) => p.id === id);
      if (member === undefined) throw memberRouteError("UNKNOWN_NODE", JSON.stringify(id));
      if (id === runtime.config.id) {
        return adjustClock(runtime, request.log, request.body) as Static<typeof ClusterClockSchema>;
      }
      const answer = await askMember(member.url, "/admin/clock", {
        method: "POST",
        headers: {
          authorization: request.headers.authorization as string,
          "content-type": "application/json",
        },
        body: JSON.stringify(request.body),
        nowMs: () => runtime.monotonic.now(),
      });
      if (answer.ok && answer.status >= 400 && answer.status < 500) {
        // The member's own refusal, of the API's shape: passed through as the member sent it.
        let refusal: ReturnType<typeof decodeErrorBody>;
        try {
          refusal = decodeErrorBody(answer.json);
        } catch (error) {
          if (!(error instanceof InvalidReply)) throw error;
          throw memberRouteError(
            "NODE_UNREACHABLE",
            `${id} answered ${answer.status}, not as the API does: ${error.message}`,
          );
        }
        return reply.status(answer.status).send({ ...(answer.json as object), ...refusal });
      }
      const decoded = decodeAnswer(answer, id, decodeClock);
      if (!decoded.ok) throw memberRouteError("NODE_UNREACHABLE", `${id}: ${decoded.error.message}`);
      request.log.warn({ member: id, change: request.body }, "a member's clock adjusted by the admin");
      return decoded.value as Static<typeof ClusterClockSchema>;
    },
  );
}
