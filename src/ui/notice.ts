/** The page's one status line (role="status"): what an action just did, or why it failed. */
import { useEffect, useState } from "preact/hooks";

export interface Notice {
  text: string;
  error: boolean;
}
let current: Notice | null = null;
const listeners = new Set<(n: Notice | null) => void>();

export function notify(text: string, error = false) {
  current = { text, error };
  for (const fn of listeners) fn(current);
}

export function useNotice(): Notice | null {
  const [n, set] = useState(current);
  useEffect(() => {
    listeners.add(set);
    return () => {
      listeners.delete(set);
    };
  }, []);
  return n;
}
