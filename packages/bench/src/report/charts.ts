/**
 * The report's charts, as Vega-Lite specifications rendered to SVG when the
 * report is written (vega's headless renderer: no browser, no network, no
 * script in the page), so the HTML file shows them anywhere, offline, as it
 * was written. Each chart is built from rows the report also prints as a
 * table, so a reader (and the report's test) can check one against the other.
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/** One chart: its id in the page, its title, what it shows, its data and its spec. */
export interface Chart {
  readonly id: string;
  readonly title: string;
  readonly caption: string;
  readonly rows: readonly Readonly<Record<string, string | number | null>>[];
  readonly spec: TopLevelSpec;
}

const width = 560;
const height = 260;
const font = "system-ui, -apple-system, Segoe UI, sans-serif";

/** The common look: no chart-level title (the page has one), readable axes. */
function base(): Partial<TopLevelSpec> {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    background: "white",
    config: {
      font,
      axis: { labelFontSize: 11, titleFontSize: 12 },
      legend: { labelFontSize: 11, titleFontSize: 12 },
      view: { stroke: "#ddd" },
    },
  } as Partial<TopLevelSpec>;
}

/** Lost acknowledged writes (% of acknowledged, mean over seeds with its 95% interval) per mode against skew. */
export function lostUpdatesChart(
  id: string,
  title: string,
  caption: string,
  rows: readonly { mode: string; skew: string; skewOrder: number; lostPercent: number; low: number; high: number }[],
): Chart {
  const spec = {
    ...base(),
    width,
    height,
    data: { values: rows },
    encoding: {
      x: {
        field: "skew",
        type: "ordinal",
        sort: { field: "skewOrder" },
        title: "clock skew between the fastest and the slowest node",
        axis: { labelAngle: 0 },
      },
      color: { field: "mode", type: "nominal", title: "conflict mode" },
      // Modes that lose the same share draw the same line: dashes and point shapes keep each one visible.
      strokeDash: { field: "mode", type: "nominal", title: "conflict mode" },
      shape: { field: "mode", type: "nominal", title: "conflict mode" },
    },
    layer: [
      {
        mark: { type: "line", point: { size: 70 }, strokeWidth: 2 },
        encoding: {
          y: { field: "lostPercent", type: "quantitative", title: "acknowledged writes lost (%)" },
        },
      },
      { mark: { type: "rule" }, encoding: { y: { field: "low", type: "quantitative" }, y2: { field: "high" } } },
    ],
  } as TopLevelSpec;
  return { id, title, caption, rows, spec };
}

/** Bars of `y` per `x`, one beside the other per `group` (each group its colour). */
function groupedBars(
  rows: readonly Readonly<Record<string, string | number | null>>[],
  x: { readonly field: string; readonly title: string; readonly type: "nominal" | "ordinal" },
  group: { readonly field: string; readonly title: string },
  y: { readonly field: string; readonly title: string },
): TopLevelSpec {
  return {
    ...base(),
    width,
    height,
    data: { values: rows },
    mark: "bar",
    encoding: {
      x: { field: x.field, type: x.type, title: x.title, axis: { labelAngle: 0 } },
      xOffset: { field: group.field, type: "nominal" },
      y: { field: y.field, type: "quantitative", title: y.title },
      color: { field: group.field, type: "nominal", title: group.title },
    },
  } as TopLevelSpec;
}

/** p99 write latency per mode, one bar per fault. */
export function latencyChart(
  id: string,
  title: string,
  caption: string,
  rows: readonly { mode: string; fault: string; p99Ms: number; p50Ms: number }[],
): Chart {
  const spec = groupedBars(
    rows,
    { field: "mode", title: "conflict mode", type: "nominal" },
    { field: "fault", title: "faults" },
    { field: "p99Ms", title: "write latency p99 (ms)" },
  );
  return { id, title, caption, rows, spec };
}

/** TrueTime's commit wait against 2 x epsilon: points, and the line the theory draws (wait = 2ε). */
export function commitWaitChart(
  id: string,
  title: string,
  caption: string,
  rows: readonly { cell: string; twoEpsilonMs: number; holdMs: number }[],
): Chart {
  const top = Math.max(1, ...rows.flatMap((r) => [r.twoEpsilonMs, r.holdMs]));
  const spec = {
    ...base(),
    width,
    height,
    layer: [
      {
        data: {
          values: [
            { x: 0, y: 0 },
            { x: top, y: top },
          ],
        },
        mark: { type: "line", strokeDash: [4, 4], color: "#888" },
        encoding: {
          x: { field: "x", type: "quantitative", title: "2 × epsilon when the write arrived (ms)" },
          y: { field: "y", type: "quantitative", title: "write held until acknowledged (ms)" },
        },
      },
      {
        data: { values: rows },
        mark: { type: "point", filled: true, size: 60 },
        encoding: {
          x: { field: "twoEpsilonMs", type: "quantitative" },
          y: { field: "holdMs", type: "quantitative" },
          tooltip: { field: "cell" },
        },
      },
    ],
  } as TopLevelSpec;
  return { id, title, caption, rows, spec };
}

/** Puts per second of each system at each concurrency. */
export function throughputChart(
  id: string,
  title: string,
  caption: string,
  rows: readonly { system: string; connections: number; rps: number; p99Ms: number }[],
): Chart {
  const spec = groupedBars(
    rows,
    { field: "connections", title: "connections", type: "ordinal" },
    { field: "system", title: "system" },
    { field: "rps", title: "puts per second" },
  );
  return { id, title, caption, rows, spec };
}

/** The chart as an SVG element (text), rendered without a browser. */
export async function renderSvg(chart: Chart): Promise<string> {
  const view = new vega.View(vega.parse(compile(chart.spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
