/**
 * A node's clock, set on purpose through its admin endpoint
 * (`POST /admin/clock`, `Authorization: Bearer <admin token>`; @skew/node's
 * README): the live counterpart of the simulator's `clock(id).offset`,
 * `.drift` and `.step`. The node adds what is set to the machine's clock for
 * everything that stamps or compares wall time (`lww-wall` stamps, the HLC's
 * physical part); the machine's clock, and TrueTime's reference, are never
 * touched. So a skew set here moves `lww-wall` and not `lww-truetime`, as a
 * wrong local clock would on a Spanner machine with its GPS receiver.
 */
import { describeValue } from "@skew/env";
import { LiveError } from "./errors.js";

export interface ClockChange {
  /** The offset from the machine's clock, ms (positive: ahead); replaces the current one. */
  readonly offsetMs?: number;
  /** How fast the clock gains on the machine's, ppm (negative: loses), from now on. */
  readonly driftPpm?: number;
  /** A step added to the offset, ms (an NTP step; backward when negative). */
  readonly jumpMs?: number;
}

/** The node's clocks after the change, as `/admin/clock` answers. */
export interface ClockView {
  readonly wallMs: number;
  readonly systemMs: number;
  /** What the admin set, with the drift accrued so far. */
  readonly offsetMs: number;
  readonly driftPpm: number;
}

/** How long the admin endpoint may take to answer: it does no I/O, only a paused node is slower. */
export const adminTimeoutMsDefault = 5_000;

/** Applies `change` to the clock of the node at `url`; `LIVE_ADMIN_FAILED` unless the node answers 200. */
export async function adjustClock(
  url: string,
  adminToken: string,
  change: ClockChange,
  timeoutMs = adminTimeoutMsDefault,
): Promise<ClockView> {
  if (typeof adminToken !== "string" || adminToken === "") throw new TypeError("adjustClock: an admin token is needed");
  for (const [field, value] of Object.entries(change)) {
    if (!["offsetMs", "driftPpm", "jumpMs"].includes(field)) throw new TypeError(`adjustClock: unknown field ${field}`);
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new TypeError(`adjustClock: ${field} must be a finite number, got ${describeValue(value)}`);
    }
  }
  const endpoint = `${url.replace(/\/+$/, "")}/admin/clock`;
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify(change),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new LiveError(
      "LIVE_ADMIN_FAILED",
      `POST ${endpoint} ${JSON.stringify(change)}: no answer (${String(error)})`,
      {
        cause: error,
      },
    );
  }
  const body = await response.text();
  if (response.status !== 200) {
    throw new LiveError("LIVE_ADMIN_FAILED", `POST ${endpoint} ${JSON.stringify(change)}: ${response.status} ${body}`);
  }
  return JSON.parse(body) as ClockView;
}
