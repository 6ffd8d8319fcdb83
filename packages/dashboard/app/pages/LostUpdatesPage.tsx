/**
 * The lost update, live: POST /admin/demo/lost-update runs read-modify-write
 * appends to one list through each node in turn with one node's clock off,
 * and answers every write with what became of it. The writes are drawn on a
 * timeline, the lost ones marked with the reason.
 */
import { type ClusterView, demoAppendsMax, demoAppendsMin, demoSkewMsMax, type LostUpdateRun } from "@skew/client/api";
import { useEffect, useState } from "preact/hooks";
import { getCluster, runLostUpdate } from "../api.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { bucketOptions, nodeOptions, SelectField } from "../components/SelectField.js";
import { Timeline } from "../components/Timeline.js";
import { AdminTokenField, useAdminToken } from "../components/token.js";
import { duration, signedMs } from "../lib/format.js";
import { outcomeOf } from "../lib/timeline.js";

function Summary({ run }: { readonly run: LostUpdateRun }) {
  const lost = run.writes.filter((w) => outcomeOf(w) === "lost");
  return (
    <div class="panel" data-testid="demo-summary" data-mode={run.mode}>
      <p>
        <strong>{run.bucket}</strong> ({run.mode}), key <code>{run.key}</code>; {run.skewed}'s clock set{" "}
        {signedMs(run.skewMs)}; {duration(run.tookMs)}.
      </p>
      <div class="stats">
        <div>
          <span class="stat" data-testid="demo-acknowledged">
            {run.acknowledged}
          </span>
          acknowledged
        </div>
        <div>
          <span class="stat" data-testid="demo-kept">
            {run.kept}
          </span>
          kept
        </div>
        <div class={run.lost > 0 ? "bad" : "good"}>
          <span class="stat" data-testid="demo-lost">
            {run.lost}
          </span>
          lost
        </div>
      </div>
      <p class="small">
        Clock offsets measured during the run:{" "}
        {Object.entries(run.offsets)
          .map(([node, offset]) => `${node} ${signedMs(offset)}`)
          .join(", ")}
      </p>
      {lost.length === 0 ? (
        <p class="good" data-testid="demo-none-lost">
          Every acknowledged append is in the final list.
        </p>
      ) : (
        <ul class="reasons" data-testid="demo-lost-list">
          {lost.map((write) => (
            <li key={write.index} data-testid="demo-lost-reason" data-index={write.index}>
              <code>{write.item}</code>: {write.reason ?? "not in the final read"}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function LostUpdatesPage() {
  const [cluster, setCluster] = useState<ClusterView>();
  const [clusterError, setClusterError] = useState<unknown>();
  const [token, setToken] = useAdminToken();
  const [bucket, setBucket] = useState("");
  const [appends, setAppends] = useState("12");
  const [skewMs, setSkewMs] = useState("-400");
  const [skewed, setSkewed] = useState("");
  const [busy, setBusy] = useState(false);
  const [run, setRun] = useState<LostUpdateRun>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    getCluster().then((view) => {
      setCluster(view);
      setBucket(
        (current) =>
          current || (Object.hasOwn(view.buckets, "lww-wall") ? "lww-wall" : Object.keys(view.buckets)[0]) || "",
      );
      setSkewed((current) => current || view.members[view.members.length - 1]?.id || "");
    }, setClusterError);
  }, []);

  const start = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      setRun(
        await runLostUpdate(
          { bucket, appends: Number(appends), skewMs: Number(skewMs), ...(skewed === "" ? {} : { skewed }) },
          token,
        ),
      );
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const members = cluster?.members.map((m) => m.id) ?? [];
  return (
    <section data-testid="page-lost-updates">
      <h2>Lost updates</h2>
      <p class="muted">
        Appends to one list, each a read, an added item and a write back with the read's context, through the nodes in
        turn, with one node's clock set wrong for the run (then put back). In a last-write-wins bucket stamped by wall
        clocks, the skewed node's writes are stamped in the past and vanish although acknowledged; with HLC stamps or
        causal contexts nothing is lost.
      </p>
      <ErrorBox error={clusterError} testId="demo-cluster-error" />
      <form class="panel" data-testid="demo-form" onSubmit={(event) => void start(event)}>
        <div class="row">
          <AdminTokenField token={token} onChange={setToken} />
          <SelectField
            label="Bucket"
            value={bucket}
            options={bucketOptions(cluster?.buckets)}
            testId="demo-bucket"
            onChange={setBucket}
          />
          <label class="field">
            <span>Appends</span>
            <input
              type="number"
              min={demoAppendsMin}
              max={demoAppendsMax}
              value={appends}
              data-testid="demo-appends"
              onInput={(event) => setAppends(event.currentTarget.value)}
            />
          </label>
          <label class="field">
            <span>Skew (ms)</span>
            <input
              type="number"
              min={-demoSkewMsMax}
              max={demoSkewMsMax}
              value={skewMs}
              data-testid="demo-skew"
              onInput={(event) => setSkewMs(event.currentTarget.value)}
            />
          </label>
          <SelectField
            label="Skewed node"
            value={skewed}
            options={nodeOptions(members)}
            testId="demo-skewed"
            onChange={setSkewed}
          />
          <button type="submit" disabled={busy || bucket === ""} data-testid="demo-run">
            {busy ? "Running…" : "Run"}
          </button>
        </div>
      </form>
      <ErrorBox error={error} testId="demo-error" />
      {busy ? (
        <p class="muted" data-testid="demo-running">
          Running: setting the clock, waiting for heartbeats, appending…
        </p>
      ) : null}
      {run === undefined ? null : (
        <div data-testid="demo-result" data-bucket={run.bucket}>
          <Summary run={run} />
          <Timeline key={`${run.key}`} run={run} members={members} />
        </div>
      )}
    </section>
  );
}
