/**
 * A scenario's result as the text `skew scenario run` prints: a heading,
 * then each run (without the remedy, then with it) as a timeline in aligned
 * columns (true time, who, what kind, what), its verdict and its facts, and
 * the lesson. Plain text, no colour, so that it reads the same in a
 * terminal, a log and a README.
 */
import type { Facts, ScenarioResult, ScenarioRun, TimelineEntry } from "./scenario.js";

/** Paragraphs (verdicts, the lesson) are wrapped at this width; timeline lines are not, to keep their columns. */
const paragraphColumns = 100;

export function formatScenario(result: ScenarioResult): string {
  const lines: string[] = [];
  lines.push(`${result.name}: chapter ${result.section}, ${result.sectionTitle} (seed ${result.seed})`);
  lines.push(...wrap(result.summary, paragraphColumns, ""));
  lines.push(
    ...wrap(
      "Times are ms since the run began: the left column is true time, which no node can read; clock readings quoted in the text use the same origin.",
      paragraphColumns,
      "",
    ),
  );
  lines.push("");
  lines.push(...formatRun("WITHOUT THE REMEDY", result.withoutRemedy));
  lines.push("");
  lines.push(...formatRun("WITH THE REMEDY", result.withRemedy));
  lines.push("");
  lines.push(...wrap(`Lesson: ${result.lesson}`, paragraphColumns, ""));
  lines.push(`Replay: skew scenario run ${result.name} --seed ${result.seed}`);
  return `${lines.join("\n")}\n`;
}

function formatRun(heading: string, run: ScenarioRun<Facts>): string[] {
  const lines = [`${heading}: ${run.label}`, ...formatTimeline(run.timeline), ""];
  lines.push(...wrap(`Outcome: ${run.verdict}`, paragraphColumns, "  "));
  const names = Object.keys(run.facts);
  const width = Math.max(0, ...names.map((name) => name.length));
  for (const name of names) lines.push(`    ${name.padEnd(width)}  ${factText(run.facts[name])}`);
  return lines;
}

/** The timeline in columns: true time (ms, to the microsecond), actor, kind, text. */
export function formatTimeline(entries: readonly TimelineEntry[]): string[] {
  const times = entries.map((entry) => `${entry.atMs.toFixed(3)} ms`);
  const timeWidth = Math.max("true time".length, ...times.map((time) => time.length));
  const actorWidth = Math.max("who".length, ...entries.map((entry) => entry.actor.length));
  const kindWidth = Math.max("kind".length, ...entries.map((entry) => entry.kind.length));
  const header = `  ${"true time".padStart(timeWidth)}  ${"who".padEnd(actorWidth)}  ${"kind".padEnd(kindWidth)}  what`;
  return [
    header,
    ...entries.map(
      (entry, i) =>
        `  ${(times[i] ?? "").padStart(timeWidth)}  ${entry.actor.padEnd(actorWidth)}  ${entry.kind.padEnd(kindWidth)}  ${entry.text}`,
    ),
  ];
}

function factText(value: number | boolean | undefined): string {
  if (typeof value === "boolean" || value === undefined) return String(value);
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

/** Greedy word wrap; a word longer than the width gets a line of its own. */
function wrap(paragraph: string, columns: number, indent: string): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const word of paragraph.split(/\s+/).filter((w) => w !== "")) {
    if (line.length > indent.length && line.length + 1 + word.length > columns) {
      lines.push(line);
      line = `${indent}  ${word}`;
    } else {
      line = line.length > indent.length ? `${line} ${word}` : `${line}${word}`;
    }
  }
  if (line.length > indent.length) lines.push(line);
  return lines;
}
