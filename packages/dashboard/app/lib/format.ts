/**
 * How numbers read on the pages: times of day with milliseconds (UTC, the
 * nodes' clocks are compared, not read as local time), signed offsets, and
 * stamps in each conflict mode's own units.
 */
import { decodeHlc } from "./hlc.js";

/** `12:34:56.789` (UTC) for ms since the Unix epoch. */
export function timeOfDay(ms: number): string {
  if (!Number.isFinite(ms)) return "?";
  const date = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, "0");
  return `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}.${String(date.getUTCMilliseconds()).padStart(3, "0")}`;
}

/** `+250 ms`, `-4.5 ms`, `0 ms`: an offset with its sign, rounded to 0.1 ms. */
export function signedMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  const rounded = Math.round(ms * 10) / 10;
  if (rounded === 0) return "0 ms";
  return `${rounded > 0 ? "+" : "−"}${Math.abs(rounded)} ms`;
}

/** A duration: `850 ms`, `2.4 s`. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return "?";
  return ms < 1_000 ? `${Math.round(ms)} ms` : `${(ms / 1_000).toFixed(1)} s`;
}

/** An HLC timestamp: `12:34:56.789 +3` (its wall part, and the logical counter when it is not 0). */
export function hlcText(packed: number): string {
  const parts = decodeHlc(packed);
  if (parts === undefined) return String(packed);
  return parts.logical === 0 ? timeOfDay(parts.wallMs) : `${timeOfDay(parts.wallMs)} +${parts.logical}`;
}

/**
 * A stamp or sibling time in the units of the bucket's conflict mode:
 * wall ms (`lww-wall`, `lww-truetime`), a packed HLC timestamp (`lww-hlc`,
 * `causal`: siblings are stamped by the HLC) or a Lamport counter.
 */
export function stampText(mode: string, time: number): string {
  switch (mode) {
    case "lww-wall":
    case "lww-truetime":
      return timeOfDay(time);
    case "lww-hlc":
    case "causal":
      return hlcText(time);
    case "lww-lamport":
      return `counter ${time}`;
    default:
      return String(time);
  }
}

/** A long opaque string cut to `max` characters, with an ellipsis in the middle. */
export function abbreviate(text: string, max = 32): string {
  if (text.length <= max) return text;
  const half = Math.floor((max - 1) / 2);
  return `${text.slice(0, half)}…${text.slice(text.length - half)}`;
}

/** How far stamp `later` is past stamp `earlier`, in the mode's units: ms of wall time, or Lamport ticks. */
export function stampGap(mode: string, later: number, earlier: number): string {
  switch (mode) {
    case "lww-wall":
    case "lww-truetime":
      return `${later - earlier} ms later`;
    case "lww-hlc":
    case "causal": {
      const a = decodeHlc(later);
      const b = decodeHlc(earlier);
      if (a === undefined || b === undefined) return "later";
      return a.wallMs === b.wallMs
        ? `${a.logical - b.logical} ticks later, same ms`
        : `${a.wallMs - b.wallMs} ms later`;
    }
    case "lww-lamport":
      return `${later - earlier} ticks later`;
    default:
      return "later";
  }
}
