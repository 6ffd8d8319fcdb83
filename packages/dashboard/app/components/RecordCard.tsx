/** One replica's own record of a key: an LWW stamp, or a causal version vector and its siblings' dots. */
import type { KeyReplicaView, RecordView } from "@skew/client/api";
import { stampText } from "../lib/format.js";

function ValueText({
  text,
  bytes,
  tombstone,
}: {
  readonly text?: string | undefined;
  readonly bytes: number;
  readonly tombstone: boolean;
}) {
  if (tombstone) return <span class="muted">(deleted: a tombstone)</span>;
  if (text === undefined) return <span class="muted">({bytes} bytes, not shown)</span>;
  return <pre class="value">{text}</pre>;
}

function RecordBody({ mode, record }: { readonly mode: string; readonly record: RecordView }) {
  if (record.kind === "lww") {
    return (
      <dl class="record">
        <dt>stamp</dt>
        <dd title={String(record.stamp.time)}>
          {stampText(mode, record.stamp.time)} by {record.stamp.node}
        </dd>
        <dt>fence</dt>
        <dd>{record.stamp.fence}</dd>
        <dt>value</dt>
        <dd>
          {record.contentType === undefined ? null : <div class="muted small">{record.contentType}</div>}
          <ValueText text={record.text} bytes={record.bytes} tombstone={record.tombstone} />
        </dd>
      </dl>
    );
  }
  return (
    <div class="record">
      <div class="small">
        version vector{" "}
        <code data-testid="keys-version-vector">
          {"{"}
          {Object.entries(record.versionVector)
            .map(([node, counter]) => `${node}: ${counter}`)
            .join(", ")}
          {"}"}
        </code>
        , fence {record.fence}
      </div>
      <ol class="siblings">
        {record.siblings.map((sibling) => (
          <li key={sibling.dot} data-testid="keys-replica-sibling" data-dot={sibling.dot}>
            <div class="small">
              dot <code>{sibling.dot}</code>, written {stampText("causal", sibling.at)}
              {sibling.fence === 0 ? "" : `, fence ${sibling.fence}`}
            </div>
            <ValueText text={sibling.text} bytes={sibling.bytes} tombstone={sibling.tombstone} />
          </li>
        ))}
      </ol>
    </div>
  );
}

export function RecordCard({
  mode,
  replica,
  position,
}: {
  readonly mode: string;
  readonly replica: KeyReplicaView;
  readonly position: number;
}) {
  return (
    <article class="card" data-testid={`keys-replica-${replica.node}`}>
      <header>
        <strong>{replica.node}</strong> <span class="muted small">preference #{position + 1}</span>
      </header>
      {replica.error !== null ? (
        <div class="error small">
          <strong>{replica.error.code}</strong> {replica.error.message}
        </div>
      ) : replica.record === null ? (
        <p class="muted">no record of this key</p>
      ) : (
        <RecordBody mode={mode} record={replica.record} />
      )}
    </article>
  );
}
