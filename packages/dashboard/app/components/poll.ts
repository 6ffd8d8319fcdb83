import { useEffect, useRef, useState } from "preact/hooks";

export interface Poll<T> {
  /** The last answer (kept while later polls fail, so the page does not go blank). */
  readonly data: T | undefined;
  /** The last poll's failure; undefined once a poll succeeds again. */
  readonly error: unknown;
  /** When the last answer arrived (ms since the epoch, the browser's clock). */
  readonly at: number | undefined;
}

/**
 * Calls `load` now and `intervalMs` after each answer (never two at once),
 * until the component goes away. `onData` sees every answer as it arrives.
 */
export function usePoll<T>(
  load: () => Promise<T>,
  intervalMs: number,
  onData?: (data: T, atMs: number) => void,
): Poll<T> {
  const [state, setState] = useState<Poll<T>>({ data: undefined, error: undefined, at: undefined });
  const latest = useRef({ load, onData });
  latest.current = { load, onData };
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async (): Promise<void> => {
      try {
        const data = await latest.current.load();
        if (stopped) return;
        const at = Date.now();
        latest.current.onData?.(data, at);
        setState({ data, error: undefined, at });
      } catch (error) {
        if (stopped) return;
        setState((previous) => ({ ...previous, error }));
      }
      if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
    };
    void tick();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [intervalMs]);
  return state;
}
