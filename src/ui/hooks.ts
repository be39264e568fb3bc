/** Loading API data into a view: refetched when its path changes, on refresh, and back online. */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api } from "./api";
import { currentGeneration, subscribe } from "./connection";

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => Promise<void>;
}

/** GETs `path` (skipped when null); `everyMs` refreshes it while the tab is visible. */
export function useApi<T>(path: string | null, { everyMs }: { everyMs?: number } = {}): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean; path: string | null }>({
    loading: path !== null,
    path,
  });
  const latest = useRef(path);
  latest.current = path;
  const [generation, setGeneration] = useState(currentGeneration());
  useEffect(() => subscribe(() => setGeneration(currentGeneration())), []);

  const load = useCallback(async () => {
    if (path === null) return;
    try {
      const data = await api<T>(path);
      if (latest.current === path) setState({ data, loading: false, path });
    } catch (error) {
      if (latest.current === path) setState((s) => ({ ...s, error, loading: false, path }));
    }
  }, [path]);

  useEffect(() => {
    setState((s) => (s.path === path ? { ...s, loading: true } : { loading: path !== null, path }));
    void load();
  }, [load, generation]);

  useEffect(() => {
    if (!everyMs || path === null) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") void load();
    }, everyMs);
    return () => clearInterval(timer);
  }, [load, everyMs]);

  const sameData = state.path === path;
  return {
    data: sameData ? state.data : undefined,
    error: sameData ? state.error : undefined,
    loading: state.loading,
    reload: load,
  };
}

/** Re-renders every `ms` so that relative times ("in 5 min") stay true. */
export function useTick(ms: number) {
  const [, set] = useState(0);
  useEffect(() => {
    const t = setInterval(() => set((n) => n + 1), ms);
    return () => clearInterval(t);
  }, [ms]);
}
