/**
 * The lost-update run's writes on a timeline: one lane per coordinator,
 * each write a bar from when it was sent to when it was acknowledged (ms
 * since the run began), kept or lost.
 */
import type { DemoWrite, LostUpdateRun } from "@skew/client/api";
import { linearScale, niceTicks } from "./ticks.js";

/**
 * What became of a write: `kept` (in the final read), `lost` (acknowledged,
 * then missing: the lost update) or `failed` (never acknowledged, so
 * nothing was promised).
 */
export type WriteOutcome = "kept" | "lost" | "failed";

export function outcomeOf(write: DemoWrite): WriteOutcome {
  if (write.kept) return "kept";
  return write.error === null ? "lost" : "failed";
}

export interface TimelineGeometry {
  readonly width: number;
  /** Where the lanes' drawing starts, after their labels. */
  readonly left: number;
  readonly right: number;
  readonly laneHeight: number;
  readonly top: number;
}

export const defaultGeometry: TimelineGeometry = { width: 900, left: 90, right: 16, laneHeight: 44, top: 8 };

/** Bars narrower than this are widened, so a fast write can still be pointed at. */
export const barWidthPxMin = 6;

export interface TimelineBar {
  readonly write: DemoWrite;
  readonly lane: number;
  readonly x: number;
  readonly width: number;
  readonly y: number;
  readonly height: number;
}

export interface TimelineLayout {
  readonly lanes: readonly string[];
  readonly bars: readonly TimelineBar[];
  readonly ticks: readonly { readonly x: number; readonly ms: number }[];
  readonly height: number;
  /** The y of the time axis (under the last lane). */
  readonly axisY: number;
}

/**
 * Lanes in `members` order (the cluster's), then any coordinator not among
 * them; bars placed on a shared scale from the first write's start to the
 * last acknowledgement (the run's first second, spent waiting for
 * heartbeats to carry the skew, is left out), in ms since the run began.
 */
export function layoutTimeline(
  run: LostUpdateRun,
  members: readonly string[],
  geometry: TimelineGeometry = defaultGeometry,
): TimelineLayout {
  const lanes = [...members];
  for (const write of run.writes) if (!lanes.includes(write.via)) lanes.push(write.via);
  const startMs = Math.min(...run.writes.map((w) => w.startedAtMs));
  const firstMs = Number.isFinite(startMs) ? startMs : 0;
  const endMs = Math.max(firstMs + 1, ...run.writes.map((w) => w.ackedAtMs));
  const x = linearScale(firstMs, endMs, geometry.left, geometry.width - geometry.right);
  const barHeight = Math.round(geometry.laneHeight * 0.55);
  const bars = run.writes.map((write): TimelineBar => {
    const lane = lanes.indexOf(write.via);
    const x0 = x(write.startedAtMs);
    const x1 = Math.max(x(write.ackedAtMs), x0 + barWidthPxMin);
    return {
      write,
      lane,
      x: x0,
      width: x1 - x0,
      y: geometry.top + lane * geometry.laneHeight + (geometry.laneHeight - barHeight) / 2,
      height: barHeight,
    };
  });
  const axisY = geometry.top + lanes.length * geometry.laneHeight;
  return {
    lanes,
    bars,
    ticks: niceTicks(firstMs, endMs, 8).map((ms) => ({ x: x(ms), ms })),
    height: axisY + 28,
    axisY,
  };
}
