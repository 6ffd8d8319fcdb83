import { describe, expect, it } from "vitest";
import { formatThroughput, formatThroughputJson, throughputRecords } from "../../src/throughput/format.js";
import { loadResult, machine, resultsOf } from "./fakes.js";

const missed = resultsOf([
  { connections: 10, skew: loadResult(575, 46.8), etcd: loadResult(1600, 21) },
  { connections: 50, skew: loadResult(5000, 40), etcd: loadResult(3300, 52) },
]);

/** The table's line for a row: the row name, then its cells. */
const lineOf = (text: string, group: string, name: string): string => {
  const lines = text.split("\n");
  const start = lines.indexOf(lines.find((l) => l.startsWith(`[${group}]`)) as string);
  return lines.slice(start).find((l) => l.trimStart().startsWith(name)) as string;
};

describe("formatThroughput", () => {
  it("one group per connection level, etcd above Skew, figures, the ratio and the goal per level", () => {
    const text = formatThroughput(missed);
    const etcd10 = lineOf(text, "put, 10 connections", "etcd 3.4.23");
    const skew10 = lineOf(text, "put, 10 connections", "skew, N=3");
    // The fakes' CPU a put: 250 µs for etcd, 300 for Skew.
    expect(etcd10).toMatch(/1,600\s+7\.00\s+21\.00\s+250\s*$/);
    expect(skew10).toMatch(
      /575\s+15\.60\s+46\.80\s+300\s+0\.36x\s+MISSED: 0\.36x of etcd's puts\/s; p99 46\.80 >= etcd's 21\.00 ms/,
    );
    expect(text.indexOf(etcd10)).toBeLessThan(text.indexOf(skew10));
    // 5000/3300 = 1.52x with p99 40 < 52: met at 50 connections.
    expect(lineOf(text, "put, 50 connections", "skew, N=3")).toMatch(/5,000\s+13\.33\s+40\.00\s+300\s+1\.52x\s+met$/);
    expect(text).toMatch(
      /Goal \(issue 7\): Skew >= 1\.5x etcd's puts\/s with a lower p99, at every level: MISSED \(met at 1 of 2/,
    );
  });

  it("names both systems' setups, the machine, and what the table cannot show", () => {
    const text = formatThroughput(missed);
    expect(text).toContain("(2 cores, Test CPU, Node v20.0.0)");
    expect(text).toContain("N=3 R=W=2, sync durability");
    expect(text).toContain("etcd 3.4.23: 3 members, Raft");
    expect(text).toContain("100-byte values");
    expect(text).toMatch(/What etcd gives that Skew does not:\n\s+- Linearizable reads and writes/);
    expect(text).toMatch(/What Skew gives that etcd does not:\n\s+- Availability under partition/);
    expect(text).toMatch(/minority side cannot\s+write/);
    expect(text).not.toContain("--quick");
    // Wrapped for a terminal.
    expect(
      Math.max(
        ...text
          .split("\n")
          .filter((l) => l.startsWith("  -"))
          .map((l) => l.length),
      ),
    ).toBeLessThanOrEqual(100);
  });

  it("a run without etcd says why, shows the Skew rows, and does not judge the goal", () => {
    const text = formatThroughput(resultsOf([{ connections: 10, skew: loadResult(900, 30), etcd: null }]));
    expect(text).toContain("etcd: NOT MEASURED: etcd is not installed and installing was turned off");
    expect(lineOf(text, "put, 10 connections", "skew, N=3")).toMatch(/900\s+10\.00\s+30\.00\s+300$/);
    expect(text).toContain("at every level: not judged: etcd was not measured");
    expect(text).not.toMatch(/MISSED|met at/);
  });

  it("marks a quick run as one not to quote, and shows failed requests", () => {
    const base = resultsOf([
      { connections: 10, skew: loadResult(900, 30, { errors: 2, non2xx: 3 }), etcd: loadResult(1000, 20) },
    ]);
    const text = formatThroughput({ ...base, settings: { ...base.settings, quick: true } });
    expect(text).toContain("--quick: a smoke run");
    expect(text).toContain("(2 errors, 3 non-2xx)");
  });

  it("shows a dash where a system's CPU time could not be read", () => {
    const base = resultsOf([{ connections: 10, skew: loadResult(900, 30), etcd: loadResult(1000, 20) }]);
    const rows = base.rows.map((row) => (row.system === "etcd" ? { ...row, cpuUsPerPut: null } : row));
    const text = formatThroughput({ ...base, rows });
    expect(lineOf(text, "put, 10 connections", "etcd 3.4.23")).toMatch(/1,000\s+6\.67\s+20\.00\s+-\s*$/);
    expect(throughputRecords({ ...base, rows }).map((r) => r.cpuUsPerPut)).toEqual([300, null]);
  });
});

describe("throughputRecords and --json", () => {
  it("one record per measured row, in the node benchmark's shape, the ratio and goal on Skew's rows only", () => {
    const records = throughputRecords(missed);
    expect(records).toHaveLength(4);
    for (const record of records) {
      expect(Object.keys(record).sort()).toEqual(
        [
          "package",
          "group",
          "name",
          "role",
          "requests",
          "warmupRequests",
          "errors",
          "non2xx",
          "rps",
          "p50Ms",
          "p99Ms",
          "maxMs",
          "ratio",
          "cpuUsPerPut",
          "goal",
          "goalMet",
          "machine",
        ].sort(),
      );
      expect(record.package).toBe("@skew/bench");
      expect(record.machine).toEqual(machine);
    }
    const skew10 = records.find((r) => r.role === "subject" && r.group === "put, 10 connections");
    expect(skew10).toMatchObject({ rps: 575, p99Ms: 46.8, goalMet: false });
    expect(skew10?.ratio).toBeCloseTo(575 / 1600, 10);
    const etcd = records.filter((r) => r.role === "peer");
    expect(etcd.map((r) => r.name)).toEqual(["etcd 3.4.23, 3 members", "etcd 3.4.23, 3 members"]);
    expect(etcd.every((r) => r.ratio === null && r.goal === null && r.goalMet === null)).toBe(true);
  });

  it("JSON lines that parse back to the records; without etcd the Skew rows carry no judgement", () => {
    const lines = formatThroughputJson(missed).trimEnd().split("\n");
    expect(lines.map((line) => JSON.parse(line))).toEqual(JSON.parse(JSON.stringify(throughputRecords(missed))));
    const alone = throughputRecords(resultsOf([{ connections: 10, skew: loadResult(900, 30), etcd: null }]));
    expect(alone).toHaveLength(1);
    expect(alone[0]).toMatchObject({ role: "subject", ratio: null, goal: null, goalMet: null });
  });
});
