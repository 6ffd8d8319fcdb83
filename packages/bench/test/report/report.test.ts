/**
 * The report in a real browser (Debian's chromium, driven by playwright-core):
 * every chart rendered (an SVG with marks in it), and every number the page
 * prints is the one in the results it embeds and in the JSON it was written
 * from. The matrix is a real (small) run on the simulator; the throughput
 * rows are given, as the report only prints what it is handed.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cellsOf, type MatrixResults, runMatrix } from "../../src/matrix/index.js";
import { formatNumber, type ReportInput, renderReport, resolvePointer } from "../../src/report/index.js";

const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

describe("the HTML report, in headless Chromium", () => {
  let dir: string;
  let input: ReportInput;
  let html: string;
  let browser: Awaited<ReturnType<typeof chromium.launch>>;
  let page: Awaited<ReturnType<typeof browser.newPage>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "skew-report-"));
    const sim: MatrixResults = runMatrix({
      cells: cellsOf({
        modes: ["lww-wall", "lww-truetime", "causal"],
        skews: [
          { kind: "offset", ms: 0 },
          { kind: "offset", ms: 100 },
        ],
        workloads: ["sequential", "set"],
        faults: ["none"],
      }),
      seeds: 2,
    });
    input = {
      generatedAt: "2026-11-26T00:00:00.000Z",
      machine: { cpus: 2, model: "test", node: process.version },
      command: "vitest: test/report/report.test.ts",
      sim,
      throughput: {
        rows: [
          { system: "skew", connections: 10, rps: 1234.5, p50Ms: 7.25, p99Ms: 20.5 },
          { system: "etcd", connections: 10, rps: 1600, p50Ms: 5.5, p99Ms: 21 },
        ],
        notes: ["etcd gives linearizability; Skew stays writable on a minority side."],
      },
      clocks: {
        records: [
          {
            package: "@skew/hlc",
            group: "now()",
            name: "Date.now()",
            role: "floor",
            nsPerOp: 42.79,
            ratio: null,
            baseline: null,
            bytesPerOp: 16,
            goal: null,
            goalMet: null,
          },
          {
            package: "@skew/hlc",
            group: "now()",
            name: "HybridLogicalClock.now()",
            role: "subject",
            nsPerOp: 45.81,
            ratio: 1.07,
            baseline: "Date.now()",
            bytesPerOp: 16,
            goal: "<= 1.05x",
            goalMet: false,
          },
        ],
        skipped: [],
      },
    };
    html = await renderReport(input);
    writeFileSync(join(dir, "results.json"), JSON.stringify(input));
    writeFileSync(join(dir, "report.html"), html);
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ["--no-sandbox"] });
    page = await browser.newPage();
    // Offline: a self-contained report fetches nothing.
    await page.route("**/*", (route) => (route.request().url().startsWith("file:") ? route.continue() : route.abort()));
    await page.goto(pathToFileURL(join(dir, "report.html")).href);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("renders every chart: an SVG per figure, with marks drawn", async () => {
    const figures = await page.$$eval("figure[data-chart]", (nodes) =>
      nodes.map((figure) => {
        const svg = figure.querySelector("svg");
        const box = svg?.getBoundingClientRect();
        return {
          id: figure.getAttribute("data-chart"),
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          marks: svg?.querySelectorAll("path, line, rect, circle").length ?? 0,
        };
      }),
    );
    expect(figures.map((f) => f.id).sort()).toEqual(
      ["commit-wait-sim", "latency-sim", "lost-sim", "throughput"].sort(),
    );
    for (const f of figures) {
      expect(f.width, f.id ?? "").toBeGreaterThan(100);
      expect(f.height, f.id ?? "").toBeGreaterThan(100);
      expect(f.marks, f.id ?? "").toBeGreaterThan(4);
    }
  });

  it("prints the numbers of the results: each one equals the embedded JSON and the results file", async () => {
    const cells = await page.$$eval("[data-path]", (nodes) =>
      nodes.map((n) => ({
        path: n.getAttribute("data-path") as string,
        value: Number(n.getAttribute("data-value")),
        digits: Number(n.getAttribute("data-digits")),
        text: n.textContent ?? "",
      })),
    );
    const embedded = JSON.parse((await page.textContent("script#skew-results")) as string) as unknown;
    const file = JSON.parse(JSON.stringify(input)) as unknown;
    expect(cells.length).toBeGreaterThan(input.sim?.cells.length ?? 0);
    for (const cell of cells) {
      expect(resolvePointer(embedded, cell.path), cell.path).toBe(cell.value);
      expect(resolvePointer(file, cell.path), cell.path).toBe(cell.value);
      expect(cell.text.startsWith(formatNumber(cell.value, cell.digits)), `${cell.path}: ${cell.text}`).toBe(true);
    }
    // Every cell of the matrix has its row, and its loss is printed.
    for (const [i, cell] of (input.sim?.cells ?? []).entries()) {
      const path = `/sim/cells/${i}/summary/lostPercent/mean`;
      expect(
        cells.some((c) => c.path === path),
        cell.id,
      ).toBe(true);
    }
  });

  it("is self-contained: no script runs, nothing outside the file is referenced but the source's link", () => {
    expect(html).not.toMatch(/<script(?![^>]*type="application\/json")/);
    expect(html).not.toMatch(/<(img|link|iframe)\b/);
  });
});
