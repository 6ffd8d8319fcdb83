/**
 * A lost-update run's writes on a timeline, one lane per coordinator: kept
 * writes in green, lost ones in red with a cross. Hover shows a write's
 * summary; a click shows all of it below (the reason, stamps, skew).
 */
import type { DemoWrite, LostUpdateRun } from "@skew/client/api";
import { useState } from "preact/hooks";
import { duration, signedMs, stampGap, stampText } from "../lib/format.js";
import { defaultGeometry, layoutTimeline, outcomeOf } from "../lib/timeline.js";

function WriteDetail({ run, write }: { readonly run: LostUpdateRun; readonly write: DemoWrite }) {
  const beaten = write.beatenBy === null ? undefined : run.writes.find((w) => w.index === write.beatenBy);
  const offset = run.offsets[write.via];
  return (
    <div class={`panel detail ${outcomeOf(write)}`} data-testid="demo-detail" data-index={write.index}>
      <h4>
        Write {write.index}: <code>{write.item}</code> through {write.via} —{" "}
        <span data-testid="demo-detail-verdict">{outcomeOf(write)}</span>
      </h4>
      {write.error === null ? null : (
        <p class="error small">
          Not acknowledged: <strong>{write.error.code}</strong> {write.error.message}
        </p>
      )}
      {write.reason === null ? null : (
        <p class="reason" data-testid="demo-detail-reason">
          {write.reason}
        </p>
      )}
      <dl class="record">
        <dt>sent → acknowledged</dt>
        <dd>
          {write.startedAtMs.toFixed(1)} → {write.ackedAtMs.toFixed(1)} ms into the run (
          {duration(write.ackedAtMs - write.startedAtMs)})
        </dd>
        <dt>stamp</dt>
        <dd>
          {write.stamp === null
            ? "none (no timestamp decides in this mode)"
            : `${stampText(run.mode, write.stamp)} (${write.stamp})`}
        </dd>
        {beaten === undefined ? null : (
          <>
            <dt>beaten by</dt>
            <dd>
              write {beaten.index} (<code>{beaten.item}</code> through {beaten.via}), stamped{" "}
              {beaten.stamp === null ? "?" : stampText(run.mode, beaten.stamp)}
              {beaten.stamp !== null && write.stamp !== null
                ? `: ${stampGap(run.mode, beaten.stamp, write.stamp)}`
                : ""}
            </dd>
          </>
        )}
        <dt>{write.via}'s clock</dt>
        <dd>
          {offset === null || offset === undefined ? "not measured" : `${signedMs(offset)} as measured during the run`}
          {write.via === run.skewed ? ` (the skewed node, set to ${signedMs(run.skewMs)})` : ""}
        </dd>
        <dt>context returned</dt>
        <dd>
          <code class="wrap">{write.context}</code>
        </dd>
      </dl>
    </div>
  );
}

function describeOutcome(write: DemoWrite): string {
  switch (outcomeOf(write)) {
    case "kept":
      return "kept";
    case "lost":
      return `lost: ${write.reason ?? "not in the final read"}`;
    case "failed":
      return `failed: ${write.error?.code ?? "?"}`;
  }
}

export function Timeline({ run, members }: { readonly run: LostUpdateRun; readonly members: readonly string[] }) {
  const layout = layoutTimeline(run, members);
  const firstLost = run.writes.find((w) => outcomeOf(w) === "lost")?.index;
  const [selected, setSelected] = useState<number | undefined>(firstLost);
  const write = run.writes.find((w) => w.index === selected);
  const { width, left, right, laneHeight, top } = defaultGeometry;
  return (
    <div>
      <svg
        class="timeline"
        viewBox={`0 0 ${width} ${layout.height}`}
        width="100%"
        role="img"
        aria-label="The run's writes, one lane per coordinator"
        data-testid="demo-timeline"
      >
        {layout.lanes.map((lane, i) => (
          <g key={lane}>
            <rect
              class={i % 2 === 0 ? "lane" : "lane alt"}
              x={left}
              y={top + i * laneHeight}
              width={width - left - right}
              height={laneHeight}
            />
            <text class="lane-label" x={8} y={top + i * laneHeight + laneHeight / 2 + (lane === run.skewed ? -2 : 4)}>
              {lane}
            </text>
            {lane === run.skewed ? (
              <text class="lane-note" x={8} y={top + i * laneHeight + laneHeight / 2 + 12}>
                clock {signedMs(run.skewMs)}
              </text>
            ) : null}
          </g>
        ))}
        {layout.ticks.map((tick) => (
          <g key={tick.ms}>
            <line class="grid" x1={tick.x} x2={tick.x} y1={top} y2={layout.axisY} />
            <text class="tick" x={tick.x} y={layout.axisY + 16} text-anchor="middle">
              {tick.ms} ms
            </text>
          </g>
        ))}
        {layout.bars.map((bar) => (
          // biome-ignore lint/a11y/useSemanticElements: an SVG mark cannot be a <button>; it takes focus and Enter instead
          <g
            key={bar.write.index}
            class={`write ${outcomeOf(bar.write)}${bar.write.index === selected ? " selected" : ""}`}
            data-testid={`demo-write-${bar.write.index}`}
            data-outcome={outcomeOf(bar.write)}
            role="button"
            tabIndex={0}
            onClick={() => setSelected(bar.write.index)}
            onKeyDown={(event) => {
              if (event.key === "Enter" || event.key === " ") setSelected(bar.write.index);
            }}
          >
            <title>{`write ${bar.write.index} (${bar.write.item}) via ${bar.write.via}: ${describeOutcome(bar.write)}`}</title>
            <rect x={bar.x} y={bar.y} width={bar.width} height={bar.height} rx={2} />
            {outcomeOf(bar.write) !== "lost" ? null : (
              <path class="cross" d={`M ${bar.x + bar.width / 2 - 5} ${bar.y - 6} l 10 10 m 0 -10 l -10 10`} />
            )}
          </g>
        ))}
      </svg>
      <p class="muted small">
        Each bar: one append, from when it was sent to its coordinator to the acknowledgement. Green: in the final read.
        Red with a cross: acknowledged, then missing from the final read. Grey: failed (never acknowledged). Click one
        for the details.
      </p>
      {write === undefined ? null : <WriteDetail run={run} write={write} />}
    </div>
  );
}
