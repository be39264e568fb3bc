/** The page's one status line (role="status"): what an action just did, or why it failed. */
import { useEffect, useState } from "preact/hooks";

export interface Notice {
  text: string;
  error: boolean;
  /** The page it was said on: another page does not show it. */
  path: string;
}
let current: Notice | null = null;
const listeners = new Set<(n: Notice | null) => void>();

/** Says `text` on the current page (call it after navigating to the page it concerns). */
export function notify(text: string, error = false) {
  current = { text, error, path: window.location.pathname };
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
