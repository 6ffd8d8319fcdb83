/**
 * `/admin/clock`: sets this node's clock offset and drift, or jumps it, for
 * demos and tests (clocks.ts: the machine's clock is never touched). Behind
 * the admin token (`Authorization: Bearer <token>`): 401 without it, 403
 * with a wrong one, 404 `ADMIN_DISABLED` when the node has none.
 */
import { timingSafeEqual } from "node:crypto";
import { Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { clockDriftPpmMax, clockOffsetMsMax } from "../clocks.js";
import { HttpError } from "../http/errors.js";
import type { NodeRuntime } from "../runtime.js";

const ClockChange = Type.Object(
  {
    offsetMs: Type.Optional(Type.Number({ minimum: -clockOffsetMsMax, maximum: clockOffsetMsMax })),
    driftPpm: Type.Optional(Type.Number({ minimum: -clockDriftPpmMax, maximum: clockDriftPpmMax })),
    jumpMs: Type.Optional(Type.Number({ minimum: -clockOffsetMsMax, maximum: clockOffsetMsMax })),
  },
  { additionalProperties: false },
);

function authorize(runtime: NodeRuntime, request: FastifyRequest): void {
  const token = runtime.config.adminToken;
  if (token === undefined) throw HttpError.of("ADMIN_DISABLED");
  const header = request.headers.authorization;
  if (typeof header !== "string" || !header.startsWith("Bearer "))
    throw HttpError.of("UNAUTHORIZED", "Authorization: Bearer <admin token>");
  const given = Buffer.from(header.slice("Bearer ".length));
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw HttpError.of("FORBIDDEN");
}

export function clockView(runtime: NodeRuntime): Record<string, unknown> {
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

export async function registerAdminRoutes(app: FastifyInstance): Promise<void> {
  const runtime = app.skew;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.post(
    "/admin/clock",
    {
      schema: {
        summary: "Set this node's clock offset and drift, or jump it (admin token)",
        body: ClockChange,
      },
    },
    async (request) => {
      authorize(runtime, request);
      const { offsetMs, driftPpm, jumpMs } = request.body;
      runtime.wall.adjust({
        ...(offsetMs === undefined ? {} : { offsetMs }),
        ...(driftPpm === undefined ? {} : { driftPpm }),
        ...(jumpMs === undefined ? {} : { jumpMs }),
      });
      request.log.warn({ offsetMs, driftPpm, jumpMs }, "clock adjusted by the admin");
      runtime.driver.poke(); // timers keyed on the wall clock look again
      return clockView(runtime);
    },
  );
}
