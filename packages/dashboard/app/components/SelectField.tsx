/**
 * A labelled select: the bucket and node pickers of the keys, clocks and
 * lost-updates pages. Options are `[value, text]` pairs.
 */
export function SelectField({
  label,
  value,
  options,
  testId,
  onChange,
}: {
  readonly label: string;
  readonly value: string;
  readonly options: readonly (readonly [value: string, text: string])[];
  readonly testId: string;
  readonly onChange: (value: string) => void;
}) {
  return (
    <label class="field">
      <span>{label}</span>
      <select value={value} data-testid={testId} onChange={(event) => onChange(event.currentTarget.value)}>
        {options.map(([optionValue, text]) => (
          <option key={optionValue} value={optionValue}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A cluster's buckets as options: the name, with its conflict mode beside it. */
export function bucketOptions(buckets: Readonly<Record<string, string>> | undefined): [string, string][] {
  return Object.entries(buckets ?? {}).map(([name, mode]) => [name, `${name} (${mode})`]);
}

/** Node ids as options, each shown as itself. */
export function nodeOptions(ids: readonly string[]): [string, string][] {
  return ids.map((id) => [id, id]);
}
