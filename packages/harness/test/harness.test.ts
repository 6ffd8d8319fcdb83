import { type BenchRecord, formatTable, parseBenchArgs, runBenchmarks } from "@skew/harness";
import { describe, expect, it } from "vitest";

describe("parseBenchArgs", () => {
  it("reads --json, --quick and --filter, and rejects what it does not know", () => {
    expect(parseBenchArgs(["--json", "--filter", "now", "--quick"])).toEqual({
      json: true,
      filter: "now",
      quick: true,
    });
    expect(parseBenchArgs([])).toEqual({ json: false, filter: undefined, quick: false });
    expect(() => parseBenchArgs(["--jsn"])).toThrow(/unknown argument "--jsn"/);
    expect(() => parseBenchArgs(["--filter"])).toThrow(/needs a value/);
  });
});

describe("runBenchmarks", () => {
  it("prints one JSON record per case with ratios against the group's floor", async () => {
    const out: string[] = [];
    const values = Array.from({ length: 64 }, (_, i) => i * 1.5);
    let i = 0;
    const records = await runBenchmarks(
      "@skew/harness-test",
      [
        { group: "sum", name: "one add", role: "floor", fn: () => (values[i++ & 63] ?? 0) + 1 },
        {
          group: "sum",
          name: "reduce over 64",
          fn: () => values.reduce((a, b) => a + b, i++),
          goal: { minSpeedup: 1_000_000 },
          allocation: true,
        },
      ],
      { argv: ["--json", "--quick"], write: (text) => out.push(text) },
    );
    const lines = out.join("").trim().split("\n");
    expect(lines).toHaveLength(2);
    const parsed = lines.map((line) => JSON.parse(line) as BenchRecord);
    expect(parsed).toEqual(records);
    const [floor, subject] = parsed;
    expect(floor?.ratio).toBeNull();
    expect(subject?.baseline).toBe("one add");
    expect(subject?.ratio).toBeCloseTo((subject?.nsPerOp ?? 0) / (floor?.nsPerOp ?? 1), 1);
    // A 64-element reduce cannot be a million times faster than one add: the goal must be reported missed.
    expect(subject?.goalMet).toBe(false);
    expect(subject?.goal).toContain("faster than one add");
    expect(typeof subject?.bytesPerOp).toBe("number");
    expect(formatTable("x", parsed)).toContain("MISSED");
  });

  it("measures an operation too slow for mitata to batch, one call per sample", async () => {
    // mitata batches only calls under 65 µs; this one takes at least 100 µs, so a timer read per sample is noise.
    const spin = (): number => {
      const start = performance.now();
      let spins = 0;
      while (performance.now() - start < 0.1) spins++;
      return spins;
    };
    const [record] = await runBenchmarks("x", [{ group: "slow", name: "a 100 µs spin", fn: spin }], {
      argv: ["--json", "--quick"],
      write: () => undefined,
    });
    expect(record?.nsPerOp).toBeGreaterThanOrEqual(100_000);
    expect(record?.samples).toBeGreaterThan(1);
  });

  it("does not judge a goal against a baseline that --filter left out", async () => {
    let i = 0;
    const cases = [
      { group: "sum", name: "one add", role: "floor" as const, fn: () => i++ + 1 },
      { group: "sum", name: "two adds", fn: () => i++ + 2, goal: { maxRatio: 1_000 } },
    ];
    const out: string[] = [];
    const [filtered] = await runBenchmarks("x", cases, {
      argv: ["--quick", "--filter", "two"],
      write: (text) => out.push(text),
    });
    expect(filtered?.baseline).toBeNull();
    expect(filtered?.goalMet).toBeNull();
    expect(out.join("")).toContain("not judged");
    const [, judged] = await runBenchmarks("x", cases, { argv: ["--json", "--quick"], write: () => undefined });
    expect(judged?.goalMet).toBe(true); // two adds are not a thousand times one
  });

  it("refuses a baseline that is not in the group and duplicate names", async () => {
    const fn = () => 1;
    await expect(
      runBenchmarks("x", [{ group: "g", name: "a", fn, baseline: "b" }], { argv: ["--quick"] }),
    ).rejects.toThrow(/baseline "b"/);
    await expect(
      runBenchmarks(
        "x",
        [
          { group: "g", name: "a", fn },
          { group: "g", name: "a", fn },
        ],
        { argv: ["--quick"] },
      ),
    ).rejects.toThrow(/duplicate/);
  });
});
