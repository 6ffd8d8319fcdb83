/**
 * How a scenario tells what happened: a timeline of entries stamped with
 * true simulated time, which no node can read (the simulator's `nowMs`),
 * so that a reader sees what each node believed against what was so.
 *
 * A scenario narrates as it runs, from its nodes' handlers and its own
 * scripted steps; nothing here reads a real clock, so the same seed gives
 * the same narration, byte for byte.
 */
import { limits } from "@skew/sim";
import { timelineEntriesMax } from "./constants.js";
import type { EntryKind, TimelineEntry } from "./scenario.js";

export class Timeline {
  readonly #nowMs: () => number;
  readonly #entries: TimelineEntry[] = [];
  #dropped = 0;

  /** `nowMs`: the simulation's true time (`() => sim.nowMs`). */
  constructor(nowMs: () => number) {
    this.#nowMs = nowMs;
  }

  /** `from` hands `what` to the network, for `to`. */
  send(from: string, to: string, what: string): void {
    this.#add(from, "send", `-> ${to}: ${what}`);
  }

  /** `at` receives `what` from `from`. */
  receive(at: string, from: string, what: string): void {
    this.#add(at, "receive", `<- ${from}: ${what}`);
  }

  /** A clock reading, or a judgement made from one (a timestamp, an interval, a suspicion level). */
  clock(actor: string, text: string): void {
    this.#add(actor, "clock", text);
  }

  decide(actor: string, text: string): void {
    this.#add(actor, "decide", text);
  }

  /** The scenario's own hand: a partition, a pause, a crash, a skewed clock. */
  fault(text: string): void {
    this.#add("sim", "fault", text);
  }

  note(actor: string, text: string): void {
    this.#add(actor, "note", text);
  }

  /**
   * Appends what a draft timeline recorded (a draft is a `Timeline` on the
   * same clock): a scenario narrates a repeated exchange into a draft and
   * keeps it only when it shows something new.
   */
  adopt(draft: Timeline): void {
    for (const entry of draft.#entries) {
      if (this.#entries.length >= timelineEntriesMax) this.#dropped++;
      else this.#entries.push(entry);
    }
    this.#dropped += draft.#dropped;
  }

  /** The entries, oldest first; if some were not kept, a last note says how many. */
  entries(): readonly TimelineEntry[] {
    if (this.#dropped === 0) return this.#entries.slice();
    const last = this.#entries[this.#entries.length - 1];
    return [
      ...this.#entries,
      {
        atMs: last?.atMs ?? 0,
        actor: "sim",
        kind: "note",
        text: `(${this.#dropped} more entries not kept: a timeline keeps ${timelineEntriesMax})`,
      },
    ];
  }

  #add(actor: string, kind: EntryKind, text: string): void {
    if (this.#entries.length >= timelineEntriesMax) {
      this.#dropped++;
      return;
    }
    this.#entries.push({ atMs: this.#nowMs(), actor, kind, text });
  }
}

/**
 * A clock reading (ms since the Unix epoch) in the unit of the timeline's
 * first column: ms since the run began (the simulator starts every run at
 * `limits.epochMsDefault`, 2024-01-01T00:00:00Z). A clock that reads
 * `114.315 ms` while the true time column says `104.315 ms` is 10 ms fast.
 */
export function clockText(epochMs: number, digits = 3): string {
  return `${(epochMs - limits.epochMsDefault).toFixed(digits)} ms`;
}

/** A duration or an offset in ms, with a sign when asked: `12.3 ms`, `+4012.0 ms`. */
export function msText(ms: number, options: { readonly signed?: boolean; readonly digits?: number } = {}): string {
  const digits = options.digits ?? 1;
  const sign = options.signed === true && ms >= 0 ? "+" : "";
  return `${sign}${ms.toFixed(digits)} ms`;
}

/** A duration for a reader: `46 ms` below a second, `41.7 s` above. */
export function durationText(ms: number): string {
  return Math.abs(ms) < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
