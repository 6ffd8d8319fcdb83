/**
 * The cluster: every node as the serving node reached it (GET /cluster/nodes,
 * every second), how each node's failure detector sees the others, phi over
 * time, hinted handoffs pending and repairs.
 */
import type { ClusterNodesView, ClusterNodeView } from "@skew/client/api";
import { useMemo } from "preact/hooks";
import { getClusterNodes } from "../api.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { PhiChart } from "../components/PhiChart.js";
import { usePoll } from "../components/poll.js";
import { duration } from "../lib/format.js";
import { PhiHistory } from "../lib/phi-history.js";
import { servingState, stateSeenBy } from "../lib/states.js";

export const clusterPollMs = 1_000;

function NodeRow({ nodes, entry }: { readonly nodes: ClusterNodesView; readonly entry: ClusterNodeView }) {
  const state = servingState(nodes, entry.id);
  const view = entry.view;
  return (
    <tr data-testid={`cluster-node-${entry.id}`} data-state={state}>
      <th scope="row">
        {entry.id}
        {entry.id === nodes.node ? <span class="tag">serving this page</span> : null}
      </th>
      <td>
        <code>{entry.url}</code>
      </td>
      <td>
        <span class={`state state-${state}`}>{state}</span>
        {entry.error === null ? null : (
          <div class="muted small" data-testid={`cluster-node-error-${entry.id}`}>
            {entry.error.code}: {entry.error.message}
          </div>
        )}
      </td>
      <td class="num">{duration(entry.tookMs)}</td>
      <td class="num" data-testid={`cluster-hints-${entry.id}`}>
        {view?.hints ?? "—"}
      </td>
      <td class="num">{view?.repairs.running ?? "—"}</td>
      <td class="num">{view?.repairs.completed ?? "—"}</td>
      <td class="num" data-testid={`cluster-recovering-${entry.id}`}>
        {view?.repairs.recovering ?? "—"}
      </td>
    </tr>
  );
}

function PeerMatrix({ nodes }: { readonly nodes: ClusterNodesView }) {
  const ids = nodes.nodes.map((n) => n.id);
  return (
    <table class="matrix" data-testid="cluster-matrix">
      <thead>
        <tr>
          <th scope="col">as seen by ↓ / of →</th>
          {ids.map((id) => (
            <th scope="col" key={id}>
              {id}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {nodes.nodes.map((observer) => (
          <tr key={observer.id}>
            <th scope="row">{observer.id}</th>
            {ids.map((target) => {
              if (observer.view === null) {
                return (
                  <td key={target} class="state-unreachable">
                    no answer
                  </td>
                );
              }
              const state = stateSeenBy(observer.view, target);
              const member = observer.view.members.find((m) => m.id === target);
              return (
                <td key={target} data-testid={`seen-${observer.id}-${target}`} data-state={state}>
                  <span class={`state state-${state}`}>{state}</span>
                  {state === "self" || member === undefined ? null : (
                    <div class="muted small">
                      phi {member.phi === null || member.phi === undefined ? "—" : member.phi.toFixed(2)}
                      {member.lastHeartbeatAgoMs === null || member.lastHeartbeatAgoMs === undefined
                        ? ""
                        : `, heard ${duration(member.lastHeartbeatAgoMs)} ago`}
                    </div>
                  )}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ClusterPage() {
  const history = useMemo(() => new PhiHistory(), []);
  const poll = usePoll(getClusterNodes, clusterPollMs, (data, at) => history.add(at, data));
  const nodes = poll.data;
  return (
    <section data-testid="page-cluster">
      <h2>Cluster</h2>
      <ErrorBox error={poll.error} testId="cluster-error" />
      {nodes === undefined ? (
        poll.error === undefined ? (
          <p class="muted">Asking the nodes…</p>
        ) : null
      ) : (
        <>
          <p>
            This page is served by <strong data-testid="serving-node">{nodes.node}</strong>, which asks each of the{" "}
            <span data-testid="cluster-node-count">{nodes.nodes.length}</span> nodes for its <code>/cluster</code> every
            second.
          </p>
          <table class="nodes" data-testid="cluster-nodes">
            <thead>
              <tr>
                <th scope="col">node</th>
                <th scope="col">url</th>
                <th scope="col">state (seen by {nodes.node})</th>
                <th scope="col">answered in</th>
                <th scope="col">hints pending</th>
                <th scope="col">repairs running</th>
                <th scope="col">repairs completed</th>
                <th scope="col">partitions recovering</th>
              </tr>
            </thead>
            <tbody>
              {nodes.nodes.map((entry) => (
                <NodeRow key={entry.id} nodes={nodes} entry={entry} />
              ))}
            </tbody>
          </table>
          <p class="muted small">
            up: heard from, not suspected; suspected: its phi passed the failure detector's threshold; unheard: no
            heartbeat yet; unreachable: {nodes.node} got no answer from it just now. Repairs: read repairs and
            anti-entropy exchanges; partitions recovering: after a start that may have lost acknowledged writes, its
            reads do not yet count as a primary's (see the node's README).
          </p>
          <h3>How each node sees the others</h3>
          <PeerMatrix nodes={nodes} />
          <h3>phi over time</h3>
          <div class="charts">
            {history.observers().map((observer) => (
              <PhiChart
                key={observer}
                observer={observer}
                chart={history.chart(observer)}
                members={nodes.nodes.map((n) => n.id)}
              />
            ))}
          </div>
        </>
      )}
    </section>
  );
}
