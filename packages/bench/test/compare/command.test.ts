/**
 * `skew compare` end to end on the simulator part: usage errors exit 2 and
 * say what was wrong; a quick run writes results.json and report.html, and
 * its JSON records are the cells of the results it wrote.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compareCommand } from "../../src/compare/index.js";
import type { MatrixResults } from "../../src/matrix/index.js";

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) } };
}

const dir = mkdtempSync(join(tmpdir(), "skew-compare-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("skew compare", () => {
  it("--help exits 0 with its usage; bad arguments exit 2 and name the mistake", async () => {
    const help = io();
    expect(await compareCommand(["--help"], help.io)).toBe(0);
    expect(help.out.join("")).toMatch(/^usage: skew compare/);
    for (const [args, says] of [
      [["--parts", "nope"], /unknown nope/],
      [["--seeds", "0"], /--seeds must be/],
      [["--seeds", "1.5"], /--seeds must be/],
      [["--frobnicate"], /frobnicate/],
      [["extra"], /extra/],
    ] as const) {
      const bad = io();
      expect(await compareCommand([...args], bad.io), args.join(" ")).toBe(2);
      expect(bad.err.join(""), args.join(" ")).toMatch(says);
    }
  });

  it("a quick simulated run writes its results and report; --json prints one record per cell of them", async () => {
    const run = io();
    const out = join(dir, "quick");
    const code = await compareCommand(["--quick", "--parts", "sim", "--seeds", "1", "--out", out, "--json"], run.io);
    expect(code, run.err.join("")).toBe(0);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as { sim: MatrixResults };
    const records = run.out
      .join("")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { name: string; lost: unknown });
    expect(records.map((r) => r.name)).toEqual(results.sim.cells.map((c) => c.id));
    for (const [i, record] of records.entries()) expect(record.lost).toEqual(results.sim.cells[i]?.summary.lost);
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toContain('id="lost-sim"');
    expect(html).toContain("<svg");
  }, 120_000);

  it("the clocks part gathers every clock package's own benchmark records, as they print them", async () => {
    const run = io();
    const out = join(dir, "clocks");
    const code = await compareCommand(["--quick", "--parts", "clocks", "--out", out, "--json"], run.io);
    expect(code, run.err.join("")).toBe(0);
    const records = run.out
      .join("")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { package: string; role: string; nsPerOp: number });
    const packages = new Set(records.map((r) => r.package));
    expect([...packages].sort()).toEqual([
      "@skew/failure-detector",
      "@skew/hlc",
      "@skew/lamport",
      "@skew/truetime",
      "@skew/vector",
    ]);
    for (const r of records) expect(r.nsPerOp, `${r.package}`).toBeGreaterThan(0);
    // Every package measures its operations beside a floor or a peer, in the same process.
    for (const p of packages)
      expect(
        records.some((r) => r.package === p && r.role !== "subject"),
        p,
      ).toBe(true);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as { clocks: { records: unknown[] } };
    expect(results.clocks.records).toHaveLength(records.length);
  }, 300_000);
});
