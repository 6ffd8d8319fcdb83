/**
 * `skew scenario list` and `skew scenario run <name> [--seed n]`, driven as
 * the CLI will drive them: arguments in, text and an exit code out.
 */
import { formatScenario, majorityQuorums, scenarioCommand, scenarios } from "@skew/bench";
import { describe, expect, test } from "vitest";

async function cli(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await scenarioCommand(argv, {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
  });
  return { code, out, err };
}

describe("skew scenario", () => {
  test("list names every scenario with its section and summary", async () => {
    const { code, out, err } = await cli("list");
    expect(code).toBe(0);
    expect(err).toBe("");
    for (const scenario of scenarios) expect(out).toContain(`${scenario.name}`);
    expect(out.trim().split("\n")).toHaveLength(scenarios.length + 1);
  });

  test("run <name> --seed n prints the scenario's narration for that seed", async () => {
    const expected = formatScenario(await majorityQuorums.run({ seed: 7 }));
    for (const argv of [
      ["run", "majority-quorums", "--seed", "7"],
      ["run", "--seed=7", "majority-quorums"],
    ]) {
      const { code, out, err } = await cli(...argv);
      expect(code).toBe(0);
      expect(err).toBe("");
      expect(out).toBe(expected);
    }
  });

  test("run without --seed uses seed 1; --json prints the result as JSON", async () => {
    const plain = await cli("run", "majority-quorums");
    expect(plain.out).toBe(formatScenario(await majorityQuorums.run({ seed: 1 })));
    const json = await cli("run", "majority-quorums", "--seed", "4", "--json");
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.out);
    expect(parsed).toMatchObject({ name: "majority-quorums", seed: 4, section: "4.1" });
    expect(parsed.withRemedy.facts.sidesThatDecided).toBe(1);
  });

  test("--help prints the usage and succeeds", async () => {
    for (const argv of [["--help"], ["-h"], ["help"], ["run", "--help"], ["list", "--help"]]) {
      const { code, out, err } = await cli(...argv);
      expect(code).toBe(0);
      expect(err).toBe("");
      expect(out).toContain("skew scenario run <name> [--seed <n>]");
    }
  });

  test("usage errors exit 2 and say what was wrong", async () => {
    const cases: [string[], RegExp][] = [
      [[], /a subcommand is needed/],
      [["launch"], /unknown subcommand "launch"/],
      [["list", "extra"], /list takes no arguments/],
      [["run"], /needs a scenario name/],
      [["run", "majority-quorums", "--fast"], /unknown option --fast/],
      [["run", "majority-quorums", "--seed"], /--seed needs a value/],
      [["run", "majority-quorums", "commit-wait"], /one scenario at a time/],
      [["run", "majority-quorums", "--seed", "abc"], /SCENARIO_SEED_INVALID/],
      [["run", "majority-quorums", "--seed", "4294967296"], /SCENARIO_SEED_INVALID/],
      [["run", "no-such-scenario"], /SCENARIO_UNKNOWN/],
    ];
    for (const [argv, message] of cases) {
      const { code, out, err } = await cli(...argv);
      expect(code, argv.join(" ")).toBe(2);
      expect(out).toBe("");
      expect(err).toMatch(message);
    }
    // An unknown name is answered with the names that exist.
    const { err } = await cli("run", "no-such-scenario");
    for (const scenario of scenarios) expect(err).toContain(scenario.name);
  });

  test("a negative seed is a seed, not an option", async () => {
    const { code, out } = await cli("run", "majority-quorums", "--seed", "-3");
    expect(code).toBe(0);
    expect(out).toContain("(seed -3)");
  });
});
