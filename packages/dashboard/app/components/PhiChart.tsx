/**
 * One observer's phi for each of its peers over time, drawn by uPlot. The
 * plot is made once per set of peers and fed new data on each poll.
 */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { PhiChartData } from "../lib/phi-history.js";

const chartHeightPx = 170;
export const seriesColors = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777"];

/** A node's line is the same colour in every chart: the colour of its place among `members`. */
function colorOf(peer: string, members: readonly string[]): string {
  const index = Math.max(0, members.indexOf(peer));
  return seriesColors[index % seriesColors.length] as string;
}

export function PhiChart({
  observer,
  chart,
  members,
}: {
  readonly observer: string;
  readonly chart: PhiChartData;
  readonly members: readonly string[];
}) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const peersKey = `${chart.peers.join(",")}/${members.join(",")}`;

  useEffect(() => {
    const element = container.current;
    if (element === null) return;
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 240),
      height: chartHeightPx,
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1_000), "Etc/UTC"),
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(max ?? 0, 4) * 1.1] } },
      series: [
        { label: "time (UTC)" },
        ...chart.peers.map((peer) => ({
          label: `phi(${peer})`,
          stroke: colorOf(peer, members),
          width: 2,
          value: (_u: uPlot, v: number | null) => (v === null ? "—" : v.toFixed(2)),
        })),
      ],
      axes: [{}, { label: "phi", size: 50 }],
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
    };
    const made = new uPlot(options, chart.data, element);
    plot.current = made;
    const resize = new ResizeObserver(() =>
      made.setSize({ width: Math.max(element.clientWidth, 240), height: chartHeightPx }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      made.destroy();
      plot.current = null;
    };
    // The plot is remade only when the peers (or members) change; data arrives through setData below.
  }, [peersKey]);

  useEffect(() => {
    plot.current?.setData(chart.data);
  }, [chart]);

  return (
    <figure class="chart" data-testid={`phi-chart-${observer}`}>
      <figcaption>phi of each peer, as {observer} sees it</figcaption>
      <div ref={container} />
    </figure>
  );
}
