/**
 * What a runnable scenario of the chapter is (../../../../shared/CHAPTER.txt):
 * one of its stories of things going wrong between machines, played twice on
 * the deterministic simulator (@skew/sim), once without the remedy the
 * chapter gives and once with it. Each play leaves a narrated timeline in
 * true simulated time (who sent what, which clock read what, what was
 * decided) and an outcome: a verdict for a reader and facts (numbers and
 * booleans) for a test to assert. One seed decides every delay and every
 * draw, so one seed replays a scenario exactly, narration included.
 */

/** What a test asserts on: named numbers and booleans, nothing a reader has to parse. */
export type Facts = { readonly [name: string]: number | boolean };

/** What a timeline entry reports, so that a reader can scan for decisions or clock readings. */
export type EntryKind =
  /** A message leaves, or arrives (the text names both ends). */
  | "send"
  | "receive"
  /** A clock was read, set or judged: a timestamp, an interval, a suspicion level. */
  | "clock"
  /** Something was decided: a write accepted or refused, a leader elected, a node declared dead. */
  | "decide"
  /** The scenario broke something on purpose: a partition, a pause, a crash, a skewed clock. */
  | "fault"
  /** Context for the reader. */
  | "note";

export interface TimelineEntry {
  /** True simulated time, in ms since the run began: what no node can read. */
  readonly atMs: number;
  /** Who acted: a node or client id, or "sim" for the scenario's own hand. */
  readonly actor: string;
  readonly kind: EntryKind;
  readonly text: string;
}

/** One play of a scenario: without the remedy, or with it. */
export interface ScenarioRun<F extends Facts = Facts> {
  /** What was run, in a few words: "lww-wall", "fixed timeout 200 ms", "fencing tokens checked by the storage". */
  readonly label: string;
  readonly timeline: readonly TimelineEntry[];
  /** What happened, in one sentence. */
  readonly verdict: string;
  readonly facts: F;
  /** The simulator's fingerprint of every event of the run (the same seed gives the same hash). */
  readonly traceHash: string;
}

export interface ScenarioResult<W extends Facts = Facts, R extends Facts = Facts> {
  readonly name: string;
  /** The chapter's section, e.g. "3.3". */
  readonly section: string;
  /** The section's title, e.g. "Relying on Synchronized Clocks". */
  readonly sectionTitle: string;
  readonly summary: string;
  readonly seed: number;
  readonly withoutRemedy: ScenarioRun<W>;
  readonly withRemedy: ScenarioRun<R>;
  /** The chapter's point, which the two runs side by side make. */
  readonly lesson: string;
}

export interface ScenarioOptions {
  /** Decides every delay, loss and draw of both runs: a 32-bit integer (the simulator's seed range). */
  readonly seed: number;
}

export interface Scenario<W extends Facts = Facts, R extends Facts = Facts> {
  /** Kebab-case, unique: what `skew scenario run <name>` takes. */
  readonly name: string;
  readonly section: string;
  readonly sectionTitle: string;
  /** One line, for `skew scenario list`. */
  readonly summary: string;
  run(options: ScenarioOptions): Promise<ScenarioResult<W, R>>;
}
