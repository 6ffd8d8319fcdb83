/**
 * Skew, drift or jump one node's clock: POST /admin/nodes/:id/clock on the
 * serving node, which applies it or forwards it to the node (with the token).
 */
import type { ClockChange, ClusterClock } from "@skew/client/api";
import { useState } from "preact/hooks";
import { setNodeClock } from "../api.js";
import { signedMs } from "../lib/format.js";
import { ErrorBox } from "./ErrorBox.js";
import { nodeOptions, SelectField } from "./SelectField.js";
import { AdminTokenField, useAdminToken } from "./token.js";

type Field = "offsetMs" | "driftPpm" | "jumpMs";

const fields: readonly {
  readonly field: Field;
  readonly label: string;
  readonly button: string;
  readonly id: string;
}[] = [
  { field: "offsetMs", label: "Offset (ms)", button: "Set offset", id: "offset" },
  { field: "driftPpm", label: "Drift (ppm)", button: "Set drift", id: "drift" },
  { field: "jumpMs", label: "Jump (ms)", button: "Jump", id: "jump" },
];

export function ClockForm({ members }: { readonly members: readonly string[] }) {
  const [token, setToken] = useAdminToken();
  const [node, setNode] = useState(members[members.length - 1] ?? "");
  const [values, setValues] = useState<Record<Field, string>>({ offsetMs: "250", driftPpm: "0", jumpMs: "100" });
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ node: string; change: ClockChange; clock: ClusterClock } | undefined>();
  const [error, setError] = useState<unknown>();

  const apply = async (field: Field): Promise<void> => {
    const value = Number(values[field]);
    if (values[field].trim() === "" || !Number.isFinite(value)) {
      setError(new Error(`${field} must be a number`));
      return;
    }
    const change: ClockChange = { [field]: value };
    setBusy(true);
    setError(undefined);
    try {
      const clock = await setNodeClock(node, change, token);
      setResult({ node, change, clock });
    } catch (failure) {
      setError(failure);
      setResult(undefined);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="panel" data-testid="clock-form" onSubmit={(event) => event.preventDefault()}>
      <h3>Change a clock</h3>
      <div class="row">
        <AdminTokenField token={token} onChange={setToken} />
        <SelectField label="Node" value={node} options={nodeOptions(members)} testId="clock-node" onChange={setNode} />
      </div>
      <div class="row">
        {fields.map(({ field, label, button, id }) => (
          <div class="field-with-button" key={field}>
            <label class="field">
              <span>{label}</span>
              <input
                type="number"
                value={values[field]}
                data-testid={`clock-${id}`}
                onInput={(event) => {
                  const next = event.currentTarget.value;
                  setValues((previous) => ({ ...previous, [field]: next }));
                }}
              />
            </label>
            <button
              type="button"
              disabled={busy || node === ""}
              data-testid={`clock-${id}-apply`}
              onClick={() => void apply(field)}
            >
              {button}
            </button>
          </div>
        ))}
      </div>
      <p class="muted small">
        Offset and drift replace the node's settings; a jump is added to its offset. The machine's clock is never
        touched; TrueTime keeps following it, the wall clock and the HLC follow the change.
      </p>
      <ErrorBox error={error} testId="clock-error" />
      {result === undefined ? null : (
        <p class="ok" data-testid="clock-result">
          {result.node}: offset {signedMs(result.clock.offsetMs)}, drift {result.clock.driftPpm} ppm (applied{" "}
          {JSON.stringify(result.change)}).
        </p>
      )}
    </form>
  );
}
