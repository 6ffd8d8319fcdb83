/**
 * Each node's clocks on one time axis: its TrueTime interval as a bar, its
 * wall clock (with the admin's offset and drift) as a diamond and its HLC's
 * wall part as a dot. The axis is "ms from true time": each node's reading
 * is placed against its machine's own clock (`systemMs`, read at the same
 * moment), which TrueTime is synchronized against (packages/node/src/clocks.ts):
 * so readings taken at slightly different moments still line up, a skewed
 * wall clock stands apart from the bar, and TrueTime stays around 0.
 */
import type { ClusterNodeView } from "@skew/client/api";
import { decodeHlc } from "../lib/hlc.js";
import { linearScale, niceTicks } from "../lib/ticks.js";

const width = 900;
const left = 60;
const right = 20;
const laneHeight = 40;
const top = 10;
/** A TrueTime interval of a few ms is drawn at least this wide, to be seen. */
const barWidthPxMin = 4;
/** The axis shows at least ±this many ms, so a few ms of TrueTime error are not blown up to the whole width. */
const axisHalfSpanMsMin = 20;

interface Marks {
  readonly id: string;
  readonly earliest: number | undefined;
  readonly latest: number | undefined;
  readonly wall: number;
  readonly hlc: number | undefined;
}

function marksOf(entry: ClusterNodeView): Marks | undefined {
  const clock = entry.view?.clock;
  if (clock === undefined) return undefined;
  const hlc = decodeHlc(clock.hlc);
  return {
    id: entry.id,
    earliest: clock.truetime === null ? undefined : clock.truetime.earliest - clock.systemMs,
    latest: clock.truetime === null ? undefined : clock.truetime.latest - clock.systemMs,
    wall: clock.wallMs - clock.systemMs,
    hlc: hlc === undefined || hlc.wallMs === 0 ? undefined : hlc.wallMs - clock.systemMs,
  };
}

export function TrueTimeBars({ nodes }: { readonly nodes: readonly ClusterNodeView[] }) {
  const marks = nodes.map((entry) => ({ id: entry.id, marks: marksOf(entry) }));
  const values = marks.flatMap(({ marks: m }) =>
    m === undefined ? [] : [m.earliest, m.latest, m.wall, m.hlc].filter((v): v is number => v !== undefined),
  );
  const half = Math.max(axisHalfSpanMsMin, ...values.map((v) => Math.abs(v))) * 1.15;
  const x = linearScale(-half, half, left, width - right);
  const axisY = top + marks.length * laneHeight;
  const height = axisY + 30;
  return (
    <figure class="chart" data-testid="truetime-bars">
      <figcaption>
        Each node's clocks against true time (its machine's clock, the dashed line): the bar is TrueTime's interval, ◆
        the wall clock (offset and drift included), ● the wall part of the last HLC timestamp it issued or heard.
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label="TrueTime intervals">
        {niceTicks(-half, half, 10).map((ms) => (
          <g key={ms}>
            <line class={ms === 0 ? "axis-zero" : "grid"} x1={x(ms)} x2={x(ms)} y1={top} y2={axisY} />
            <text class="tick" x={x(ms)} y={axisY + 16} text-anchor="middle">
              {ms > 0 ? `+${ms}` : ms} ms
            </text>
          </g>
        ))}
        {marks.map(({ id, marks: m }, lane) => {
          const y = top + lane * laneHeight + laneHeight / 2;
          return (
            <g key={id} data-testid={`truetime-lane-${id}`}>
              <text class="lane-label" x={8} y={y + 4}>
                {id}
              </text>
              {m === undefined ? (
                <text class="muted" x={left + 8} y={y + 4}>
                  no answer
                </text>
              ) : (
                <>
                  {m.earliest === undefined || m.latest === undefined ? (
                    <text class="muted" x={left + 8} y={y + 4}>
                      TrueTime not synchronized yet
                    </text>
                  ) : (
                    <rect
                      class="truetime-bar"
                      data-testid={`truetime-bar-${id}`}
                      x={Math.min(x(m.earliest), (x(m.earliest) + x(m.latest)) / 2 - barWidthPxMin / 2)}
                      width={Math.max(barWidthPxMin, x(m.latest) - x(m.earliest))}
                      y={y - 14}
                      height={10}
                      rx={2}
                    >
                      <title>
                        {id}: TrueTime [{m.earliest.toFixed(1)}, {m.latest.toFixed(1)}] ms from true time
                      </title>
                    </rect>
                  )}
                  {m.hlc === undefined ? null : (
                    <circle class="hlc-mark" cx={x(m.hlc)} cy={y + 8} r={4}>
                      <title>
                        {id}: HLC wall part {m.hlc.toFixed(1)} ms from true time
                      </title>
                    </circle>
                  )}
                  <path class="wall-mark" d={`M ${x(m.wall)} ${y + 2} l 6 6 l -6 6 l -6 -6 z`}>
                    <title>
                      {id}: wall clock {m.wall.toFixed(1)} ms from true time
                    </title>
                  </path>
                </>
              )}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
