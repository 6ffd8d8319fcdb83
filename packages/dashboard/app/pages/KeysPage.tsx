/**
 * A key, looked up: its preference list, each replica's own record side by
 * side, the coordinated read (every sibling and the causal context), and a
 * form that writes one value with that context, which resolves the siblings.
 */
import type { ClusterView, GetResult, KeyReplicasView, PutResult } from "@skew/client/api";
import { useEffect, useState } from "preact/hooks";
import { getCluster, getKeyReplicas, readKey, writeKey } from "../api.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { RecordCard } from "../components/RecordCard.js";
import { bucketOptions, SelectField } from "../components/SelectField.js";
import { abbreviate } from "../lib/format.js";
import { valueText } from "../lib/read.js";

interface Lookup {
  readonly bucket: string;
  readonly key: string;
  readonly replicas: KeyReplicasView | undefined;
  readonly replicasError: unknown;
  readonly read: GetResult | undefined;
  readonly readError: unknown;
}

async function lookUp(bucket: string, key: string): Promise<Lookup> {
  const [replicas, read] = await Promise.allSettled([getKeyReplicas(bucket, key), readKey(bucket, key)]);
  return {
    bucket,
    key,
    replicas: replicas.status === "fulfilled" ? replicas.value : undefined,
    replicasError: replicas.status === "rejected" ? replicas.reason : undefined,
    read: read.status === "fulfilled" ? read.value : undefined,
    readError: read.status === "rejected" ? read.reason : undefined,
  };
}

function ReadPanel({ read }: { readonly read: GetResult }) {
  return (
    <div class="panel" data-testid="keys-read">
      <h3>
        The read: <span data-testid="keys-sibling-count">{read.siblings.length}</span>{" "}
        {read.siblings.length === 1 ? "value" : "siblings"}
      </h3>
      {read.found ? null : <p class="muted">No value: the key was never written, or it was deleted.</p>}
      <div class="cards">
        {read.siblings.map((sibling, i) => {
          const text = valueText(sibling.value);
          return (
            <article class="card" key={i} data-testid="keys-sibling">
              <header class="muted small">
                sibling {i + 1} · {sibling.contentType} · {sibling.value.length} bytes
              </header>
              {text === undefined ? (
                <p class="muted">(not UTF-8 text)</p>
              ) : (
                <pre class="value" data-testid="keys-sibling-text">
                  {text}
                </pre>
              )}
            </article>
          );
        })}
      </div>
      <p class="small">
        Causal context{" "}
        <code data-testid="keys-context" title={read.context}>
          {read.context === "" ? "(empty)" : abbreviate(read.context, 64)}
        </code>
        : a write that hands it back supersedes every sibling above.
      </p>
    </div>
  );
}

function ResolveForm({
  lookup,
  onWritten,
}: {
  readonly lookup: Lookup;
  readonly onWritten: (result: PutResult, written: Lookup) => void;
}) {
  const read = lookup.read;
  const [text, setText] = useState(() => {
    for (const sibling of read?.siblings ?? []) {
      const text = valueText(sibling.value);
      if (text !== undefined) return text;
    }
    return "";
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  if (read === undefined) return null;
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onWritten(await writeKey(lookup.bucket, lookup.key, text, read.context), lookup);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="panel" data-testid="keys-resolve" onSubmit={(event) => void submit(event)}>
      <h3>{read.siblings.length > 1 ? "Resolve the siblings" : "Write a new value"}</h3>
      <p class="muted small">
        Writes this text (text/plain) with the read's context: it supersedes the {read.siblings.length} value(s) read
        above, on every replica, and leaves one (unless another write came in meanwhile).
      </p>
      <textarea
        rows={3}
        value={text}
        data-testid="keys-resolve-value"
        onInput={(event) => setText(event.currentTarget.value)}
      />
      <div>
        <button type="submit" disabled={busy} data-testid="keys-resolve-submit">
          {busy ? "Writing…" : "Write with this context"}
        </button>
      </div>
      <ErrorBox error={error} testId="keys-resolve-error" />
    </form>
  );
}

export function KeysPage() {
  const [cluster, setCluster] = useState<ClusterView>();
  const [clusterError, setClusterError] = useState<unknown>();
  const [bucket, setBucket] = useState("");
  const [key, setKey] = useState("");
  const [busy, setBusy] = useState(false);
  const [lookup, setLookup] = useState<Lookup>();
  const [written, setWritten] = useState<PutResult>();

  useEffect(() => {
    getCluster().then((view) => {
      setCluster(view);
      setBucket(
        (current) => current || (Object.hasOwn(view.buckets, "causal") ? "causal" : Object.keys(view.buckets)[0]) || "",
      );
    }, setClusterError);
  }, []);

  const run = async (inBucket: string, ofKey: string): Promise<void> => {
    if (inBucket === "" || ofKey === "") return;
    setBusy(true);
    try {
      setLookup(await lookUp(inBucket, ofKey));
    } finally {
      setBusy(false);
    }
  };

  // Looks the written key up again (not whatever the inputs hold now): the page shows what the write left.
  const onWritten = (result: PutResult, written: Lookup): void => {
    setWritten(result);
    void run(written.bucket, written.key);
  };

  return (
    <section data-testid="page-keys">
      <h2>Keys</h2>
      <ErrorBox error={clusterError} testId="keys-cluster-error" />
      <form
        class="panel row"
        onSubmit={(event) => {
          event.preventDefault();
          setWritten(undefined);
          void run(bucket, key);
        }}
      >
        <SelectField
          label="Bucket"
          value={bucket}
          options={bucketOptions(cluster?.buckets)}
          testId="keys-bucket"
          onChange={setBucket}
        />
        <label class="field grow">
          <span>Key</span>
          <input
            value={key}
            required
            maxLength={4096}
            data-testid="keys-key"
            onInput={(event) => setKey(event.currentTarget.value)}
          />
        </label>
        <button type="submit" disabled={busy || bucket === "" || key === ""} data-testid="keys-lookup">
          {busy ? "Looking…" : "Look up"}
        </button>
      </form>
      {written === undefined ? null : (
        <p class="ok" data-testid="keys-resolve-result">
          Written: the key holds {written.siblings} {written.siblings === 1 ? "value" : "siblings"} now, as the
          coordinator saw it.
        </p>
      )}
      {lookup === undefined ? null : (
        <div data-testid="keys-result" data-bucket={lookup.bucket} data-key={lookup.key}>
          <ErrorBox error={lookup.replicasError} testId="keys-replicas-error" />
          {lookup.replicas === undefined ? null : (
            <>
              <p>
                <strong>{lookup.replicas.bucket}</strong> ({lookup.replicas.mode}) /{" "}
                <strong>{lookup.replicas.key}</strong>: preference list{" "}
                <span data-testid="keys-preference">{lookup.replicas.preference.join(" → ")}</span>
              </p>
              <div class="cards">
                {lookup.replicas.replicas.map((replica, i) => (
                  <RecordCard key={replica.node} mode={lookup.replicas?.mode ?? ""} replica={replica} position={i} />
                ))}
              </div>
            </>
          )}
          <ErrorBox error={lookup.readError} testId="keys-read-error" />
          {lookup.read === undefined ? null : (
            <>
              <ReadPanel read={lookup.read} />
              <ResolveForm key={lookup.read.context} lookup={lookup} onWritten={onWritten} />
            </>
          )}
        </div>
      )}
    </section>
  );
}
