/**
 * The clocks: each node's offset as the serving node measures it from
 * heartbeats, the offset and drift its admin set, its HLC (wall part and
 * logical counter) and its TrueTime interval, live; and the form that
 * changes them.
 */
import type { ClusterNodesView, ClusterNodeView } from "@skew/client/api";
import { getClusterNodes } from "../api.js";
import { ClockForm } from "../components/ClockForm.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { usePoll } from "../components/poll.js";
import { TrueTimeBars } from "../components/TrueTimeBars.js";
import { signedMs, timeOfDay } from "../lib/format.js";
import { decodeHlc } from "../lib/hlc.js";

export const clocksPollMs = 1_000;

/** The serving node's measure of `id`'s clock: its wall clock minus ours, from the last heartbeat (0 for itself). */
function measuredOffset(nodes: ClusterNodesView, id: string): number | null {
  if (id === nodes.node) return 0;
  const serving = nodes.nodes.find((n) => n.id === nodes.node)?.view;
  return serving?.members.find((m) => m.id === id)?.clockOffsetMs ?? null;
}

function ClockRow({ nodes, entry }: { readonly nodes: ClusterNodesView; readonly entry: ClusterNodeView }) {
  const clock = entry.view?.clock;
  const measured = measuredOffset(nodes, entry.id);
  const hlc = clock === undefined ? undefined : decodeHlc(clock.hlc);
  return (
    <tr data-testid={`clock-row-${entry.id}`}>
      <th scope="row">{entry.id}</th>
      <td class="num" data-testid={`clock-measured-${entry.id}`} data-ms={measured ?? ""}>
        {entry.id === nodes.node ? "(reference)" : signedMs(measured)}
      </td>
      {clock === undefined ? (
        <td colSpan={5} class="state-unreachable">
          {entry.error === null ? "no answer" : `${entry.error.code}: ${entry.error.message}`}
        </td>
      ) : (
        <>
          <td class="num" data-testid={`clock-offset-${entry.id}`} data-ms={clock.offsetMs}>
            {signedMs(clock.offsetMs)}
          </td>
          <td class="num" data-testid={`clock-drift-${entry.id}`} data-ppm={clock.driftPpm}>
            {clock.driftPpm} ppm
          </td>
          <td class="num">{timeOfDay(clock.wallMs)}</td>
          <td
            class="num"
            data-testid={`clock-hlc-${entry.id}`}
            data-hlc={clock.hlc}
            data-wall-ms={hlc?.wallMs ?? ""}
            data-logical={hlc?.logical ?? ""}
            title={`packed ${clock.hlc}`}
          >
            {hlc === undefined ? String(clock.hlc) : `${timeOfDay(hlc.wallMs)} · ${hlc.logical}`}
          </td>
          <td class="num">
            {clock.truetime === null
              ? "not synchronized"
              : `${timeOfDay(clock.truetime.earliest)} … ${timeOfDay(clock.truetime.latest)} (±${((clock.truetime.latest - clock.truetime.earliest) / 2).toFixed(1)} ms)`}
          </td>
        </>
      )}
    </tr>
  );
}

export function ClocksPage() {
  const poll = usePoll(getClusterNodes, clocksPollMs);
  const nodes = poll.data;
  return (
    <section data-testid="page-clocks">
      <h2>Clocks</h2>
      <ErrorBox error={poll.error} testId="clocks-error" />
      {nodes === undefined ? (
        poll.error === undefined ? (
          <p class="muted">Reading the clocks…</p>
        ) : null
      ) : (
        <>
          <table class="nodes" data-testid="clock-table">
            <thead>
              <tr>
                <th scope="col">node</th>
                <th scope="col">offset measured by {nodes.node}</th>
                <th scope="col">admin offset</th>
                <th scope="col">drift</th>
                <th scope="col">wall clock (UTC)</th>
                <th scope="col">HLC (wall · logical)</th>
                <th scope="col">TrueTime interval</th>
              </tr>
            </thead>
            <tbody>
              {nodes.nodes.map((entry) => (
                <ClockRow key={entry.id} nodes={nodes} entry={entry} />
              ))}
            </tbody>
          </table>
          <p class="muted small">
            Measured: the node's wall clock minus {nodes.node}'s, from the last heartbeat (so it includes the message's
            delay). Admin offset and drift: what was set through <code>/admin/clock</code>.
          </p>
          <TrueTimeBars nodes={nodes.nodes} />
          <ClockForm members={nodes.nodes.map((n) => n.id)} />
        </>
      )}
    </section>
  );
}
