/**
 * The scenario framework: the registry, the lookup's typed error, seeds,
 * the narration's layout.
 */
import {
  checkSeed,
  findScenario,
  formatScenario,
  majorityQuorums,
  parseSeed,
  ScenarioError,
  scenarios,
  simulationSeed,
  Timeline,
} from "@skew/bench";
import { describe, expect, test } from "vitest";

describe("the registry", () => {
  test("eight scenarios with unique kebab-case names, a chapter section and a one-line summary", () => {
    expect(scenarios).toHaveLength(8);
    const names = scenarios.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const scenario of scenarios) {
      expect(scenario.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(scenario.section).toMatch(/^\d\.\d$/);
      expect(scenario.sectionTitle.length).toBeGreaterThan(0);
      expect(scenario.summary).not.toContain("\n");
      expect(scenario.summary.length).toBeLessThanOrEqual(100);
    }
    // In the chapter's order.
    const sections = scenarios.map((s) => Number(s.section));
    expect([...sections].sort((a, b) => a - b)).toEqual(sections);
  });

  test("findScenario finds each by name, and refuses an unknown one with a code and the valid names", () => {
    for (const scenario of scenarios) expect(findScenario(scenario.name)).toBe(scenario);
    let error: unknown;
    try {
      findScenario("lost-updates");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).code).toBe("SCENARIO_UNKNOWN");
    for (const scenario of scenarios) expect((error as ScenarioError).message).toContain(scenario.name);
  });
});

describe("seeds", () => {
  test("a seed is a 32-bit integer; anything else is SCENARIO_SEED_INVALID", () => {
    expect(checkSeed(0)).toBe(0);
    expect(checkSeed(0xffff_ffff)).toBe(0xffff_ffff);
    expect(checkSeed(-0x8000_0000)).toBe(-0x8000_0000);
    for (const bad of [1.5, Number.NaN, 2 ** 32, -(2 ** 31) - 1, "7", undefined]) {
      expect(() => checkSeed(bad)).toThrow(expect.objectContaining({ code: "SCENARIO_SEED_INVALID" }));
    }
    for (const bad of [{ toString: 0 }, Object.create(null), Symbol(), 1n]) {
      expect(() => checkSeed(bad)).toThrow(expect.objectContaining({ code: "SCENARIO_SEED_INVALID" }));
      expect(() => checkSeed(bad)).toThrow(/^a seed is an integer in \[-?\d+, \d+\], got (an? \w+|1n)$/);
    }
    expect(parseSeed("42")).toBe(42);
    expect(parseSeed("-7")).toBe(-7);
    for (const bad of ["", "abc", "1.5", "1e3", "0x10", "99999999999", " 1"]) {
      expect(() => parseSeed(bad)).toThrow(expect.objectContaining({ code: "SCENARIO_SEED_INVALID" }));
    }
  });

  test("a run refuses a bad seed before it starts", async () => {
    await expect(majorityQuorums.run({ seed: 0.5 })).rejects.toMatchObject({ code: "SCENARIO_SEED_INVALID" });
  });

  test("simulationSeed is fixed, in the simulator's range, and spreads neighbouring seeds apart", () => {
    expect(simulationSeed(1)).toBe(simulationSeed(1));
    const mapped = Array.from({ length: 100 }, (_, i) => simulationSeed(i));
    expect(new Set(mapped).size).toBe(100);
    for (const seed of mapped) expect(Number.isInteger(seed) && seed >= 0 && seed <= 0xffff_ffff).toBe(true);
    // Neighbours differ in about half their bits, not in the last few.
    const bitsDiffering = (a: number, b: number) => (a ^ b).toString(2).replace(/0/g, "").length;
    const mean = mapped.slice(1).reduce((sum, seed, i) => sum + bitsDiffering(seed, mapped[i] as number), 0) / 99;
    expect(mean).toBeGreaterThan(12);
  });
});

describe("the narration", () => {
  test("a timeline stamps entries with true time, keeps the order, and counts what it cannot keep", () => {
    let now = 0;
    const timeline = new Timeline(() => now);
    timeline.send("a", "b", "hello");
    now = 1.5;
    timeline.receive("b", "a", "hello");
    timeline.fault("b pauses");
    expect(timeline.entries()).toEqual([
      { atMs: 0, actor: "a", kind: "send", text: "-> b: hello" },
      { atMs: 1.5, actor: "b", kind: "receive", text: "<- a: hello" },
      { atMs: 1.5, actor: "sim", kind: "fault", text: "b pauses" },
    ]);
    const long = new Timeline(() => now);
    for (let i = 0; i < 1_000; i++) long.note("x", String(i));
    const kept = long.entries();
    expect(kept.at(-1)?.text).toMatch(/more entries not kept/);
    expect(kept.length).toBeLessThan(1_000);
  });

  test("formatScenario prints both runs with their timelines in aligned columns, the facts and the replay command", async () => {
    const result = await majorityQuorums.run({ seed: 3 });
    const text = formatScenario(result);
    expect(text).toContain(`${result.name}: chapter ${result.section}`);
    expect(text).toContain("WITHOUT THE REMEDY");
    expect(text).toContain("WITH THE REMEDY");
    expect(text).toContain(`skew scenario run ${result.name} --seed 3`);
    for (const name of Object.keys(result.withRemedy.facts)) expect(text).toContain(name);
    // Within each timeline, the "what" column starts at the same place on every line.
    const lines = text.split("\n");
    const headers = lines.flatMap((line, i) => (line.trim().startsWith("true time") ? [i] : []));
    expect(headers).toHaveLength(2);
    for (const header of headers) {
      const column = (lines[header] as string).indexOf("what");
      const rows: string[] = [];
      for (let i = header + 1; lines[i] !== ""; i++) rows.push(lines[i] as string);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect(row.slice(0, column).endsWith("  ")).toBe(true);
        expect(row.charAt(column)).not.toBe(" ");
      }
    }
    expect(text.includes(String.fromCharCode(27))).toBe(false); // no colour codes (ESC sequences)
  });
});
