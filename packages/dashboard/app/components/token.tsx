/**
 * The admin token, typed once per tab: kept in sessionStorage (gone when the
 * tab closes), sent only in the `authorization` header, never in a URL.
 */
import { useState } from "preact/hooks";

const storageKey = "skew.dashboard.adminToken";

function stored(): string {
  try {
    return sessionStorage.getItem(storageKey) ?? "";
  } catch {
    return ""; // storage disabled: the field still works for this page
  }
}

export function useAdminToken(): [string, (token: string) => void] {
  const [token, setToken] = useState(stored);
  const update = (next: string): void => {
    setToken(next);
    try {
      if (next === "") sessionStorage.removeItem(storageKey);
      else sessionStorage.setItem(storageKey, next);
    } catch {
      // storage disabled: kept in memory only
    }
  };
  return [token, update];
}

export function AdminTokenField({
  token,
  onChange,
}: {
  readonly token: string;
  readonly onChange: (token: string) => void;
}) {
  return (
    <label class="field">
      <span>Admin token</span>
      <input
        type="password"
        autocomplete="off"
        placeholder="SKEW_ADMIN_TOKEN"
        value={token}
        data-testid="admin-token"
        onInput={(event) => onChange(event.currentTarget.value)}
      />
    </label>
  );
}
